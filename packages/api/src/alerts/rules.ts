/**
 * What an alert is: the per-type input rules (one zod discriminated union, so a price alert without a
 * threshold or an RSI of 120 is a BAD_REQUEST naming the field), the words that describe a rule, the
 * re-arm margins (hysteresis) and the state a user sees. Client-safe (zod and types only): the web's
 * create form validates with these same schemas through `@ucie/api/schemas`.
 */
import { z } from "zod";
import type { AlertType } from "@ucie/db";

import {
  ALERT_LIMITS,
  DEFAULT_COOLDOWN_SECONDS,
  MAX_ALERTS_PER_USER,
  MAX_COOLDOWN_SECONDS,
  MAX_WEBHOOKS_PER_USER,
  MIN_COOLDOWN_SECONDS,
} from "../limits";

export { ALERT_LIMITS, DEFAULT_COOLDOWN_SECONDS, MAX_ALERTS_PER_USER, MAX_COOLDOWN_SECONDS, MIN_COOLDOWN_SECONDS };

/**
 * Hysteresis: after firing, a repeating alert re-arms only once the value has moved back past its line by
 * this margin, so a price wobbling around the line does not fire all day. Shared with the SQL evaluator.
 */
export const REARM_MARGIN = {
  /** price types: 0.5 % of the threshold price */
  priceFraction: 0.005,
  /** percent_change: percentage points */
  percentPoints: 0.5,
  /** RSI points */
  rsiPoints: 2,
  /** volume_spike: multiples of the average */
  volumeMultiple: 0.25,
  /** Fear and Greed index points */
  sentimentPoints: 2,
} as const;

/**
 * Where market-wide alerts (`sentiment_change`: the Fear & Greed index) are filed: a reserved coin id no
 * CoinGecko coin uses, so `coin_id` and `symbol` stay NOT NULL and every query keeps working; shown as "Market".
 */
export const MARKET = { coinId: "market", symbol: "MARKET", name: "Market" } as const;

export const RSI_PERIOD = 14;
/** volume_spike compares the rolling 24 h volume with the mean daily volume of this many previous days */
export const VOLUME_AVERAGE_DAYS = 30;

const direction = z.enum(["up", "down", "any"], { error: "Choose up, down or any" });
const finite = (what: string) => z.number({ error: `Enter ${what}` }).finite(`Enter ${what}`);
const price = finite("a threshold price")
  .positive("The threshold price must be above zero")
  .max(ALERT_LIMITS.priceMax, "That price is too large");
const rsiLevel = finite("an RSI level")
  .min(ALERT_LIMITS.rsi.min, "RSI runs from 0 to 100")
  .max(ALERT_LIMITS.rsi.max, "RSI runs from 0 to 100");

/**
 * A date the database can store: Postgres timestamps stop at 4713 BC and, as written by the driver
 * (toISOString), at the year 9999, while JavaScript dates run to ±275760; an alert date outside this
 * range is a typing slip.
 */
const alertDate = z.coerce
  .date({ error: "Enter a valid date" })
  .min(new Date("2000-01-01T00:00:00Z"), "Enter a date after the year 2000")
  .max(new Date("9999-12-31T23:59:59.999Z"), "Enter a date before the year 10000");

const common = {
  /**
   * required by every type but the market-wide `sentiment_change` (the Fear & Greed index belongs to no
   * coin); checked by createAlert and the preview, since an optional field in only one member of the union
   * defeats TypeScript's narrowing of callers' inputs
   */
  symbol: z.string().trim().min(1, "Choose a coin").max(100).optional(),
  expiresAt: alertDate.nullish(),
  repeat: z.enum(["once", "repeat"], { error: "Choose once or repeat" }).optional(),
  cooldownSeconds: z
    .number({ error: "Enter a cooldown in seconds" })
    .int("Enter whole seconds")
    .min(MIN_COOLDOWN_SECONDS, `The cooldown is at least ${MIN_COOLDOWN_SECONDS} seconds`)
    .max(MAX_COOLDOWN_SECONDS, "The cooldown is at most 30 days")
    .optional(),
  snoozedUntil: alertDate.nullish(),
  /** also send an e-mail each time it fires */
  email: z.boolean().optional(),
  /** where it goes besides the app: webhook ids, `push`, `email`; null or absent: every channel of the account */
  channels: z
    .array(z.string().regex(/^(email|push|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, "Not a channel id"))
    .max(MAX_WEBHOOKS_PER_USER + 2, "Too many channels")
    .nullish(),
};

/**
 * The per-type rules over a set of common fields: the alert itself (`alertInput`) and its preview
 * (`alertPreviewInput`: the same rule, no coin needed for a market-wide type, and how many days to replay).
 */
function ruleUnion<C extends typeof common>(c: C) {
  return z.discriminatedUnion(
    "type",
    [
      z.strictObject({ ...c, type: z.literal("price_above"), threshold: price, condition: z.strictObject({}).optional() }),
      z.strictObject({ ...c, type: z.literal("price_below"), threshold: price, condition: z.strictObject({}).optional() }),
      z.strictObject({
        ...c,
        type: z.literal("price_cross"),
        threshold: price,
        condition: z.strictObject({ direction }, { error: "Choose the direction of the cross" }),
      }),
      z.strictObject({
        ...c,
        type: z.literal("percent_change"),
        threshold: finite("a percentage").positive("The change must be above 0 %").max(ALERT_LIMITS.percentChangeMax, "At most 10,000 %"),
        condition: z.strictObject(
          { window: z.enum(["1h", "24h"], { error: "Choose the 1 h or 24 h window" }), direction: direction.default("any") },
          { error: "Choose the window" },
        ),
      }),
      z.strictObject({ ...c, type: z.literal("rsi_above"), threshold: rsiLevel, condition: z.strictObject({}).optional() }),
      z.strictObject({ ...c, type: z.literal("rsi_below"), threshold: rsiLevel, condition: z.strictObject({}).optional() }),
      z.strictObject({
        ...c,
        type: z.literal("volume_spike"),
        threshold: z.undefined({ error: "volume_spike takes condition.multiplier, not a threshold" }).optional(),
        condition: z.strictObject(
          {
            multiplier: finite("a multiple of the average volume")
              .min(ALERT_LIMITS.volumeMultiple.min, "The multiple is at least 1.1×")
              .max(ALERT_LIMITS.volumeMultiple.max, "The multiple is at most 100×"),
          },
          { error: "Enter the volume multiple" },
        ),
      }),
      z.strictObject({
        ...c,
        type: z.literal("sentiment_change"),
        threshold: z.undefined({ error: "sentiment_change takes condition.points, not a threshold" }).optional(),
        condition: z.strictObject(
          {
            points: z
              .number({ error: "Enter the number of points" })
              .int("Enter whole points")
              .min(ALERT_LIMITS.sentimentPoints.min, "At least 1 point")
              .max(ALERT_LIMITS.sentimentPoints.max, "The index runs from 0 to 100"),
            direction: direction.default("any"),
            window: z.enum(["24h", "7d"], { error: "Choose 24 h or 7 days" }).default("24h"),
          },
          { error: "Enter the number of points" },
        ),
      }),
    ],
    { error: (iss) => (iss.input === undefined ? "Choose an alert type" : `Unknown alert type`) },
  );
}

export const alertInput = ruleUnion(common);

/** how far back a preview may replay: two years of daily history */
export const PREVIEW_MAX_DAYS = 730;
export const alertPreviewInput = ruleUnion({
  ...common,
  days: z
    .number({ error: "Enter a number of days" })
    .int("Enter whole days")
    .min(7, "Preview at least 7 days")
    .max(PREVIEW_MAX_DAYS, `Preview at most ${PREVIEW_MAX_DAYS} days`)
    .default(365),
});
export type AlertPreviewInput = z.infer<typeof alertPreviewInput>;

export type AlertInput = z.infer<typeof alertInput>;

/** What the evaluator reads: `threshold_value` is the line, `condition_details` the rest. */
export function toStoredRule(input: AlertInput): { thresholdValue: number; conditionDetails: Record<string, unknown> } {
  const email = input.email ? { email: true } : {};
  switch (input.type) {
    case "volume_spike":
      return { thresholdValue: input.condition.multiplier, conditionDetails: { ...input.condition, ...email } };
    case "sentiment_change":
      return { thresholdValue: input.condition.points, conditionDetails: { ...input.condition, ...email } };
    default:
      return { thresholdValue: input.threshold, conditionDetails: { ...(input.condition ?? {}), ...email } };
  }
}

/** The stored rule back in input form (for an update merging a few changed fields). */
export function fromStoredRule(type: AlertType, thresholdValue: number | null, details: Record<string, unknown>) {
  const { email, ...condition } = details;
  if (type === "volume_spike" || type === "sentiment_change") return { threshold: undefined, condition, email: email === true };
  const empty = Object.keys(condition).length === 0;
  return { threshold: thresholdValue ?? undefined, condition: empty ? undefined : condition, email: email === true };
}

export const usd = (n: number) => `$${n.toLocaleString("en-US", { maximumFractionDigits: n >= 1000 ? 0 : n >= 1 ? 2 : 8 })}`;
const dirWords = { up: "up", down: "down", any: "up or down" } as const;

/** The rule in words, windows included ("over a rolling 24 h"); `money` writes a USD price (the user's currency: preferences' moneyText). */
export function describeRule(
  type: AlertType,
  symbol: string,
  threshold: number | null,
  c: Record<string, unknown>,
  money: (usdAmount: number) => string = usd,
): string {
  const t = threshold ?? 0;
  const dir = (c.direction as keyof typeof dirWords | undefined) ?? "any";
  switch (type) {
    case "price_above":
      return `${symbol} price at or above ${money(t)}`;
    case "price_below":
      return `${symbol} price at or below ${money(t)}`;
    case "price_cross":
      return `${symbol} price crosses ${money(t)} ${dir === "up" ? "upward" : dir === "down" ? "downward" : "in either direction"}`;
    case "percent_change":
      return `${symbol} moves ${dirWords[dir]} ${t} % or more over a rolling ${c.window === "1h" ? "1 h" : "24 h"}`;
    case "rsi_above":
      return `${symbol} RSI (${RSI_PERIOD} days) at or above ${t}`;
    case "rsi_below":
      return `${symbol} RSI (${RSI_PERIOD} days) at or below ${t}`;
    case "volume_spike":
      return `${symbol} volume over a rolling 24 h at least ${t}× its ${VOLUME_AVERAGE_DAYS}-day daily average`;
    case "sentiment_change":
      return `Fear & Greed index moves ${dirWords[dir]} ${t} points or more within ${c.window === "7d" ? "7 days" : "24 h"}`;
  }
}

/**
 * A fired value with its unit and, unless live, where it came from: "$32,797 (snapshot 2021-06-24)",
 * "RSI 71.2 (simulated)". Every message about a firing (e-mail, webhook, toast, recent list) uses it, so
 * an offline price is never shown as if it were live.
 */
export function valueLabel(
  type: AlertType,
  value: number,
  source: string | null | undefined,
  asOf?: string | Date | null,
  money: (usdAmount: number) => string = usd,
): string {
  const unit = valueUnit(type);
  const v =
    unit === "usd"
      ? money(value)
      : unit === "percent"
        ? `${value > 0 ? "+" : ""}${value.toFixed(2)} %`
        : unit === "rsi"
          ? `RSI ${value.toFixed(1)}`
          : unit === "multiple"
            ? `${value.toFixed(2)}× average volume`
            : `${value > 0 ? "+" : ""}${value} points`;
  if (!source || source === "live") return v;
  const day = asOf ? new Date(asOf) : null;
  return `${v} (${source}${day && Number.isFinite(day.getTime()) ? ` ${day.toISOString().slice(0, 10)}` : ""})`;
}

/** The value an alert compares with its line, in words (for the list and the toast). */
export function valueUnit(type: AlertType): "usd" | "percent" | "rsi" | "multiple" | "points" {
  if (type === "price_above" || type === "price_below" || type === "price_cross") return "usd";
  if (type === "percent_change") return "percent";
  if (type === "rsi_above" || type === "rsi_below") return "rsi";
  if (type === "volume_spike") return "multiple";
  return "points";
}

export type AlertState = "armed" | "rearming" | "cooling_down" | "snoozed" | "disabled" | "done" | "expired";

export interface StateInput {
  enabled: boolean;
  triggered: boolean;
  triggeredAt: Date | null;
  repeatMode: "once" | "repeat";
  cooldownSeconds: number;
  snoozedUntil: Date | null;
  expiresAt: Date | null;
  armed: boolean;
}

/**
 * armed -> triggered -> done (once: disabled) or cooling down (repeat), then waiting to re-arm until the
 * value has moved back past the line by the margin.
 */
export function alertState(a: StateInput, now: Date): { state: AlertState; cooldownUntil: Date | null } {
  const cooldownUntil = a.repeatMode === "repeat" && a.triggeredAt ? new Date(a.triggeredAt.getTime() + a.cooldownSeconds * 1000) : null;
  const cooling = cooldownUntil && cooldownUntil > now ? cooldownUntil : null;
  if (a.expiresAt && a.expiresAt <= now) return { state: "expired", cooldownUntil: null };
  if (!a.enabled) return { state: a.repeatMode === "once" && a.triggered ? "done" : "disabled", cooldownUntil: null };
  if (a.snoozedUntil && a.snoozedUntil > now) return { state: "snoozed", cooldownUntil: cooling };
  if (cooling) return { state: "cooling_down", cooldownUntil: cooling };
  if (!a.armed) return { state: "rearming", cooldownUntil: null };
  return { state: "armed", cooldownUntil: null };
}

/** A change to an existing alert; the merged result is checked against `alertInput` (alerts.ts). */
export const alertPatch = z.strictObject({
  id: z.uuid({ error: "Not an alert id" }),
  enabled: z.boolean().optional(),
  threshold: z.number({ error: "Enter a number" }).finite().optional(),
  condition: z.record(z.string().max(50), z.unknown()).optional(),
  expiresAt: z.coerce.date({ error: "Enter a valid date" }).nullish(),
  repeat: z.enum(["once", "repeat"], { error: "Choose once or repeat" }).optional(),
  cooldownSeconds: z.number({ error: "Enter a cooldown in seconds" }).int().optional(),
  snoozedUntil: z.coerce.date({ error: "Enter a valid date" }).nullish(),
  email: z.boolean().optional(),
  /** where it goes besides the app: webhook ids, `push`, `email`; null or absent: every channel of the account */
  channels: z
    .array(z.string().regex(/^(email|push|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, "Not a channel id"))
    .max(MAX_WEBHOOKS_PER_USER + 2, "Too many channels")
    .nullish(),
});
export type AlertPatch = z.infer<typeof alertPatch>;
