import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";

export const ucieWatchlist = pgTable(
  "ucie_watchlist",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    symbol: text().notNull(),
    coinId: text().notNull(),
    notes: text(),
    addedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastViewedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("ucie_watchlist_user_coin_unique").on(t.userId, t.coinId),
    index("ucie_watchlist_user_idx").on(t.userId),
    index("ucie_watchlist_symbol_idx").on(t.symbol),
    index("ucie_watchlist_added_idx").on(t.addedAt),
    index("ucie_watchlist_coin_idx").on(t.coinId),
    check("ucie_watchlist_notes_length", sql`${t.notes} IS NULL OR length(${t.notes}) <= 2000`),
  ],
);

export const ALERT_TYPES = [
  "price_above",
  "price_below",
  "price_cross",
  "percent_change",
  "rsi_above",
  "rsi_below",
  "volume_spike",
  "sentiment_change",
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];
export const PRICE_ALERT_TYPES = ["price_above", "price_below", "price_cross"] as const;

export const ucieAlerts = pgTable(
  "ucie_alerts",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    symbol: text().notNull(),
    coinId: text().notNull(),
    alertType: text().$type<AlertType>().notNull(),
    thresholdValue: doublePrecision(),
    conditionDetails: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    triggered: boolean().notNull().default(false),
    triggeredAt: timestamp({ withTimezone: true }),
    triggerCount: integer().notNull().default(0),
    lastCheckedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }),
    enabled: boolean().notNull().default(true),
    /** `once`: disabled after firing; `repeat`: fires again after a cooldown once re-armed */
    repeatMode: text().$type<"once" | "repeat">().notNull().default("once"),
    cooldownSeconds: integer().notNull().default(3600),
    snoozedUntil: timestamp({ withTimezone: true }),
    /** armed: may fire; false until the value moves back past the threshold by the re-arm margin */
    armed: boolean().notNull().default(true),
    /** the value seen at the previous evaluation (price_cross needs it) */
    lastValue: doublePrecision(),
    /** channel ids (webhook uuids, `push`, `email`) this alert goes to; NULL: all of the user's channels */
    channels: text().array(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("ucie_alerts_user_idx").on(t.userId),
    index("ucie_alerts_symbol_idx").on(t.symbol),
    index("ucie_alerts_coin_idx").on(t.coinId),
    index("ucie_alerts_triggered_idx").on(t.triggered),
    index("ucie_alerts_enabled_idx").on(t.enabled),
    index("ucie_alerts_type_idx").on(t.alertType),
    index("ucie_alerts_enabled_coin_idx")
      .on(t.coinId, t.alertType)
      .where(sql`${t.enabled}`),
    // no two identical enabled alerts per user (same coin, type, line and condition; the e-mail flag aside),
    // even when two creates race
    uniqueIndex("ucie_alerts_enabled_rule_unique")
      .on(t.userId, t.coinId, t.alertType, t.thresholdValue, sql`(${t.conditionDetails} - 'email')`)
      .where(sql`${t.enabled}`),
    check("ucie_alerts_type_known", sql.raw(`"alert_type" IN (${ALERT_TYPES.map((a) => `'${a}'`).join(", ")})`)),
    check(
      "ucie_alerts_price_threshold",
      sql`${t.alertType} NOT IN ('price_above', 'price_below', 'price_cross') OR ${t.thresholdValue} IS NOT NULL`,
    ),
    check("ucie_alerts_trigger_count_nonneg", sql`${t.triggerCount} >= 0`),
    check("ucie_alerts_repeat_mode", sql`${t.repeatMode} IN ('once', 'repeat')`),
  ],
);

/**
 * Every firing of an alert. `(alert_id, tick_key)` is unique so a retried or concurrent evaluation tick
 * cannot record (or notify) the same firing twice; `seq` is the monotonic id streamed as `tracked()`.
 */
export const ucieAlertTriggers = pgTable(
  "ucie_alert_triggers",
  {
    seq: bigserial({ mode: "number" }).primaryKey(),
    alertId: uuid()
      .notNull()
      .references(() => ucieAlerts.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    symbol: text().notNull(),
    coinId: text().notNull(),
    alertType: text().$type<AlertType>().notNull(),
    value: doublePrecision(),
    tickKey: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>(),
    triggeredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ucie_alert_triggers_alert_tick_unique").on(t.alertId, t.tickKey),
    index("ucie_alert_triggers_user_seq_idx").on(t.userId, t.seq),
    index("ucie_alert_triggers_time_idx").on(t.triggeredAt),
  ],
);

/**
 * The alert evaluator's per-coin state. A tick claims coins here (`FOR UPDATE SKIP LOCKED` on rows whose
 * `tick_key` is not yet this tick), so each coin's alerts are evaluated once per tick by one instance.
 * `checked_at` is when every enabled alert of the coin was last checked, which lets a tick write only the
 * alerts whose state changes (not 100,000 rows a minute); `price_usd` is the price it was checked at.
 */
export const ucieAlertCoinSamples = pgTable("ucie_alert_coin_samples", {
  coinId: text().primaryKey(),
  tickKey: text(),
  priceUsd: doublePrecision(),
  checkedAt: timestamp({ withTimezone: true }),
});
