/**
 * A user's alerts: create (validated per type, capped per user, with warnings when the rule is already
 * true or can never be), list with state, update, delete, and the recent firings. Every statement filters
 * by `user_id` itself; expected failures are values, the router turns them into tRPC errors.
 */
import { and, count, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { z } from "zod";
import {
  notificationChannels,
  ucieAlertCoinSamples,
  ucieAlerts,
  ucieAlertTriggers,
  ucieTokens,
  users,
  type AlertType,
  type Db,
  type DbOrTx,
} from "@ucie/db";
import type { Services } from "../services";
import { resolveCoin, type TokenRow } from "../market/resolve";
import { withTimeout } from "../lib/timeouts";
import { logoPathSql } from "../market/logos";
import { coinMetrics, sentimentMoves } from "./metrics";
import {
  alertInput,
  alertState,
  DEFAULT_COOLDOWN_SECONDS,
  describeRule,
  fromStoredRule,
  MAX_ALERTS_PER_USER,
  toStoredRule,
  valueUnit,
  type AlertInput,
  type AlertPatch,
  type AlertState,
} from "./rules";

export interface AlertView {
  id: string;
  /** the coin's CoinGecko id and ticker */
  coinId: string;
  symbol: string;
  name: string;
  logo: string | null;
  type: AlertType;
  threshold: number | null;
  condition: Record<string, unknown>;
  /** the rule in words, windows included */
  description: string;
  unit: ReturnType<typeof valueUnit>;
  enabled: boolean;
  repeat: "once" | "repeat";
  cooldownSeconds: number;
  snoozedUntil: Date | null;
  expiresAt: Date | null;
  email: boolean;
  /** the channels it goes to besides the app (webhook ids, `push`, `email`); null: every channel of the account */
  channels: string[] | null;
  createdAt: Date;
  triggered: boolean;
  triggeredAt: Date | null;
  triggerCount: number;
  lastCheckedAt: Date | null;
  /** the value at the last state change (for a price type: the price) */
  lastValue: number | null;
  armed: boolean;
  state: AlertState;
  cooldownUntil: Date | null;
  /** the coin's price now, from the catalogue */
  priceUsd: number | null;
}

export interface TriggerView {
  seq: number;
  alertId: string;
  symbol: string;
  type: AlertType;
  value: number | null;
  description: string;
  triggeredAt: Date;
}

export type AlertFailure =
  { error: "not_found"; message: string } | { error: "limit"; message: string } | { error: "invalid"; issues: z.ZodError };

function invalid(path: string, message: string, input: unknown): AlertFailure {
  return { error: "invalid", issues: new z.ZodError([{ code: "custom", path: [path], message, input }]) };
}

function viewQuery(db: DbOrTx) {
  return db
    .select({
      alert: ucieAlerts,
      name: ucieTokens.name,
      tokenSymbol: ucieTokens.symbol,
      logo: logoPathSql,
      priceUsd: sql<number | null>`CASE WHEN ${ucieTokens.isActive} THEN ${ucieTokens.currentPriceUsd} END`,
      coinCheckedAt: ucieAlertCoinSamples.checkedAt,
    })
    .from(ucieAlerts)
    .leftJoin(ucieTokens, eq(ucieTokens.coingeckoId, ucieAlerts.coinId))
    .leftJoin(ucieAlertCoinSamples, eq(ucieAlertCoinSamples.coinId, ucieAlerts.coinId));
}

type ViewRow = Awaited<ReturnType<ReturnType<typeof viewQuery>["execute"]>>[number];

function toView(r: ViewRow, now: Date): AlertView {
  const a = r.alert;
  const rule = fromStoredRule(a.alertType, a.thresholdValue, a.conditionDetails);
  // the evaluator writes an alert only when its state changes; its coin's sample says when it was checked
  const coinChecked = a.enabled && r.coinCheckedAt && r.coinCheckedAt >= a.createdAt ? r.coinCheckedAt : null;
  const lastCheckedAt =
    a.lastCheckedAt && coinChecked ? (a.lastCheckedAt > coinChecked ? a.lastCheckedAt : coinChecked) : (a.lastCheckedAt ?? coinChecked);
  const { state, cooldownUntil } = alertState(a, now);
  return {
    id: a.id,
    coinId: a.coinId,
    symbol: r.tokenSymbol ?? a.symbol,
    name: r.name ?? a.symbol,
    logo: r.logo,
    type: a.alertType,
    threshold: rule.threshold ?? null,
    condition: rule.condition ?? {},
    description: describeRule(a.alertType, r.tokenSymbol ?? a.symbol, a.thresholdValue, a.conditionDetails),
    unit: valueUnit(a.alertType),
    enabled: a.enabled,
    repeat: a.repeatMode,
    cooldownSeconds: a.cooldownSeconds,
    snoozedUntil: a.snoozedUntil,
    expiresAt: a.expiresAt,
    email: rule.email,
    channels: a.channels,
    createdAt: a.createdAt,
    triggered: a.triggered,
    triggeredAt: a.triggeredAt,
    triggerCount: a.triggerCount,
    lastCheckedAt,
    lastValue: a.lastValue,
    armed: a.armed,
    state,
    cooldownUntil,
    priceUsd: r.priceUsd === null ? null : Number(r.priceUsd),
  };
}

export async function listAlerts(db: DbOrTx, userId: string, now: Date): Promise<AlertView[]> {
  const rows = await viewQuery(db).where(eq(ucieAlerts.userId, userId)).orderBy(desc(ucieAlerts.createdAt), ucieAlerts.id);
  return rows.map((r) => toView(r, now));
}

async function getAlert(db: DbOrTx, userId: string, id: string, now: Date): Promise<AlertView | null> {
  const [row] = await viewQuery(db).where(and(eq(ucieAlerts.userId, userId), eq(ucieAlerts.id, id)));
  return row ? toView(row, now) : null;
}

const usd = (n: number) => `$${n.toLocaleString("en-US", { maximumFractionDigits: n >= 1000 ? 0 : n >= 1 ? 2 : 8 })}`;

/** Why this rule is already true, or can never be: shown to the user when they save it. */
async function warningsFor(services: Services, input: AlertInput, coin: TokenRow): Promise<string[]> {
  const w: string[] = [];
  const sym = coin.symbol;
  const price = coin.isActive ? coin.currentPriceUsd : null;
  const fires = "it fires at the next check";
  if (input.expiresAt && input.snoozedUntil && input.snoozedUntil >= input.expiresAt) {
    w.push("It is snoozed until after it expires, so it can never fire.");
  }
  if (input.type !== "sentiment_change" && price === null) {
    w.push(`${sym} is delisted or not priced at the moment: this alert cannot fire until it is priced again.`);
  }
  switch (input.type) {
    case "price_above":
      if (price !== null && price >= input.threshold)
        w.push(`${sym} is already at or above ${usd(input.threshold)} (${usd(price)} now): ${fires}.`);
      break;
    case "price_below":
      if (price !== null && price <= input.threshold)
        w.push(`${sym} is already at or below ${usd(input.threshold)} (${usd(price)} now): ${fires}.`);
      break;
    case "price_cross": {
      const d = input.condition.direction;
      if (price !== null && d === "up" && price >= input.threshold)
        w.push(
          `${sym} is already above ${usd(input.threshold)} (${usd(price)} now): it fires only after falling below and rising through it again.`,
        );
      if (price !== null && d === "down" && price <= input.threshold)
        w.push(
          `${sym} is already below ${usd(input.threshold)} (${usd(price)} now): it fires only after rising above and falling through it again.`,
        );
      break;
    }
    case "percent_change": {
      const { window, direction } = input.condition;
      if (direction === "down" && input.threshold >= 100) w.push("A price cannot fall by 100 % or more: this alert can never fire.");
      const change = coin.isActive ? (window === "1h" ? coin.priceChangePct1h : coin.priceChangePct24h) : null;
      if (change !== null) {
        const holds =
          direction === "up"
            ? change >= input.threshold
            : direction === "down"
              ? -change >= input.threshold
              : Math.abs(change) >= input.threshold;
        if (holds)
          w.push(`${sym} has already moved ${change.toFixed(2)} % over the rolling ${window === "1h" ? "1 h" : "24 h"}: ${fires}.`);
      }
      break;
    }
    case "rsi_above":
    case "rsi_below": {
      const never = input.type === "rsi_above" ? input.threshold >= 100 : input.threshold <= 0;
      if (never) {
        w.push(
          `RSI reaches ${input.threshold} only if the price did not ${input.type === "rsi_above" ? "fall" : "rise"} once in 14 days: this alert will practically never fire.`,
        );
        break;
      }
      const [m] = await orFallback(
        coinMetrics(services, [{ coinId: coin.coingeckoId, price, volume: null, needRsi: true, needVolume: false }]),
        [],
      );
      const rsi = m?.rsi ?? null;
      if (rsi !== null && (input.type === "rsi_above" ? rsi >= input.threshold : rsi <= input.threshold))
        w.push(`${sym}'s RSI is already ${rsi.toFixed(1)}: ${fires}.`);
      break;
    }
    case "volume_spike": {
      const [tok] = await services.db
        .select({ v: ucieTokens.totalVolumeUsd })
        .from(ucieTokens)
        .where(eq(ucieTokens.coingeckoId, coin.coingeckoId));
      const [m] = await orFallback(
        coinMetrics(services, [{ coinId: coin.coingeckoId, price, volume: tok?.v ?? null, needRsi: false, needVolume: true }]),
        [],
      );
      const ratio = m?.volume_ratio ?? null;
      if (ratio !== null && ratio >= input.condition.multiplier)
        w.push(`${sym}'s 24 h volume is already ${ratio.toFixed(2)}× its average: ${fires}.`);
      break;
    }
    case "sentiment_change": {
      const moves = await orFallback(sentimentMoves(services), null);
      const move = moves ? (input.condition.window === "7d" ? moves.change7d : moves.change24h) : null;
      const { points, direction } = input.condition;
      if (move !== null) {
        const holds = direction === "up" ? move >= points : direction === "down" ? -move >= points : Math.abs(move) >= points;
        if (holds) w.push(`The Fear & Greed index has already moved ${move > 0 ? "+" : ""}${move} points: ${fires}.`);
      }
      break;
    }
  }
  return w;
}

/** Warnings are a courtesy: never let a slow or failing upstream hold up saving an alert. */
function orFallback<T>(p: Promise<T>, fallback: T, ms = 3000): Promise<T> {
  return withTimeout(p, ms).catch(() => fallback);
}

/** A channel id in the list that is not one of the user's: an invalid field, never another user's webhook. */
async function unknownChannel(tx: DbOrTx, userId: string, channels: string[] | null | undefined): Promise<AlertFailure | null> {
  const hooks = (channels ?? []).filter((c) => c !== "email" && c !== "push").map((c) => c.toLowerCase());
  if (!hooks.length) return null;
  const mine = await tx
    .select({ id: notificationChannels.id })
    .from(notificationChannels)
    .where(and(eq(notificationChannels.userId, userId), inArray(notificationChannels.id, hooks)));
  const known = new Set(mine.map((m) => m.id));
  const missing = hooks.find((h) => !known.has(h));
  return missing ? invalid("channels", `No channel ${missing}`, channels) : null;
}

export async function createAlert(
  services: Services,
  userId: string,
  input: AlertInput,
): Promise<{ alert: AlertView; warnings: string[] } | AlertFailure> {
  const now = services.clock.now();
  if (input.expiresAt && input.expiresAt <= now) return invalid("expiresAt", "The expiry must be in the future", input.expiresAt);
  const created = await services.db.transaction(async (tx): Promise<AlertFailure | { id: string; coin: TokenRow }> => {
    // one create at a time per user, so the cap holds under concurrent requests
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    const [n] = await tx.select({ n: count() }).from(ucieAlerts).where(eq(ucieAlerts.userId, userId));
    if ((n?.n ?? 0) >= MAX_ALERTS_PER_USER)
      return { error: "limit", message: `You have ${MAX_ALERTS_PER_USER} alerts, the most allowed: delete one first.` } as const;
    const coin = await resolveCoin(tx, input.symbol);
    if (!coin) return { error: "not_found", message: `No coin '${input.symbol}' in the catalogue` } as const;
    const rule = toStoredRule(input);
    const unknown = await unknownChannel(tx, userId, input.channels);
    if (unknown) return unknown;
    const [row] = await tx
      .insert(ucieAlerts)
      .values({
        userId,
        coinId: coin.coingeckoId,
        symbol: coin.symbol,
        alertType: input.type,
        ...rule,
        expiresAt: input.expiresAt ?? null,
        repeatMode: input.repeat ?? "once",
        cooldownSeconds: input.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
        snoozedUntil: input.snoozedUntil ?? null,
        channels: input.channels ? [...new Set(input.channels.map((c) => c.toLowerCase()))] : null,
        // the first sample a price_cross compares with
        lastValue: coin.isActive ? coin.currentPriceUsd : null,
        createdAt: now,
      })
      .returning({ id: ucieAlerts.id });
    return { id: row!.id, coin };
  });
  if ("error" in created) return created;
  const alert = (await getAlert(services.db, userId, created.id, now))!;
  return { alert, warnings: await warningsFor(services, input, created.coin) };
}

export async function updateAlert(
  services: Services,
  userId: string,
  patch: AlertPatch,
): Promise<{ alert: AlertView; warnings: string[] } | AlertFailure> {
  const now = services.clock.now();
  const notFound = { error: "not_found", message: `No alert ${patch.id}` } as const;
  const result = await services.db.transaction(async (tx): Promise<AlertFailure | { input: AlertInput; changed: boolean }> => {
    const [a] = await tx
      .select()
      .from(ucieAlerts)
      .where(and(eq(ucieAlerts.id, patch.id), eq(ucieAlerts.userId, userId)))
      .for("update");
    if (!a) return notFound;
    const stored = fromStoredRule(a.alertType, a.thresholdValue, a.conditionDetails);
    const has = <K extends keyof AlertPatch>(k: K) => patch[k] !== undefined;
    const thresholdless = a.alertType === "volume_spike" || a.alertType === "sentiment_change";
    const merged = {
      symbol: a.coinId,
      type: a.alertType,
      // volume and sentiment rules live in `condition`; a threshold sent for them is refused by the schema
      threshold: has("threshold") ? patch.threshold : thresholdless ? undefined : stored.threshold,
      condition: has("condition") ? patch.condition : stored.condition,
      expiresAt: has("expiresAt") ? patch.expiresAt : a.expiresAt,
      repeat: patch.repeat ?? a.repeatMode,
      cooldownSeconds: patch.cooldownSeconds ?? a.cooldownSeconds,
      snoozedUntil: has("snoozedUntil") ? patch.snoozedUntil : a.snoozedUntil,
      email: patch.email ?? stored.email,
      channels: has("channels") ? patch.channels : a.channels,
    };
    const parsed = alertInput.safeParse(merged);
    if (!parsed.success) return { error: "invalid", issues: parsed.error } as const;
    const input = parsed.data;
    const enabled = patch.enabled ?? a.enabled;
    if (has("expiresAt") && input.expiresAt && input.expiresAt <= now)
      return invalid("expiresAt", "The expiry must be in the future", input.expiresAt);
    if (enabled && input.expiresAt && input.expiresAt <= now)
      return invalid("expiresAt", "This alert has expired: set a later expiry to turn it on again", input.expiresAt);

    const unknown = await unknownChannel(tx, userId, input.channels);
    if (unknown) return unknown;
    const rule = toStoredRule(input);
    const ruleChanged =
      rule.thresholdValue !== a.thresholdValue || JSON.stringify(rule.conditionDetails) !== JSON.stringify(a.conditionDetails);
    const reenabled = enabled && !a.enabled;
    const [coin] = await tx
      .select({ price: sql<number | null>`CASE WHEN ${ucieTokens.isActive} THEN ${ucieTokens.currentPriceUsd} END` })
      .from(ucieTokens)
      .where(eq(ucieTokens.coingeckoId, a.coinId));
    await tx
      .update(ucieAlerts)
      .set({
        ...rule,
        enabled,
        expiresAt: input.expiresAt ?? null,
        repeatMode: input.repeat ?? "once",
        cooldownSeconds: input.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
        snoozedUntil: input.snoozedUntil ?? null,
        channels: input.channels ? [...new Set(input.channels.map((c) => c.toLowerCase()))] : null,
        // a new rule, or switching an alert back on, starts it afresh: armed, with a new first sample
        ...(ruleChanged || reenabled ? { armed: true, triggered: false, lastCheckedAt: null, lastValue: coin?.price ?? null } : {}),
      })
      .where(and(eq(ucieAlerts.id, a.id), eq(ucieAlerts.userId, userId)));
    return { input, changed: ruleChanged || reenabled };
  });
  if ("error" in result) return result;
  const alert = await getAlert(services.db, userId, patch.id, now);
  if (!alert) return notFound;
  let warnings: string[] = [];
  if (result.changed && alert.enabled) {
    const coin = await resolveCoin(services.db, alert.coinId);
    if (coin) warnings = await warningsFor(services, result.input, coin);
  }
  return { alert, warnings };
}

export async function deleteAlert(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(ucieAlerts)
    .where(and(eq(ucieAlerts.id, id), eq(ucieAlerts.userId, userId)))
    .returning({ id: ucieAlerts.id });
  return rows.length > 0;
}

/** The user's firings, newest first (`before`: a seq, for paging). */
export async function listTriggers(
  db: DbOrTx,
  userId: string,
  limit: number,
  before?: number,
  money?: (usdAmount: number) => string,
): Promise<TriggerView[]> {
  const rows = await db
    .select()
    .from(ucieAlertTriggers)
    .where(and(eq(ucieAlertTriggers.userId, userId), before !== undefined ? lt(ucieAlertTriggers.seq, before) : undefined))
    .orderBy(desc(ucieAlertTriggers.seq))
    .limit(limit);
  return rows.map((r) => triggerView(r, money));
}

/** `money` writes the rule's price in the user's currency (preferences' moneyText); USD by default */
export function triggerView(t: typeof ucieAlertTriggers.$inferSelect, money?: (usdAmount: number) => string): TriggerView {
  const d = (t.details ?? {}) as { threshold?: number | null; condition?: Record<string, unknown> };
  return {
    seq: t.seq,
    alertId: t.alertId,
    symbol: t.symbol,
    type: t.alertType,
    value: t.value,
    description: describeRule(t.alertType, t.symbol, d.threshold ?? null, d.condition ?? {}, money),
    triggeredAt: t.triggeredAt,
  };
}
