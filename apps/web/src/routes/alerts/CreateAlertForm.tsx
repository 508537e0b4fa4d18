/**
 * The create-alert form. Why these libraries: react-hook-form keeps each field's value and error in one
 * maintained state machine (errors re-checked on every edit once the form was submitted, so an error goes as
 * soon as its value is valid; a server error set with `setError` stays until that field is edited), and
 * @hookform/resolvers' zodResolver checks the form against the server's own `alertInput` schema
 * (`@ucie/api/schemas`), so every limit and message exists once. zod is loaded with the first check, not with
 * the page.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { zodResolver } from "@hookform/resolvers/zod";
import { lazy, Suspense, useEffect, useId, useState, type ComponentProps } from "react";
import { Controller, useForm, useWatch, type FieldPath, type Resolver } from "react-hook-form";
import { ALERT_LIMITS, MAX_ALERTS_PER_USER } from "@ucie/api/limits";
import type { AlertInput } from "@ucie/api/schemas";
import { useSearchParams } from "react-router";
import { CoinLogo } from "../../components/CoinLogo";
import { TokenSearch } from "../../components/TokenSearch";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { displaySettings, formatPrice, formatUsd, fromDisplay } from "../../lib/format";
import { ChannelPicker, channelsInput, type ChannelChoice } from "./ChannelPicker";
import { ALERT_TYPES, COOLDOWNS, type AlertType } from "./choices";

type Coin = { id: string; symbol: string; name: string; logo: string | null; priceUsd: number | null };
type Direction = "up" | "down" | "any";

/**
 * What the inputs hold (text as typed). Names follow the server's input (`threshold`, `condition.multiplier`,
 * `expiresAt`, ...) so the schema's errors land on the field they name.
 */
export interface AlertFormValues {
  /** the coin's id; empty until one is chosen (market-wide alerts have none) */
  symbol: string;
  type: AlertType;
  threshold: string;
  condition: {
    direction: Direction;
    /** percent_change's rolling window */
    window: "1h" | "24h";
    /** sentiment_change's window */
    within: "24h" | "7d";
    multiplier: string;
    points: string;
  };
  repeat: "once" | "repeat";
  cooldownSeconds: string;
  expiresAt: string;
  channels: ChannelChoice;
}

// lightweight-charts only once a preview has something to draw
const PreviewChart = lazy(() => import("../../components/charts/PreviewChart"));

const num = (v: string | undefined) => (v === undefined || v.trim() === "" ? Number.NaN : Number(v));
const isPriceType = (t: AlertType) => t === "price_above" || t === "price_below" || t === "price_cross";

/** The form as the server's input. A price typed in the user's currency is stored in USD, converted once, here. */
export function toAlertInput(v: AlertFormValues) {
  const foreign = displaySettings().currency !== "usd";
  const price = (s: string) => (foreign ? fromDisplay(num(s)) : num(s));
  const base = {
    ...(v.type !== "sentiment_change" && v.symbol ? { symbol: v.symbol } : {}),
    repeat: v.repeat,
    ...(v.repeat === "repeat" ? { cooldownSeconds: Number(v.cooldownSeconds || 3600) } : {}),
    ...(v.expiresAt ? { expiresAt: new Date(v.expiresAt) } : {}),
    ...channelsInput(v.channels),
  };
  const c = v.condition;
  switch (v.type) {
    case "price_above":
    case "price_below":
      return { ...base, type: v.type, threshold: price(v.threshold) };
    case "rsi_above":
    case "rsi_below":
      return { ...base, type: v.type, threshold: num(v.threshold) };
    case "price_cross":
      return { ...base, type: v.type, threshold: price(v.threshold), condition: { direction: c.direction } };
    case "percent_change":
      return { ...base, type: v.type, threshold: num(v.threshold), condition: { window: c.window, direction: c.direction } };
    case "volume_spike":
      return { ...base, type: v.type, condition: { multiplier: num(c.multiplier) } };
    case "sentiment_change":
      return { ...base, type: v.type, condition: { points: num(c.points), direction: c.direction, window: c.within } };
  }
}

/** the server's own schema behind the form's values, loaded on first use (zod stays out of the page's bundle) */
async function buildFormSchema() {
  const [{ z }, { alertInput }] = await Promise.all([import("zod"), import("@ucie/api/schemas")]);
  return z.preprocess((v: AlertFormValues) => toAlertInput(v), alertInput);
}
let formSchema: ReturnType<typeof buildFormSchema> | null = null;
const loadFormSchema = () => (formSchema ??= buildFormSchema());

const needsCoin = (v: Pick<AlertFormValues, "type" | "symbol">) => v.type !== "sentiment_change" && !v.symbol;

/** zodResolver over the server's schema, plus the one rule the schema leaves to the server: a coin alert needs its coin */
const resolver: Resolver<AlertFormValues, unknown, AlertInput> = async (values, context, options) => {
  const checked = await zodResolver(await loadFormSchema())(values, context, options);
  if (!needsCoin(values)) return checked;
  return { values: {}, errors: { ...checked.errors, symbol: { type: "required", message: "Choose a coin" } } };
};

/** The field a server error key names (keys are the input's top-level fields). */
function fieldOf(key: string, type: AlertType): FieldPath<AlertFormValues> | null {
  switch (key) {
    case "symbol":
    case "type":
    case "threshold":
    case "cooldownSeconds":
    case "expiresAt":
    case "channels":
      return key;
    case "condition":
      return type === "volume_spike" ? "condition.multiplier" : type === "sentiment_change" ? "condition.points" : null;
    default:
      return null;
  }
}

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
  const channels = useQuery(trpc.notifications.channels.queryOptions());
  // undefined until the user picks or clears a coin: until then it is the `?symbol=` preset
  const [picked, setCoin] = useState<Coin | null | undefined>(undefined);
  const coin: Coin | null = picked === undefined ? (presetCoin.data ?? null) : picked;
  const [created, setCreated] = useState<{ description: string; warnings: string[] } | null>(null);

  // `?type=&threshold=` prefill the rule (the screener's "create an alert from this row")
  const presetType = ALERT_TYPES.find((t) => t.value === params.get("type"))?.value;
  const presetThreshold = params.get("threshold");
  const { register, control, handleSubmit, setValue, setError, clearErrors, getValues, getFieldState, formState } = useForm<
    AlertFormValues,
    unknown,
    AlertInput
  >({
    resolver,
    // checked on submit, then again on every edit: an error goes as soon as its value is valid
    mode: "onSubmit",
    reValidateMode: "onChange",
    defaultValues: {
      symbol: "",
      type: presetType ?? "price_above",
      threshold: presetThreshold && Number.isFinite(Number(presetThreshold)) ? presetThreshold : "",
      condition: { direction: "any", window: "24h", within: "24h", multiplier: "3", points: "10" },
      repeat: "once",
      cooldownSeconds: "3600",
      expiresAt: "",
      channels: null,
    },
  });
  const { errors, submitCount } = formState;

  // the chosen coin is the form's `symbol`; choosing one clears "Choose a coin" at once
  const coinId = coin?.id ?? "";
  useEffect(() => {
    if (getValues("symbol") !== coinId) setValue("symbol", coinId, { shouldValidate: getFieldState("symbol").invalid });
  }, [coinId, getValues, setValue, getFieldState]);

  const create = useMutation(trpc.alerts.create.mutationOptions());
  const onValid = (input: AlertInput) => {
    setCreated(null);
    // what was sent, as typed: a late answer compares it with what the inputs hold by then
    const sent = getValues();
    create.mutate(input, {
      onSuccess: (a) => {
        setCreated({ description: a.description, warnings: a.warnings });
        // a save that answers late must not blank a value the user has typed since: clear only what was sent
        if (getValues("threshold") === sent.threshold) setValue("threshold", "");
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
      },
      onError: (err) => {
        const now = getValues();
        let placed = false;
        for (const [key, message] of Object.entries(fieldErrors(err))) {
          const field = fieldOf(key, sent.type);
          // an error about a value the user has changed since would sit beside a value it is not about
          if (!field || JSON.stringify(valueAt(now, field)) !== JSON.stringify(valueAt(sent, field))) continue;
          // stays beside its field until that field is edited (the next check of it replaces it)
          setError(field, { type: "server", message });
          placed = true;
        }
        if (!placed) setError("root.server", { type: "server", message: err.message });
      },
    });
  };

  const values = useWatch({ control });
  const type = values.type ?? "price_above";
  const threshold = values.threshold ?? "";
  const repeat = values.repeat ?? "once";
  const inputKey = JSON.stringify(values);

  // the preview: the rule replayed over a year of daily history, once the form has stopped changing
  const previewKey = useDebounced(inputKey, 400);
  const [checkedPreview, setCheckedPreview] = useState<{ key: string; rule: AlertInput | null } | null>(null);
  useEffect(() => {
    let live = true;
    const current: unknown = JSON.parse(previewKey);
    void loadFormSchema().then((schema) => {
      if (!live) return;
      const parsed = schema.safeParse(current);
      if (!parsed.success || (parsed.data.type !== "sentiment_change" && !parsed.data.symbol))
        return setCheckedPreview({ key: previewKey, rule: null });
      const { expiresAt: _e, email: _m, channels: _c, ...rule } = parsed.data;
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

  const marketWide = type === "sentiment_change";
  const currencyCode = displaySettings().currency.toUpperCase();
  const isForeign = currencyCode !== "USD";
  const fieldErrorCount = Object.keys(errors).filter((k) => k !== "root").length;
  const formError =
    submitCount > 0 && fieldErrorCount > 0 ? "Please correct the highlighted fields." : (errors.root?.server?.message ?? null);

  const fieldError = (name: string, message: string | undefined) =>
    message ? (
      <span id={`${id}-${name}-err`} className="error">
        {message}
      </span>
    ) : null;
  const thresholdLabel =
    type === "percent_change"
      ? "Change (%)"
      : type === "rsi_above" || type === "rsi_below"
        ? "RSI level (0 to 100)"
        : `Price (${currencyCode})`;
  const typed = Number(threshold);
  const storedNote =
    isPriceType(type) && isForeign && threshold.trim() !== "" && Number.isFinite(typed) && typed > 0
      ? ` ≈ ${formatUsd(fromDisplay(typed))} stored (alerts keep US dollars).`
      : "";
  const thresholdHint =
    type === "percent_change"
      ? `Over a rolling ${values.condition?.window === "1h" ? "1 h" : "24 h"}.`
      : type === "rsi_above" || type === "rsi_below"
        ? "14-day RSI from daily closes; 70 and above is often read as overbought, 30 and below as oversold."
        : coin?.priceUsd != null
          ? `Now ${formatPrice(coin.priceUsd)}.${storedNote}`
          : undefined;
  const needsThreshold = type !== "volume_spike" && type !== "sentiment_change";
  const hasDirection = type === "price_cross" || type === "percent_change" || type === "sentiment_change";

  return (
    <form className="card alert-form" onSubmit={(e) => void handleSubmit(onValid)(e)} noValidate aria-labelledby={`${id}-title`}>
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
          {!marketWide && fieldError("symbol", errors.symbol?.message)}
        </div>

        <div className="field">
          <label htmlFor={`${id}-type`}>When</label>
          {/* another type asks other questions: the errors about the previous one go */}
          <select id={`${id}-type`} {...register("type", { onChange: () => clearErrors() })}>
            {ALERT_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
          {fieldError("type", errors.type?.message)}
        </div>

        {needsThreshold && (
          <InputField
            id={`${id}-threshold`}
            label={thresholdLabel}
            hint={thresholdHint}
            error={errors.threshold?.message}
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
            required
            {...register("threshold")}
          />
        )}

        {type === "percent_change" && (
          <div className="field">
            <label htmlFor={`${id}-window`}>Window</label>
            <select id={`${id}-window`} {...register("condition.window")}>
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
            error={errors.condition?.multiplier?.message}
            type="number"
            inputMode="decimal"
            step="0.1"
            min={ALERT_LIMITS.volumeMultiple.min}
            max={ALERT_LIMITS.volumeMultiple.max}
            {...register("condition.multiplier")}
          />
        )}

        {type === "sentiment_change" && (
          <>
            <InputField
              id={`${id}-points`}
              label="Points (index runs 0 to 100)"
              hint="The Crypto Fear & Greed index is market-wide."
              error={errors.condition?.points?.message}
              type="number"
              inputMode="numeric"
              step="1"
              min={ALERT_LIMITS.sentimentPoints.min}
              max={ALERT_LIMITS.sentimentPoints.max}
              {...register("condition.points")}
            />
            <div className="field">
              <label htmlFor={`${id}-swindow`}>Within</label>
              <select id={`${id}-swindow`} {...register("condition.within")}>
                <option value="24h">24 h (since the previous reading)</option>
                <option value="7d">7 days</option>
              </select>
            </div>
          </>
        )}

        {hasDirection && (
          <div className="field">
            <label htmlFor={`${id}-direction`}>Direction</label>
            <select id={`${id}-direction`} {...register("condition.direction")}>
              <option value="any">Up or down</option>
              <option value="up">{type === "price_cross" ? "Upward (from below)" : "Up"}</option>
              <option value="down">{type === "price_cross" ? "Downward (from above)" : "Down"}</option>
            </select>
          </div>
        )}

        <fieldset className="field al-repeat">
          <legend>Repeat</legend>
          <label className="radio">
            <input type="radio" value="once" {...register("repeat")} /> Once, then switch off
          </label>
          <label className="radio">
            <input type="radio" value="repeat" {...register("repeat")} /> Every time, at most once per{" "}
            <select aria-label="Cooldown between two notifications" disabled={repeat !== "repeat"} {...register("cooldownSeconds")}>
              {COOLDOWNS.map((c) => (
                <option key={c.seconds} value={String(c.seconds)}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <span className="hint">A repeating alert fires again only after the value has moved back past the line by a small margin.</span>
          {fieldError("cooldownSeconds", errors.cooldownSeconds?.message)}
        </fieldset>

        <InputField
          id={`${id}-expires`}
          label="Expires (optional)"
          hint={`In your time zone (${zone}).`}
          error={errors.expiresAt?.message}
          type="datetime-local"
          {...register("expiresAt")}
        />

        <Controller
          control={control}
          name="channels"
          render={({ field, fieldState }) => (
            <ChannelPicker
              idPrefix={id}
              channels={channels}
              value={field.value}
              onChange={field.onChange}
              error={fieldState.error?.message}
            />
          )}
        />
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
              line={previewable.type !== "percent_change" && "threshold" in previewable ? (previewable.threshold ?? null) : null}
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

/** A form value by its field path ("condition.points") */
function valueAt(v: AlertFormValues, path: FieldPath<AlertFormValues>): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" && k in o ? Reflect.get(o, k) : undefined), v);
}

/** A labelled input with its hint, then its error, both read out with it. */
function InputField({
  id,
  label,
  hint,
  error,
  ...input
}: { id: string; label: string; hint?: string; error?: string } & Omit<ComponentProps<"input">, "id">) {
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
