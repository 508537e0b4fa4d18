import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type InputHTMLAttributes } from "react";
import { ALERT_LIMITS, MAX_ALERTS_PER_USER } from "@ucie/api/limits";
import type { RouterInputs } from "@ucie/api";
import { useSearchParams } from "react-router";
import { CoinLogo } from "../../components/CoinLogo";
import { TokenSearch } from "../../components/TokenSearch";
import { fieldErrors, issueErrors, useTRPC } from "../../lib/trpc";
import { displaySettings, formatPrice, formatUsd, fromDisplay } from "../../lib/format";
import { ALERT_TYPES, COOLDOWNS, type AlertType } from "./choices";

type Coin = { id: string; symbol: string; name: string; logo: string | null; priceUsd: number | null };

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The create form: its fields follow the alert type; the coin comes from `?symbol=` or the picker. */
export function CreateAlertForm({ count }: { count: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [params] = useSearchParams();
  const preset = params.get("symbol");
  const presetCoin = useQuery({ ...trpc.tokens.get.queryOptions({ symbol: preset ?? "" }), enabled: !!preset });
  // undefined until the user picks or clears a coin: until then it is the `?symbol=` preset
  const [picked, setCoin] = useState<Coin | null | undefined>(undefined);
  const coin: Coin | null = picked === undefined ? (presetCoin.data ?? null) : picked;

  // `?type=&threshold=` prefill the rule (the screener's "create an alert from this row")
  const presetType = ALERT_TYPES.find((t) => t.value === params.get("type"))?.value;
  const presetThreshold = params.get("threshold");
  const [type, setType] = useState<AlertType>(presetType ?? "price_above");
  const [threshold, setThreshold] = useState(presetThreshold && Number.isFinite(Number(presetThreshold)) ? presetThreshold : "");
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
  const currencyCode = displaySettings().currency.toUpperCase();
  const isForeign = currencyCode !== "USD";

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

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setCreated(null);
    if (!coin) {
      setErrors({ symbol: "Choose a coin" });
      setFormError("Please correct the highlighted fields.");
      return;
    }
    const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
    // a price typed in the user's currency is stored in USD, converted once, here
    const priceLine = (s: string) => (isForeign ? fromDisplay(num(s)) : num(s));
    const base = {
      symbol: coin.id,
      repeat,
      ...(repeat === "repeat" ? { cooldownSeconds: cooldown } : {}),
      ...(expires ? { expiresAt: new Date(expires) } : {}),
      ...(email ? { email: true } : {}),
    };
    const input = ((): RouterInputs["alerts"]["create"] => {
      switch (type) {
        case "price_above":
        case "price_below":
          return { ...base, type, threshold: priceLine(threshold) };
        case "rsi_above":
        case "rsi_below":
          return { ...base, type, threshold: num(threshold) };
        case "price_cross":
          return { ...base, type, threshold: priceLine(threshold), condition: { direction } };
        case "percent_change":
          return { ...base, type, threshold: num(threshold), condition: { window: pctWindow, direction } };
        case "volume_spike":
          return { ...base, type, condition: { multiplier: num(multiplier) } };
        case "sentiment_change":
          return { ...base, type, condition: { points: num(points), direction, window: sentimentWindow } };
      }
    })();
    // the server's own schema, loaded on first use (zod stays out of the main bundle): the same messages, at once
    const { alertInput } = await import("@ucie/api/schemas");
    const checked = alertInput.safeParse(input);
    if (!checked.success) {
      setErrors(issueErrors(checked.error.issues));
      setFormError("Please correct the highlighted fields.");
      return;
    }
    create.mutate(input);
  };

  const err = (name: string) => errors[name];
  const fieldError = (name: string) =>
    err(name) ? (
      <span id={`${id}-${name}-err`} className="error">
        {err(name)}
      </span>
    ) : null;
  const isPrice = type === "price_above" || type === "price_below" || type === "price_cross";
  const thresholdLabel =
    type === "percent_change"
      ? "Change (%)"
      : type === "rsi_above" || type === "rsi_below"
        ? "RSI level (0 to 100)"
        : `Price (${currencyCode})`;
  const typed = Number(threshold);
  const storedNote =
    isPrice && isForeign && threshold.trim() !== "" && Number.isFinite(typed) && typed > 0
      ? ` ≈ ${formatUsd(fromDisplay(typed))} stored (alerts keep US dollars).`
      : "";
  const thresholdHint =
    type === "percent_change"
      ? `Over a rolling ${pctWindow === "1h" ? "1 h" : "24 h"}.`
      : type === "rsi_above" || type === "rsi_below"
        ? "14-day RSI from daily closes; 70 and above is often read as overbought, 30 and below as oversold."
        : coin?.priceUsd != null
          ? `Now ${formatPrice(coin.priceUsd)}.${storedNote}`
          : storedNote || undefined;
  const needsThreshold = type !== "volume_spike" && type !== "sentiment_change";
  const hasDirection = type === "price_cross" || type === "percent_change" || type === "sentiment_change";

  return (
    <form className="card alert-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>New alert</h2>
      {count >= MAX_ALERTS_PER_USER && (
        <p className="form-error">You have {MAX_ALERTS_PER_USER} alerts, the most allowed. Delete one to add another.</p>
      )}
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
          {preset && presetCoin.isError && !coin && (
            <span className="error">No coin “{preset}” in the catalogue: search for it instead.</span>
          )}
          {fieldError("symbol")}
        </div>

        <div className="field">
          <label htmlFor={`${id}-type`}>When</label>
          <select id={`${id}-type`} value={type} onChange={(e) => (setType(e.target.value as AlertType), setErrors({}))}>
            {ALERT_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
          {fieldError("type")}
        </div>

        {needsThreshold && (
          <InputField
            id={`${id}-threshold`}
            label={thresholdLabel}
            hint={thresholdHint}
            error={err("threshold")}
            type="number"
            inputMode="decimal"
            step="any"
            min={0}
            max={
              type === "rsi_above" || type === "rsi_below"
                ? ALERT_LIMITS.rsi.max
                : type === "percent_change"
                  ? ALERT_LIMITS.percentChangeMax
                  : ALERT_LIMITS.priceMax
            }
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            required
          />
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
          <InputField
            id={`${id}-multiplier`}
            label="Times the average volume"
            hint="Volume over a rolling 24 h against the daily average of the previous 30 days."
            error={err("condition")}
            type="number"
            inputMode="decimal"
            step="0.1"
            min={ALERT_LIMITS.volumeMultiple.min}
            max={ALERT_LIMITS.volumeMultiple.max}
            value={multiplier}
            onChange={(e) => setMultiplier(e.target.value)}
          />
        )}

        {type === "sentiment_change" && (
          <>
            <InputField
              id={`${id}-points`}
              label="Points (index runs 0 to 100)"
              hint="The Crypto Fear & Greed index is market-wide."
              error={err("condition")}
              type="number"
              inputMode="numeric"
              step="1"
              min={ALERT_LIMITS.sentimentPoints.min}
              max={ALERT_LIMITS.sentimentPoints.max}
              value={points}
              onChange={(e) => setPoints(e.target.value)}
            />
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
            <input type="radio" name={`${id}-repeat`} checked={repeat === "once"} onChange={() => setRepeat("once")} /> Once, then switch
            off
          </label>
          <label className="radio">
            <input type="radio" name={`${id}-repeat`} checked={repeat === "repeat"} onChange={() => setRepeat("repeat")} /> Every time, at
            most once per{" "}
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

        <InputField
          id={`${id}-expires`}
          label="Expires (optional)"
          hint={`In your time zone (${zone}).`}
          error={err("expiresAt")}
          type="datetime-local"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
        />

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
        <button type="submit" className="btn btn-primary" disabled={create.isPending || count >= MAX_ALERTS_PER_USER}>
          {create.isPending ? "Creating…" : "Create alert"}
        </button>
      </div>
    </form>
  );
}

/** A labelled input with its hint, then its server error, both read out with it. */
function InputField({
  id,
  label,
  hint,
  error,
  ...input
}: { id: string; label: string; hint?: string; error?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, "id">) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-err` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
        {...input}
      />
      {hint && (
        <span id={hintId} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} className="error">
          {error}
        </span>
      )}
    </div>
  );
}
