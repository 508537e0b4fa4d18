import { sql } from "drizzle-orm";
import { boolean, doublePrecision, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One row of screener signals per coin with market data, recomputed by the `screener` job from daily
 * history (analysis code, one implementation of each indicator). `as_of` is the day of the last candle
 * the figures are computed from; `source` says whether that history was live, the snapshot or simulated.
 * Each filterable or sortable column has its own index, so `screener.run` stays an index scan.
 */
export const ucieScreenerRows = pgTable(
  "ucie_screener_rows",
  {
    coingeckoId: text().primaryKey(),
    symbol: text().notNull(),
    name: text().notNull(),
    rank: integer(),
    priceUsd: doublePrecision(),
    marketCapUsd: doublePrecision(),
    change24h: doublePrecision("change_24h"),
    change7d: doublePrecision("change_7d"),
    change30d: doublePrecision("change_30d"),
    rsi14: doublePrecision(),
    /** last close above the 200-day simple moving average; null with under 200 days of history */
    aboveSma200: boolean(),
    /** `golden_cross` while the 50-day SMA is above the 200-day, `death_cross` below */
    cross: text(),
    crossDaysAgo: integer(),
    volatility30d: doublePrecision("volatility_30d"),
    drawdown: doublePrecision(),
    volumeRatio: doublePrecision(),
    score: doublePrecision(),
    source: text().notNull(),
    asOf: timestamp({ withTimezone: true }).notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("ucie_screener_rank_idx").on(t.rank),
    index("ucie_screener_rsi_idx").on(t.rsi14),
    index("ucie_screener_change7d_idx").on(t.change7d),
    index("ucie_screener_market_cap_idx").on(t.marketCapUsd),
    index("ucie_screener_volatility_idx").on(t.volatility30d),
    index("ucie_screener_score_idx").on(t.score),
    index("ucie_screener_cross_idx").on(t.cross, t.crossDaysAgo),
    index("ucie_screener_computed_idx").on(t.computedAt),
    index("ucie_screener_drawdown_idx").using("btree", sql`${t.drawdown} desc nulls last`),
  ],
);
