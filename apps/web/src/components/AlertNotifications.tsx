/**
 * Alert firings, live: while logged in, subscribes to `alerts.onTriggered` (SSE; the link resumes with
 * the last event id after a drop), shows each firing as a toast (a polite live region) and keeps a list
 * of recent firings behind a button in the header.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@ucie/api";
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { useMe } from "../lib/auth";
import { useSharedStream } from "../lib/shared-stream";
import type { StreamEvent } from "../lib/api-types";
import { useTRPC, useTRPCClient } from "../lib/trpc";
import { formatChange, formatIndicator, formatPrice } from "../lib/format";

type Trigger = RouterOutputs["alerts"]["triggers"][number];
/** a firing as the live stream sends it */
type TriggerEvent = StreamEvent<RouterOutputs["alerts"]["onTriggered"]>;
interface Toast {
  key: string;
  description: string;
  value: string;
  at: Date;
}

const TOAST_MS = 15_000;
const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function formatValue(type: string, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "";
  if (type.startsWith("price_")) return formatPrice(v);
  if (type === "percent_change") return formatChange(v);
  if (type.startsWith("rsi_")) return `RSI ${formatIndicator("rsi", v)}`;
  if (type === "volume_spike") return `${formatIndicator("ratio", v)}× average volume`;
  return `${v > 0 ? "+" : ""}${v} points`;
}

export function AlertNotifications() {
  const { me } = useMe();
  return me ? <Notifications /> : null;
}

function Notifications() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [unseen, setUnseen] = useState(0);
  const [open, setOpen] = useState(false);
  const panelRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const recent = useQuery(trpc.alerts.triggers.queryOptions({ limit: 10 }, { staleTime: 60_000 }));

  const client = useTRPCClient();
  // one SSE stream for all tabs of this browser (see lib/shared-stream.ts)
  useSharedStream<TriggerEvent>(
    "alert-triggers",
    true,
    (lastEventId, h) => {
      const sub = client.alerts.onTriggered.subscribe(lastEventId ? { lastEventId } : undefined, {
        onData: (ev) => h.onData(ev.id, ev.data),
        onError: h.onError,
      });
      return () => sub.unsubscribe();
    },
    (key, t) => {
      setToasts((list) =>
        list.some((x) => x.key === key)
          ? list
          : [...list.slice(-2), { key, description: t.description, value: formatValue(t.type, t.value), at: new Date(t.triggeredAt) }],
      );
      setUnseen((n) => n + 1);
      void queryClient.invalidateQueries({ queryKey: trpc.alerts.triggers.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
    },
  );

  // each toast leaves on its own after a while; the list behind the bell keeps it
  useEffect(() => {
    if (!toasts.length) return;
    const oldest = toasts[0]!;
    const t = setTimeout(() => setToasts((list) => list.filter((x) => x.key !== oldest.key)), TOAST_MS);
    return () => clearTimeout(t);
  }, [toasts]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (!panelRef.current?.contains(e.target as Node) && !buttonRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  const items: Trigger[] = recent.data ?? [];
  return (
    <div className="alert-notifications">
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-sm btn-ghost bell"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        onClick={() => {
          setOpen((o) => !o);
          setUnseen(0);
        }}
        aria-label={unseen ? `Recent alerts, ${unseen} new` : "Recent alerts"}
      >
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
          <path
            d="M12 3a6 6 0 0 0-6 6v3.5L4.5 15v1.5h15V15L18 12.5V9a6 6 0 0 0-6-6zm-2 15.5a2 2 0 0 0 4 0"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
            strokeLinejoin="round"
          />
        </svg>
        {unseen > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unseen > 9 ? "9+" : unseen}
          </span>
        )}
      </button>
      <div ref={panelRef} id={`${id}-panel`} className="card alert-panel" hidden={!open} role="region" aria-label="Recent alerts">
        <div className="section-header">
          <h2 className="alert-panel-title">Recent alerts</h2>
          <Link to="/alerts" onClick={() => setOpen(false)} className="small">
            Manage alerts
          </Link>
        </div>
        {recent.isPending ? (
          <p className="muted small">Loading…</p>
        ) : recent.isError ? (
          <p className="error small">Could not load recent alerts.</p>
        ) : items.length === 0 ? (
          <p className="muted small">No alert has fired yet.</p>
        ) : (
          <ul className="alert-panel-list">
            {items.map((t) => (
              <li key={t.seq}>
                <span>{t.description}</span>
                <span className="muted small">
                  {formatValue(t.type, t.value)} ·{" "}
                  <time dateTime={new Date(t.triggeredAt).toISOString()}>{dateTime.format(new Date(t.triggeredAt))}</time>
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="toast-region" role="status" aria-live="polite" aria-label="Alert notifications">
        {toasts.map((t) => (
          <div key={t.key} className="toast alert-toast">
            <div>
              <strong>Alert: {t.description}</strong>
              <div className="small muted">
                {t.value ? `${t.value} · ` : ""}
                {time.format(t.at)}
              </div>
            </div>
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              aria-label={`Dismiss alert: ${t.description}`}
              onClick={() => setToasts((list) => list.filter((x) => x.key !== t.key))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}
