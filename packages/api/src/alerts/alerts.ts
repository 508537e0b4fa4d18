/**
 * A user's alerts: create (validated per type, capped per user, with warnings when the rule is already
 * true or can never be), list with state, update, delete, and the recent firings. Every statement filters
 * by `user_id` itself; expected failures are values, the router turns them into tRPC errors.
 */
import { and, count, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { z } from "zod";
import {
  execute,
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
  MARKET,
  MAX_ALERTS_PER_USER,
  toStoredRule,
  valueLabel,
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
  /** where the value came from: live, snapshot or simulated (null for firings recorded before this was kept) */
  source: string | null;
  /** the value in words with its source when not live: "$32,797 (snapshot 2021-06-24)" */
  valueLabel: string | null;
  description: string;
  triggeredAt: Date;
}

export type AlertFailure =
  | { error: "not_found"; message: string }
  | { error: "limit"; message: string }
  | { error: "conflict"; message: string }
  | { error: "invalid"; issues: z.ZodError };

/** the unique index behind "no two identical enabled alerts" (migration 0007) */
const DUPLICATE_INDEX = "ucie_alerts_enabled_rule_unique";

function isDuplicate(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string; constraint?: string; cause?: unknown };
  const c = (e.cause ?? e) as { code?: string; constraint_name?: string; constraint?: string; message?: string };
  return c.code === "23505" && (c.constraint_name ?? c.constraint ?? c.message ?? "").includes(DUPLICATE_INDEX);
}

function duplicateOf(description: string): AlertFailure {
  return {
    error: "conflict",
    message: `You already have this alert switched on (${description}): edit or delete that one instead.`,
  };
}

/**
 * The enabled alert of this user with the same coin, type, line and condition (the e-mail flag aside), if
 * any. The unique index `DUPLICATE_INDEX` is the guard under concurrency; this gives the clear message first.
 */
async function findDuplicate(
  tx: DbOrTx,
  userId: string,
  coinId: string,
  type: AlertType,
  rule: { thresholdValue: number; conditionDetails: Record<string, unknown> },
  exceptId?: string,
): Promise<boolean> {
  const { rows } = await execute<{ id: string }>(
    tx,
    sql`SELECT id FROM ucie_alerts
        WHERE user_id = ${userId} AND enabled AND coin_id = ${coinId} AND alert_type = ${type}
          AND threshold_value = ${rule.thresholdValue}::float8
          AND (condition_details - 'email') = (${JSON.stringify(rule.conditionDetails)}::jsonb - 'email')
          ${exceptId ? sql`AND id <> ${exceptId}` : sql``}
        LIMIT 1`,
  );
  return rows.length > 0;
}

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
    name: a.coinId === MARKET.coinId ? MARKET.name : (r.name ?? a.symbol),
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
async function warningsFor(services: Services, input: AlertInput, coin: TokenRow | null): Promise<string[]> {
  const w: string[] = [];
  if (!coin) return input.type === "sentiment_change" ? sentimentWarnings(services, input) : w;
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
    case "sentiment_change":
      w.push(...(await sentimentWarnings(services, input)));
      break;
  }
  return w;
}

async function sentimentWarnings(services: Services, input: AlertInput & { type: "sentiment_change" }): Promise<string[]> {
  const moves = await orFallback(sentimentMoves(services), null);
  const move = moves ? (input.condition.window === "7d" ? moves.change7d : moves.change24h) : null;
  const { points, direction } = input.condition;
  if (move === null) return [];
  const holds = direction === "up" ? move >= points : direction === "down" ? -move >= points : Math.abs(move) >= points;
  return holds ? [`The Fear & Greed index has already moved ${move > 0 ? "+" : ""}${move} points: it fires at the next check.`] : [];
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
  const marketWide = input.type === "sentiment_change";
  if (!marketWide && !input.symbol) return invalid("symbol", "Choose a coin", input.symbol);
  let created: AlertFailure | { id: string; coin: TokenRow | null };
  try {
    created = await services.db.transaction(async (tx): Promise<AlertFailure | { id: string; coin: TokenRow | null }> => {
      // one create at a time per user, so the cap holds under concurrent requests
      await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
      const [n] = await tx.select({ n: count() }).from(ucieAlerts).where(eq(ucieAlerts.userId, userId));
      if ((n?.n ?? 0) >= MAX_ALERTS_PER_USER)
        return { error: "limit", message: `You have ${MAX_ALERTS_PER_USER} alerts, the most allowed: delete one first.` } as const;
      // a market-wide alert (the Fear & Greed index) is filed under the reserved MARKET coin, whatever was sent
      const coin = marketWide ? null : await resolveCoin(tx, input.symbol ?? "");
      if (!marketWide && !coin) return { error: "not_found", message: `No coin '${input.symbol}' in the catalogue` } as const;
      const coinId = coin ? coin.coingeckoId : MARKET.coinId;
      const symbol = coin ? coin.symbol : MARKET.symbol;
      const rule = toStoredRule(input);
      if (await findDuplicate(tx, userId, coinId, input.type, rule))
        return duplicateOf(describeRule(input.type, symbol, rule.thresholdValue, rule.conditionDetails));
      const unknown = await unknownChannel(tx, userId, input.channels);
      if (unknown) return unknown;
      const [row] = await tx
        .insert(ucieAlerts)
        .values({
          userId,
          coinId,
          symbol,
          alertType: input.type,
          ...rule,
          expiresAt: input.expiresAt ?? null,
          repeatMode: input.repeat ?? "once",
          cooldownSeconds: input.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
          snoozedUntil: input.snoozedUntil ?? null,
          channels: input.channels ? [...new Set(input.channels.map((c) => c.toLowerCase()))] : null,
          // the first sample a price_cross compares with
          lastValue: coin?.isActive ? coin.currentPriceUsd : null,
          createdAt: now,
        })
        .returning({ id: ucieAlerts.id });
      return { id: row!.id, coin };
    });
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    const rule = toStoredRule(input);
    return duplicateOf(describeRule(input.type, input.symbol ?? MARKET.symbol, rule.thresholdValue, rule.conditionDetails));
  }
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
  let result: AlertFailure | { input: AlertInput; changed: boolean };
  try {
    result = await services.db.transaction(async (tx): Promise<AlertFailure | { input: AlertInput; changed: boolean }> => {
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
      if (enabled && (ruleChanged || reenabled) && (await findDuplicate(tx, userId, a.coinId, a.alertType, rule, a.id)))
        return duplicateOf(describeRule(a.alertType, a.symbol, rule.thresholdValue, rule.conditionDetails));
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
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    return { error: "conflict", message: "You already have this alert switched on: edit or delete that one instead." };
  }
  if ("error" in result) return result;
  const alert = await getAlert(services.db, userId, patch.id, now);
  if (!alert) return notFound;
  let warnings: string[] = [];
  if (result.changed && alert.enabled) {
    const coin = alert.coinId === MARKET.coinId ? null : await resolveCoin(services.db, alert.coinId);
    if (coin || alert.coinId === MARKET.coinId) warnings = await warningsFor(services, result.input, coin);
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
  const d = (t.details ?? {}) as {
    threshold?: number | null;
    condition?: Record<string, unknown>;
    source?: string | null;
    asOf?: string | null;
  };
  const source = d.source ?? null;
  return {
    seq: t.seq,
    alertId: t.alertId,
    symbol: t.symbol,
    type: t.alertType,
    value: t.value,
    source,
    valueLabel: t.value === null ? null : valueLabel(t.alertType, t.value, source, d.asOf, money),
    description: describeRule(t.alertType, t.symbol, d.threshold ?? null, d.condition ?? {}, money),
    triggeredAt: t.triggeredAt,
  };
}
