import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@ucie/api";
import { useState } from "react";
import { Link } from "react-router";
import { CoinLogo } from "../../components/CoinLogo";
import { DataTable } from "../../components/DataTable";
import { EmptyState, LoadError, SkeletonRows } from "../../components/QueryStates";
import { useTRPC } from "../../lib/trpc";
import { cooldownWords } from "./choices";
import { displaySettings } from "../../lib/format";
import { CreateAlertForm } from "./CreateAlertForm";
import { ChannelPicker, channelWords, choiceOf, type ChannelChoice } from "./ChannelPicker";

type Alert = RouterOutputs["alerts"]["list"][number];

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const fmt = (d: Date | string | null | undefined) => (d ? dateTime.format(new Date(d)) : "–");

export function AlertsPage() {
  const trpc = useTRPC();
  const list = useQuery(trpc.alerts.list.queryOptions(undefined, { refetchInterval: 30_000 }));
  return (
    <section className="page alerts-page" aria-labelledby="alerts-title">
      <div className="page-header">
        <div>
          <h1 id="alerts-title">Alerts</h1>
          <p className="muted home-sub">
            Checked on the server every minute, even when this page is closed. Times are shown in your time zone (
            {displaySettings().timeZone ?? browserZone}).
          </p>
        </div>
      </div>
      <CreateAlertForm count={list.data?.length ?? 0} />
      <section aria-labelledby="your-alerts" className="alerts-list">
        <h2 id="your-alerts">Your alerts</h2>
        {list.isPending ? (
          <SkeletonRows label="Loading your alerts" count={3} />
        ) : list.isError ? (
          <LoadError heading="h3" title="Your alerts could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.length === 0 ? (
          <EmptyState heading="h3" title="No alerts yet">
            Choose a coin and a rule above. You will get a notification here, on any device you are logged in on.
          </EmptyState>
        ) : (
          <DataTable className="alerts-table" caption="Your alerts" columns={["Coin", "Rule", "State", "Last fired", "On"]}>
            {list.data.map((a) => (
              <AlertRow key={a.id} alert={a} />
            ))}
          </DataTable>
        )}
      </section>
    </section>
  );
}

function stateText(a: Alert): { label: string; className: string; detail?: string } {
  switch (a.state) {
    case "armed":
      return { label: "Armed", className: "live" };
    case "rearming":
      return { label: "Waiting to re-arm", className: "cached", detail: "fires again once the value has moved back past the line" };
    case "cooling_down":
      return { label: `Cooling down until ${a.cooldownUntil ? time.format(new Date(a.cooldownUntil)) : "soon"}`, className: "cached" };
    case "snoozed":
      return { label: `Snoozed until ${fmt(a.snoozedUntil)}`, className: "snapshot" };
    case "expired":
      return { label: `Expired ${fmt(a.expiresAt)}`, className: "delisted" };
    case "done":
      return { label: "Fired (once)", className: "" };
    case "disabled":
      return { label: "Off", className: "" };
  }
}

function AlertRow({ alert: a }: { alert: Alert }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** the channels being chosen (undefined: not editing) */
  const [editing, setEditing] = useState<ChannelChoice | undefined>(undefined);
  const channels = useQuery(trpc.notifications.channels.queryOptions());
  const allChannels = channels.data?.map((c) => c.id) ?? [];
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
  const toggle = useMutation(
    trpc.alerts.update.mutationOptions({ onSuccess: () => (setError(null), void refresh()), onError: (e) => setError(e.message) }),
  );
  const saveChannels = useMutation(
    trpc.alerts.update.mutationOptions({
      onSuccess: () => (setError(null), setEditing(undefined), void refresh()),
      onError: (e) => setError(e.message),
    }),
  );
  const remove = useMutation(trpc.alerts.delete.mutationOptions({ onSuccess: () => void refresh(), onError: (e) => setError(e.message) }));
  const s = stateText(a);
  return (
    <tr>
      <td data-label="Coin">
        {a.coinId === "market" ? (
          // market-wide (the Fear & Greed index): no coin page to link to
          <span className="wl-coin">
            <span className="wl-name">Market</span>
          </span>
        ) : (
          <Link to={`/token/${encodeURIComponent(a.coinId)}`} className="wl-coin">
            <CoinLogo src={a.logo} symbol={a.symbol} />
            <span className="wl-name">{a.symbol}</span>
          </Link>
        )}
      </td>
      <td data-label="Rule" className="al-rule">
        {a.description}
        <div className="muted small">
          {a.repeat === "once" ? "Once" : `Repeats, at most every ${cooldownWords(a.cooldownSeconds)}`}
          {a.expiresAt && a.state !== "expired" ? ` · until ${fmt(a.expiresAt)}` : ""}
          {" · to "}
          {channelWords(choiceOf(a, allChannels), channels.data)}{" "}
          {editing === undefined && (
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              onClick={() => setEditing(choiceOf(a, allChannels))}
              aria-label={`Change where it goes: ${a.description}`}
            >
              Change
            </button>
          )}
        </div>
        {editing !== undefined && (
          <form
            className="alert-form al-channels-edit"
            aria-label={`Where it goes: ${a.description}`}
            onSubmit={(e) => {
              e.preventDefault();
              // null: every channel of the account, e-mail included (and webhooks added later)
              saveChannels.mutate({ id: a.id, channels: editing, email: editing === null || editing.includes("email") });
            }}
          >
            <ChannelPicker
              idPrefix={`al-${a.id}`}
              channels={channels}
              value={editing}
              onChange={setEditing}
              disabled={saveChannels.isPending}
            />
            <div className="row">
              <button type="submit" className="btn btn-sm btn-primary" disabled={saveChannels.isPending}>
                {saveChannels.isPending ? "Saving…" : "Save"}
              </button>
              <button type="button" className="btn btn-sm" onClick={() => setEditing(undefined)}>
                Cancel
              </button>
            </div>
          </form>
        )}
        {error && (
          <div className="error small" role="alert">
            {error}
          </div>
        )}
      </td>
      <td data-label="State">
        <span className={`badge ${s.className}`} title={s.detail}>
          {s.label}
        </span>
      </td>
      <td data-label="Last fired" className="small">
        {a.triggeredAt ? (
          <>
            {fmt(a.triggeredAt)}
            <div className="muted">
              {a.triggerCount} time{a.triggerCount === 1 ? "" : "s"}
            </div>
          </>
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      <td data-label="On">
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={a.enabled}
            disabled={toggle.isPending}
            onChange={(e) => toggle.mutate({ id: a.id, enabled: e.target.checked })}
            // a switch's name stays put; its state (on or off) is its checked state, shown beside it
            aria-label={`Alert on: ${a.description}`}
          />
          <span aria-hidden="true" className="switch-track" />
          <span aria-hidden="true" className="switch-text">
            {a.enabled ? "On" : "Off"}
          </span>
        </label>
      </td>
      <td className="wl-actions">
        {confirming ? (
          <span className="row" role="group" aria-label="Delete this alert?">
            <button type="button" className="btn btn-sm btn-danger" onClick={() => remove.mutate({ id: a.id })} disabled={remove.isPending}>
              {remove.isPending ? "Deleting…" : "Delete"}
            </button>
            <button type="button" className="btn btn-sm" onClick={() => setConfirming(false)} autoFocus>
              Keep
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="btn btn-sm btn-ghost"
            onClick={() => setConfirming(true)}
            aria-label={`Delete alert: ${a.description}`}
          >
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}
