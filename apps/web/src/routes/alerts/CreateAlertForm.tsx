import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useId, useState, type InputHTMLAttributes } from "react";
import { ALERT_LIMITS, MAX_ALERTS_PER_USER } from "@ucie/api/limits";
import type { RouterInputs } from "@ucie/api";
import { useSearchParams } from "react-router";
import { CoinLogo } from "../../components/CoinLogo";
import { TokenSearch } from "../../components/TokenSearch";
import { fieldErrors, issueErrors, useTRPC } from "../../lib/trpc";
import { displaySettings, formatPrice, formatUsd, fromDisplay } from "../../lib/format";
import { ALERT_TYPES, COOLDOWNS, type AlertType } from "./choices";

type Coin = { id: string; symbol: string; name: string; logo: string | null; priceUsd: number | null };
type CreateInput = RouterInputs["alerts"]["create"];
type Schemas = typeof import("@ucie/api/schemas");

// lightweight-charts only once a preview has something to draw
const PreviewChart = lazy(() => import("../../components/charts/PreviewChart"));

/** the server's own schemas, loaded on first use (zod stays out of the main bundle) */
let schemas: Promise<Schemas> | null = null;
const loadSchemas = () => (schemas ??= import("@ucie/api/schemas"));

/** `value` once it has stopped changing for `ms` */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

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
  /** the form (as JSON) the shown errors were found in: they stay until the user changes it */
  const [errorsFor, setErrorsFor] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ description: string; warnings: string[] } | null>(null);

  const marketWide = type === "sentiment_change";
  const currencyCode = displaySettings().currency.toUpperCase();
  const isForeign = currencyCode !== "USD";
  const num = (v: string) => (v.trim() === "" ? Number.NaN : Number(v));
  // a price typed in the user's currency is stored in USD, converted once, here
  const priceLine = (v: string) => (isForeign ? fromDisplay(num(v)) : num(v));
  /** the form as the server's input (null: no coin chosen yet for a coin alert) */
  const buildInput = (): CreateInput | null => {
    if (!coin && !marketWide) return null;
    const base = {
      ...(marketWide || !coin ? {} : { symbol: coin.id }),
      repeat,
      ...(repeat === "repeat" ? { cooldownSeconds: cooldown } : {}),
      ...(expires ? { expiresAt: new Date(expires) } : {}),
      ...(email ? { email: true } : {}),
    };
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
  };
  const input = buildInput();
  const inputKey = JSON.stringify(input);

  const create = useMutation(
    trpc.alerts.create.mutationOptions({
      onSuccess: (a, sent) => {
        setCreated({ description: a.description, warnings: a.warnings });
        setErrors({});
        setFormError(null);
        const sentThreshold = "threshold" in sent && sent.threshold !== undefined ? String(sent.threshold) : "";
        // a save that answers late must not blank a value the user has typed since: clear only what was sent
        setThreshold((current) => (num(current) === num(sentThreshold) ? "" : current));
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
      },
      onError: (err, sent) => {
        const fe = fieldErrors(err);
        setErrors(fe);
        setErrorsFor(JSON.stringify(sent));
        setFormError(Object.keys(fe).length ? "Please correct the highlighted fields." : err.message);
        setCreated(null);
      },
    }),
  );

  // an error shown beside a field goes as soon as its value is valid (the same schema, re-checked on each
  // edit); keyed by the input's JSON, as the input object is new on every render (dates come back as
  // strings, which the schema's coerced dates accept)
  const shownErrors = Object.keys(errors).join(",");
  useEffect(() => {
    // the server may refuse what the schema accepts ("too far from the price"): re-check only once the user edits
    if (!shownErrors || inputKey === errorsFor) return;
    let live = true;
    const current: unknown = JSON.parse(inputKey);
    void loadSchemas().then(({ alertInput }) => {
      if (!live) return;
      const parsed = current ? alertInput.safeParse(current) : null;
      const now: Record<string, string> = parsed && !parsed.success ? issueErrors(parsed.error.issues) : {};
      if (!current) now.symbol = "Choose a coin";
      setErrors((prev) => {
        const kept = Object.fromEntries(Object.keys(prev).flatMap((k) => (now[k] ? [[k, now[k]]] : [])));
        return Object.keys(kept).length === Object.keys(prev).length && Object.keys(prev).every((k) => prev[k] === kept[k]) ? prev : kept;
      });
      if (Object.keys(now).every((k) => !shownErrors.split(",").includes(k))) setFormError(null);
    });
    return () => {
      live = false;
    };
  }, [inputKey, shownErrors, errorsFor]);

  // the preview: the rule replayed over a year of daily history, once the form has stopped changing
  const previewKey = useDebounced(inputKey, 400);
  const [checkedPreview, setCheckedPreview] = useState<{ key: string; rule: CreateInput | null } | null>(null);
  useEffect(() => {
    let live = true;
    const current: unknown = JSON.parse(previewKey);
    void loadSchemas().then(({ alertInput }) => {
      if (!live) return;
      const parsed = current ? alertInput.safeParse(current) : null;
      if (!parsed?.success) return setCheckedPreview({ key: previewKey, rule: null });
      const { expiresAt: _e, email: _m, ...rule } = parsed.data;
      setCheckedPreview({ key: previewKey, rule });
    });
    return () => {
      live = false;
    };
  }, [previewKey]);
  const previewable = checkedPreview?.key === previewKey ? checkedPreview.rule : null;
  const preview = useQuery({
    ...trpc.alerts.preview.queryOptions(previewable ?? { type: "price_above", threshold: 1 }),
    enabled: !!previewable,
    staleTime: 5 * 60_000,
  });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setCreated(null);
    if (!input) {
      setErrors({ symbol: "Choose a coin" });
      setFormError("Please correct the highlighted fields.");
      return;
    }
    // the server's own schema: the same messages, at once
    const { alertInput } = await loadSchemas();
    const checked = alertInput.safeParse(input);
    if (!checked.success) {
      setErrors(issueErrors(checked.error.issues));
      setErrorsFor(inputKey);
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
  const thresholdLabel =
    type === "percent_change"
      ? "Change (%)"
      : type === "rsi_above" || type === "rsi_below"
        ? "RSI level (0 to 100)"
        : `Price (${currencyCode})`;
  const typed = Number(threshold);
  const isPrice = type === "price_above" || type === "price_below" || type === "price_cross";
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
          : undefined;
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
          {marketWide ? (
            <div className="row selected-coin" aria-labelledby={`${id}-coin-label`}>
              <strong>Market</strong>
              <span className="muted">The Fear &amp; Greed index belongs to no coin.</span>
            </div>
          ) : coin ? (
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
          {preset && presetCoin.isError && !coin && !marketWide && (
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

      <section className="alert-preview" aria-labelledby={`${id}-preview-title`}>
        <h3 id={`${id}-preview-title`} className="small">
          Before you save
        </h3>
        <div aria-live="polite" data-testid="alert-preview">
          {!previewable ? (
            <p className="muted small">Fill in the rule to see how often it would have fired over the last year.</p>
          ) : preview.isPending || inputKey !== previewKey ? (
            <p className="muted small">Replaying the last year…</p>
          ) : preview.isError ? (
            <p className="muted small">No preview: {preview.error.message}</p>
          ) : preview.data.unavailable ? (
            <p className="muted small">{preview.data.unavailable}</p>
          ) : (
            <p>
              Would have fired <strong>{preview.data.count === 1 ? "once" : `${preview.data.count} times`}</strong> in the last{" "}
              {preview.data.days === 365 ? "year" : `${preview.data.days} days`}
              {preview.data.source && preview.data.source !== "live" ? (
                <span className="muted small"> (on {preview.data.source} history, not live prices)</span>
              ) : null}
              .
            </p>
          )}
        </div>
        {previewable && preview.data && !preview.data.unavailable && preview.data.series.length > 0 && (
          <Suspense fallback={<div className="preview-chart" />}>
            <PreviewChart
              series={preview.data.series}
              firings={preview.data.firings}
              // the line of the rule that was replayed, not of what is being typed meanwhile
              line={
                previewable && previewable.type !== "percent_change" && "threshold" in previewable ? (previewable.threshold ?? null) : null
              }
              label={`Daily values over the last ${preview.data.days} days; ${preview.data.count} firings marked`}
            />
          </Suspense>
        )}
      </section>

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
