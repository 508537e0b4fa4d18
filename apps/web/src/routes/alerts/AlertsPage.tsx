import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@ucie/api";
import { useEffect, useId, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { CoinLogo } from "../../components/CoinLogo";
import { TokenSearch } from "../../components/TokenSearch";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { formatPrice } from "../home/format";

type Alert = inferRouterOutputs<AppRouter>["alerts"]["list"][number];
type AlertType = Alert["type"];
type Coin = { id: string; symbol: string; name: string; logo: string | null; priceUsd: number | null };

const TYPES: { value: AlertType; label: string }[] = [
  { value: "price_above", label: "Price at or above" },
  { value: "price_below", label: "Price at or below" },
  { value: "price_cross", label: "Price crosses a level" },
  { value: "percent_change", label: "Price moves by a percentage" },
  { value: "rsi_above", label: "RSI at or above (overbought)" },
  { value: "rsi_below", label: "RSI at or below (oversold)" },
  { value: "volume_spike", label: "Volume spike" },
  { value: "sentiment_change", label: "Fear & Greed index moves" },
];

const COOLDOWNS = [
  { seconds: 300, label: "5 minutes" },
  { seconds: 900, label: "15 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 14_400, label: "4 hours" },
  { seconds: 86_400, label: "1 day" },
];

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
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
            Checked on the server every minute, even when this page is closed. Times are shown in your time zone ({zone}).
          </p>
        </div>
      </div>
      <CreateAlertForm count={list.data?.length ?? 0} />
      <section aria-labelledby="your-alerts" className="alerts-list">
        <h2 id="your-alerts">Your alerts</h2>
        {list.isPending ? (
          <div className="table-wrap" aria-busy="true" aria-label="Loading your alerts">
            {Array.from({ length: 3 }, (_, i) => (
              <div key={i} className="skeleton wl-skeleton-row" />
            ))}
          </div>
        ) : list.isError ? (
          <div className="card error-state" role="alert">
            <h3>Your alerts could not be loaded</h3>
            <p className="muted">{list.error.message}</p>
            <button type="button" className="btn" onClick={() => void list.refetch()}>
              Try again
            </button>
          </div>
        ) : list.data.length === 0 ? (
          <div className="card empty">
            <h3>No alerts yet</h3>
            <p>Choose a coin and a rule above. You will get a notification here, on any device you are logged in on.</p>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="data alerts-table">
              <caption className="visually-hidden">Your alerts</caption>
              <thead>
                <tr>
                  <th scope="col">Coin</th>
                  <th scope="col">Rule</th>
                  <th scope="col">State</th>
                  <th scope="col">Last fired</th>
                  <th scope="col">On</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((a) => (
                  <AlertRow key={a.id} alert={a} />
                ))}
              </tbody>
            </table>
          </div>
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
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
  const toggle = useMutation(
    trpc.alerts.update.mutationOptions({ onSuccess: () => (setError(null), void refresh()), onError: (e) => setError(e.message) }),
  );
  const remove = useMutation(trpc.alerts.delete.mutationOptions({ onSuccess: () => void refresh(), onError: (e) => setError(e.message) }));
  const s = stateText(a);
  return (
    <tr>
      <td data-label="Coin">
        <Link to={`/token/${encodeURIComponent(a.coinId)}`} className="wl-coin">
          <CoinLogo src={a.logo} symbol={a.symbol} />
          <span className="wl-name">{a.symbol}</span>
        </Link>
      </td>
      <td data-label="Rule" className="al-rule">
        {a.description}
        <div className="muted small">
          {a.repeat === "once" ? "Once" : `Repeats, at most every ${cooldownWords(a.cooldownSeconds)}`}
          {a.expiresAt && a.state !== "expired" ? ` · until ${fmt(a.expiresAt)}` : ""}
          {a.email ? " · e-mail" : ""}
        </div>
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
            aria-label={`${a.enabled ? "Turn off" : "Turn on"}: ${a.description}`}
          />
          <span aria-hidden="true" className="switch-track" />
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
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setConfirming(true)} aria-label={`Delete alert: ${a.description}`}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

function cooldownWords(seconds: number): string {
  return COOLDOWNS.find((c) => c.seconds === seconds)?.label ?? (seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`);
}

/** The create form: its fields follow the alert type; the coin comes from `?symbol=` or the picker. */
function CreateAlertForm({ count }: { count: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [params] = useSearchParams();
  const preset = params.get("symbol");
  const presetCoin = useQuery({ ...trpc.tokens.get.queryOptions({ symbol: preset ?? "" }), enabled: !!preset });
  const [coin, setCoin] = useState<Coin | null>(null);
  useEffect(() => {
    if (presetCoin.data && !coin) setCoin(presetCoin.data);
  }, [presetCoin.data, coin]);

  const [type, setType] = useState<AlertType>("price_above");
  const [threshold, setThreshold] = useState("");
  const [direction, setDirection] = useState<"up" | "down" | "any">("any");
  const [pctWindow, setPctWindow] = useState<"1h" | "24h">("24h");
  const [sentimentWindow, setSentimentWindow] = useState<"24h" | "7d">("24h");
  const [multiplier, setMultiplier] = useState("3");
  const [points, setPoints] = useState("10");
  const [repeat, setRepeat] = useState<"once" | "repeat">("once");
  const [cooldown, setCooldown] = useState(3600);
  const [expires, setExpires] = useState("");
  const [email, setEmail] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ description: string; warnings: string[] } | null>(null);

  const create = useMutation(
    trpc.alerts.create.mutationOptions({
      onSuccess: (a) => {
        setCreated({ description: a.description, warnings: a.warnings });
        setErrors({});
        setFormError(null);
        setThreshold("");
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
      },
      onError: (err) => {
        const fe = fieldErrors(err);
        setErrors(fe);
        setFormError(Object.keys(fe).length ? "Please correct the highlighted fields." : err.message);
        setCreated(null);
      },
    }),
  );

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setCreated(null);
    if (!coin) {
      setErrors({ symbol: "Choose a coin" });
      setFormError("Please correct the highlighted fields.");
      return;
    }
    const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
    const base = {
      symbol: coin.id,
      repeat,
      ...(repeat === "repeat" ? { cooldownSeconds: cooldown } : {}),
      ...(expires ? { expiresAt: new Date(expires) } : {}),
      ...(email ? { email: true } : {}),
    };
    switch (type) {
      case "price_above":
      case "price_below":
      case "rsi_above":
      case "rsi_below":
        return create.mutate({ ...base, type, threshold: num(threshold) });
      case "price_cross":
        return create.mutate({ ...base, type, threshold: num(threshold), condition: { direction } });
      case "percent_change":
        return create.mutate({ ...base, type, threshold: num(threshold), condition: { window: pctWindow, direction } });
      case "volume_spike":
        return create.mutate({ ...base, type, condition: { multiplier: num(multiplier) } });
      case "sentiment_change":
        return create.mutate({ ...base, type, condition: { points: num(points), direction, window: sentimentWindow } });
    }
  };

  const err = (name: string) => errors[name];
  const described = (name: string, hint?: boolean) =>
    [hint ? `${id}-${name}-hint` : null, err(name) ? `${id}-${name}-err` : null].filter(Boolean).join(" ") || undefined;
  const fieldError = (name: string) =>
    err(name) ? (
      <span id={`${id}-${name}-err`} className="error">
        {err(name)}
      </span>
    ) : null;
  const thresholdLabel =
    type === "percent_change" ? "Change (%)" : type === "rsi_above" || type === "rsi_below" ? "RSI level (0 to 100)" : "Price (USD)";
  const thresholdHint =
    type === "percent_change"
      ? `Over a rolling ${pctWindow === "1h" ? "1 h" : "24 h"}.`
      : type === "rsi_above" || type === "rsi_below"
        ? "14-day RSI from daily closes; 70 and above is often read as overbought, 30 and below as oversold."
        : coin?.priceUsd != null
          ? `Now ${formatPrice(coin.priceUsd)}.`
          : undefined;
  const needsThreshold = type !== "volume_spike" && type !== "sentiment_change";
  const hasDirection = type === "price_cross" || type === "percent_change" || type === "sentiment_change";

  return (
    <form className="card alert-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>New alert</h2>
      {count >= 100 && <p className="form-error">You have 100 alerts, the most allowed. Delete one to add another.</p>}
      <div className="alert-form-grid">
        <div className="field al-coin">
          <span className="label" id={`${id}-coin-label`}>
            Coin
          </span>
          {coin ? (
            <div className="row selected-coin" aria-labelledby={`${id}-coin-label`}>
              <CoinLogo src={coin.logo} symbol={coin.symbol} />
              <strong>{coin.name}</strong>
              <span className="muted">{coin.symbol}</span>
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setCoin(null)}>
                Change
              </button>
            </div>
          ) : preset && presetCoin.isPending ? (
            <span className="muted">Loading {preset}…</span>
          ) : (
            <TokenSearch label="Coin for the alert" placeholder="Search by name or ticker" onSelect={(hit) => setCoin(hit)} />
          )}
          {preset && presetCoin.isError && !coin && <span className="error">No coin “{preset}” in the catalogue: search for it instead.</span>}
          {fieldError("symbol")}
        </div>

        <div className="field">
          <label htmlFor={`${id}-type`}>When</label>
          <select id={`${id}-type`} value={type} onChange={(e) => (setType(e.target.value as AlertType), setErrors({}))}>
            {TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
          {fieldError("type")}
        </div>

        {needsThreshold && (
          <div className="field">
            <label htmlFor={`${id}-threshold`}>{thresholdLabel}</label>
            <input
              id={`${id}-threshold`}
              type="number"
              inputMode="decimal"
              step="any"
              min={0}
              max={type === "rsi_above" || type === "rsi_below" ? 100 : undefined}
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
              aria-invalid={err("threshold") ? true : undefined}
              aria-describedby={described("threshold", !!thresholdHint)}
              required
            />
            {thresholdHint && (
              <span id={`${id}-threshold-hint`} className="hint">
                {thresholdHint}
              </span>
            )}
            {fieldError("threshold")}
          </div>
        )}

        {type === "percent_change" && (
          <div className="field">
            <label htmlFor={`${id}-window`}>Window</label>
            <select id={`${id}-window`} value={pctWindow} onChange={(e) => setPctWindow(e.target.value as "1h" | "24h")}>
              <option value="1h">Rolling 1 h</option>
              <option value="24h">Rolling 24 h</option>
            </select>
          </div>
        )}

        {type === "volume_spike" && (
          <div className="field">
            <label htmlFor={`${id}-multiplier`}>Times the average volume</label>
            <input
              id={`${id}-multiplier`}
              type="number"
              inputMode="decimal"
              step="0.1"
              min={1.1}
              max={100}
              value={multiplier}
              onChange={(e) => setMultiplier(e.target.value)}
              aria-invalid={err("condition") ? true : undefined}
              aria-describedby={described("condition", true)}
            />
            <span id={`${id}-condition-hint`} className="hint">
              Volume over a rolling 24 h against the daily average of the previous 30 days.
            </span>
            {fieldError("condition")}
          </div>
        )}

        {type === "sentiment_change" && (
          <>
            <div className="field">
              <label htmlFor={`${id}-points`}>Points (index runs 0 to 100)</label>
              <input
                id={`${id}-points`}
                type="number"
                inputMode="numeric"
                step="1"
                min={1}
                max={100}
                value={points}
                onChange={(e) => setPoints(e.target.value)}
                aria-invalid={err("condition") ? true : undefined}
                aria-describedby={described("condition", true)}
              />
              <span id={`${id}-condition-hint`} className="hint">
                The Crypto Fear &amp; Greed index is market-wide.
              </span>
              {fieldError("condition")}
            </div>
            <div className="field">
              <label htmlFor={`${id}-swindow`}>Within</label>
              <select id={`${id}-swindow`} value={sentimentWindow} onChange={(e) => setSentimentWindow(e.target.value as "24h" | "7d")}>
                <option value="24h">24 h (since the previous reading)</option>
                <option value="7d">7 days</option>
              </select>
            </div>
          </>
        )}

        {hasDirection && (
          <div className="field">
            <label htmlFor={`${id}-direction`}>Direction</label>
            <select id={`${id}-direction`} value={direction} onChange={(e) => setDirection(e.target.value as "up" | "down" | "any")}>
              <option value="any">Up or down</option>
              <option value="up">{type === "price_cross" ? "Upward (from below)" : "Up"}</option>
              <option value="down">{type === "price_cross" ? "Downward (from above)" : "Down"}</option>
            </select>
          </div>
        )}

        <fieldset className="field al-repeat">
          <legend>Repeat</legend>
          <label className="radio">
            <input type="radio" name={`${id}-repeat`} checked={repeat === "once"} onChange={() => setRepeat("once")} /> Once, then switch off
          </label>
          <label className="radio">
            <input type="radio" name={`${id}-repeat`} checked={repeat === "repeat"} onChange={() => setRepeat("repeat")} /> Every time, at most
            once per{" "}
            <select
              aria-label="Cooldown between two notifications"
              value={cooldown}
              onChange={(e) => setCooldown(Number(e.target.value))}
              disabled={repeat !== "repeat"}
            >
              {COOLDOWNS.map((c) => (
                <option key={c.seconds} value={c.seconds}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <span className="hint">A repeating alert fires again only after the value has moved back past the line by a small margin.</span>
          {fieldError("cooldownSeconds")}
        </fieldset>

        <div className="field">
          <label htmlFor={`${id}-expires`}>Expires (optional)</label>
          <input
            id={`${id}-expires`}
            type="datetime-local"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            aria-invalid={err("expiresAt") ? true : undefined}
            aria-describedby={described("expiresAt", true)}
          />
          <span id={`${id}-expiresAt-hint`} className="hint">
            In your time zone ({zone}).
          </span>
          {fieldError("expiresAt")}
        </div>

        <label className="checkbox al-email">
          <input type="checkbox" checked={email} onChange={(e) => setEmail(e.target.checked)} /> Also send me an e-mail when it fires
        </label>
      </div>

      <div role="status" aria-live="polite">
        {created && (
          <div className={created.warnings.length ? "form-warning" : "form-success"}>
            <p>Alert created: {created.description}.</p>
            {created.warnings.map((w) => (
              <p key={w}>{w}</p>
            ))}
          </div>
        )}
      </div>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={create.isPending || count >= 100}>
          {create.isPending ? "Creating…" : "Create alert"}
        </button>
      </div>
    </form>
  );
}
