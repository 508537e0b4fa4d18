import { CHANNEL_NAME_MAX_LENGTH, WEBHOOK_FORMATS, WEBHOOK_URL_MAX_LENGTH } from "@ucie/api/limits";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { DataTable } from "../../components/DataTable";
import type { Delivery, NotificationChannel } from "../../lib/api-types";
import { formatTime, timeAgo } from "../../lib/format";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { Field, FormAlert, MutationError, SubmitButton } from "../auth/form";
import { currentSubscription, pushSupported, subscribeThisBrowser } from "./push";

const FORMAT_LABELS: Record<(typeof WEBHOOK_FORMATS)[number], string> = { json: "JSON (signed)", discord: "Discord", slack: "Slack" };
const STATUS_LABELS: Record<Delivery["status"], string> = {
  pending: "Queued",
  retrying: "Retrying",
  delivered: "Delivered",
  failed: "Failed",
};

/** The account's notification settings: this browser's push, webhooks, and what was sent where. */
export function NotificationsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const channels = useQuery(trpc.notifications.channels.queryOptions());
  const deliveries = useQuery({
    ...trpc.notifications.deliveries.queryOptions({ limit: 20 }),
    // while something is on its way, follow it
    refetchInterval: (q) => (q.state.data?.some((d) => d.status === "pending" || d.status === "retrying") ? 1500 : false),
  });
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.notifications.channels.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.notifications.deliveries.queryKey() }),
    ]);
  const test = useMutation(trpc.notifications.test.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.notifications.removeChannel.mutationOptions({ onSuccess: refresh }));
  const names = new Map((channels.data ?? []).map((c) => [c.id, c.name]));
  const webhooks = channels.data?.filter((c) => c.kind === "webhook") ?? [];

  return (
    <section className="page notifications-page">
      <div className="page-header">
        <h1>Notifications</h1>
        <Link to="/account">Back to account</Link>
      </div>
      <p className="muted">Alerts always show in the app. They also go to every channel below, unless an alert names its own channels.</p>

      <PushCard
        onChange={() => void refresh()}
        onTest={() => test.mutate({ id: "push" })}
        testing={test.isPending && test.variables?.id === "push"}
      />

      <div className="card stack">
        <div>
          <h2>Webhooks</h2>
          <p className="muted small">
            UCIE POSTs each alert to your URL, signed with <code>X-UCIE-Signature</code>; the <code>X-UCIE-Delivery</code> id stays the same
            on retries, so you can drop repeats.
          </p>
        </div>
        <AddWebhookForm onAdded={() => void refresh()} />
        {channels.isError && <FormAlert>Could not load your channels.</FormAlert>}
        <MutationError error={test.error ?? remove.error} />
        {webhooks.length > 0 && (
          <DataTable className="webhooks-table cards" caption="Your webhooks" columns={["Name", "Address", "Format", "Status"]}>
            {webhooks.map((c) => (
              <WebhookRow
                key={c.id}
                channel={c}
                onTest={() => test.mutate({ id: c.id })}
                onRemove={() => remove.mutate({ id: c.id })}
                testing={test.isPending && test.variables?.id === c.id}
                removing={remove.isPending && remove.variables?.id === c.id}
              />
            ))}
          </DataTable>
        )}
        {channels.data && webhooks.length === 0 && <p className="muted small">No webhook yet.</p>}
      </div>

      <div className="card stack">
        <div className="section-header">
          <div>
            <h2>E-mail</h2>
            <p className="muted small">Alerts that ask for e-mail are sent to your account's address.</p>
          </div>
          <button type="button" className="btn btn-sm" onClick={() => test.mutate({ id: "email" })} disabled={test.isPending}>
            {test.isPending && test.variables?.id === "email" ? "Sending…" : "Send a test e-mail"}
          </button>
        </div>
      </div>

      <div className="card stack">
        <h2>Recent deliveries</h2>
        {deliveries.isLoading && <div className="skeleton" style={{ height: 40 }} role="status" aria-label="Loading deliveries" />}
        {deliveries.isError && <FormAlert>Could not load your deliveries.</FormAlert>}
        {deliveries.data && deliveries.data.length === 0 && <p className="muted small">Nothing sent yet.</p>}
        {deliveries.data && deliveries.data.length > 0 && (
          <DataTable
            className="deliveries-table cards"
            caption="Recent deliveries, newest first"
            columns={["When", "Channel", "What", "Status", "Tries"]}
          >
            {deliveries.data.map((d) => (
              <tr key={d.id}>
                <td data-label="When">{formatTime(d.createdAt)}</td>
                <td data-label="Channel">
                  {d.channelId ? (names.get(d.channelId) ?? "Removed webhook") : d.kind === "push" ? "Browser" : "E-mail"}
                </td>
                <td data-label="What">{d.alertId ? "Alert" : "Test"}</td>
                <td data-label="Status">
                  <span
                    className={`badge delivery-${d.status}${d.status === "failed" ? " failed" : d.status === "delivered" ? " live" : ""}`}
                  >
                    {STATUS_LABELS[d.status]}
                  </span>
                  {d.lastError && d.status !== "delivered" && <div className="muted small">{d.lastError}</div>}
                </td>
                <td data-label="Tries" className="num">
                  {d.attempts}
                </td>
                <td className="r muted small">{d.deliveredAt ? `Delivered ${timeAgo(d.deliveredAt)}` : ""}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </div>
    </section>
  );
}

function WebhookRow(props: {
  channel: NotificationChannel;
  onTest: () => void;
  onRemove: () => void;
  testing: boolean;
  removing: boolean;
}) {
  const c = props.channel;
  return (
    <tr>
      <td data-label="Name">{c.name}</td>
      <td data-label="Address" className="break">
        {c.target}
      </td>
      <td data-label="Format">{c.format ? FORMAT_LABELS[c.format] : ""}</td>
      <td data-label="Status">
        {c.enabled ? <span className="badge live">On</span> : <span className="badge failed">Off</span>}
        {c.disabledReason && <div className="muted small">{c.disabledReason}</div>}
      </td>
      <td className="r">
        <div className="row">
          <button
            type="button"
            className="btn btn-sm"
            onClick={props.onTest}
            disabled={props.testing || !c.enabled}
            aria-label={`Test ${c.name}`}
          >
            {props.testing ? "Sending…" : "Test"}
          </button>
          <button
            type="button"
            className="btn btn-sm btn-danger"
            onClick={props.onRemove}
            disabled={props.removing}
            aria-label={`Remove ${c.name}`}
          >
            {props.removing ? "Removing…" : "Remove"}
          </button>
        </div>
      </td>
    </tr>
  );
}

function AddWebhookForm({ onAdded }: { onAdded: () => void }) {
  const trpc = useTRPC();
  const id = useId();
  const [url, setUrl] = useState("");
  const [name, setName] = useState("");
  const [format, setFormat] = useState<(typeof WEBHOOK_FORMATS)[number]>("json");
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const add = useMutation(
    trpc.notifications.addWebhook.mutationOptions({
      onSuccess: (r) => {
        setSecret(r.secret);
        setCopied(false);
        setUrl("");
        setName("");
        onAdded();
      },
    }),
  );
  const errors = fieldErrors(add.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ url: url.trim(), format, ...(name.trim() ? { name: name.trim() } : {}) });
  };
  return (
    <>
      <form className="stack webhook-form" onSubmit={submit} aria-label="Add a webhook" noValidate>
        <div className="form-grid">
          <Field
            label="URL"
            type="url"
            inputMode="url"
            placeholder="https://example.com/ucie-hook"
            value={url}
            maxLength={WEBHOOK_URL_MAX_LENGTH}
            required
            onChange={(e) => setUrl(e.target.value)}
            error={errors.url}
          />
          <div className="field">
            <label htmlFor={`${id}-format`}>Format</label>
            <select id={`${id}-format`} value={format} onChange={(e) => setFormat(e.target.value as (typeof WEBHOOK_FORMATS)[number])}>
              {WEBHOOK_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABELS[f]}
                </option>
              ))}
            </select>
          </div>
          <Field
            label="Name (optional)"
            value={name}
            maxLength={CHANNEL_NAME_MAX_LENGTH}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
          />
        </div>
        <MutationError error={add.error} />
        <div>
          <SubmitButton pending={add.isPending} pendingLabel="Adding…">
            Add webhook
          </SubmitButton>
        </div>
      </form>
      {secret && (
        <div className="form-success stack" role="status">
          <p>
            Webhook added. Its signing secret is shown <strong>only now</strong>: keep it where your receiver can check signatures.
          </p>
          <div className="row">
            <code className="secret" aria-label="Signing secret">
              {secret}
            </code>
            <button
              type="button"
              className="btn btn-sm"
              onClick={() =>
                void navigator.clipboard?.writeText(secret).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" className="btn btn-sm" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </div>
      )}
    </>
  );
}

function PushCard({ onChange, onTest, testing }: { onChange: () => void; onTest: () => void; testing: boolean }) {
  const trpc = useTRPC();
  const supported = pushSupported();
  const [endpoint, setEndpoint] = useState<string | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const key = useQuery({ ...trpc.notifications.pushPublicKey.queryOptions(), enabled: supported, staleTime: Infinity });
  const subscribe = useMutation(trpc.notifications.subscribePush.mutationOptions());
  const unsubscribe = useMutation(trpc.notifications.unsubscribePush.mutationOptions());
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!supported) return;
    void currentSubscription().then(
      (s) => setEndpoint(s?.endpoint ?? null),
      () => setEndpoint(null),
    );
  }, [supported]);

  const turnOn = async () => {
    if (!key.data) return;
    setBusy(true);
    setProblem(null);
    try {
      const sub = await subscribeThisBrowser(key.data.publicKey);
      await subscribe.mutateAsync(sub);
      setEndpoint(sub.endpoint);
      onChange();
    } catch (err) {
      setProblem(err instanceof Error ? err.message : "Could not turn on notifications in this browser.");
    } finally {
      setBusy(false);
    }
  };
  const turnOff = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const sub = await currentSubscription();
      if (sub) {
        await unsubscribe.mutateAsync({ endpoint: sub.endpoint });
        await sub.unsubscribe();
      }
      setEndpoint(null);
      onChange();
    } catch (err) {
      setProblem(err instanceof Error ? err.message : "Could not turn off notifications in this browser.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card stack">
      <div className="section-header">
        <div>
          <h2>Browser notifications</h2>
          <p className="muted small">
            {supported
              ? "Alerts reach this browser (and phone) even when no UCIE tab is open. Turn it on in each browser you use."
              : "This browser cannot receive push notifications."}
          </p>
        </div>
        {supported && (
          <div className="row">
            {endpoint ? (
              <>
                <span className="badge live">On in this browser</span>
                <button type="button" className="btn btn-sm" onClick={onTest} disabled={testing || busy}>
                  {testing ? "Sending…" : "Send a test"}
                </button>
                <button type="button" className="btn btn-sm" onClick={() => void turnOff()} disabled={busy}>
                  Turn off
                </button>
              </>
            ) : (
              <button
                type="button"
                className="btn btn-sm btn-primary"
                onClick={() => void turnOn()}
                disabled={busy || !key.data || endpoint === undefined}
              >
                {busy ? "Turning on…" : "Turn on in this browser"}
              </button>
            )}
          </div>
        )}
      </div>
      {problem && <FormAlert>{problem}</FormAlert>}
    </div>
  );
}
