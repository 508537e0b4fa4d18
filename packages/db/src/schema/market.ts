import { sql } from "drizzle-orm";
import { boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/**
 * The token catalogue: CoinGecko's top coins. A coin is its `coingecko_id`; `symbol` is display data
 * (upper-case ticker, not unique). `is_active` turns false when a coin leaves the list: its last price
 * and `last_updated` stay, so it shows as delisted, never as $0.
 */
export const ucieTokens = pgTable(
  "ucie_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    coingeckoId: text().notNull(),
    symbol: text().notNull(),
    name: text().notNull(),
    marketCapRank: integer(),
    imageUrl: text(),
    /** set when UCIE holds the coin's logo (ucie_coin_logos): the browser loads it from /logos/<id>?v=<etag> */
    logoEtag: text(),
    currentPriceUsd: doublePrecision(),
    marketCapUsd: doublePrecision(),
    totalVolumeUsd: doublePrecision(),
    /** absolute 24 h price change in USD, as CoinGecko's `price_change_24h` */
    priceChange24h: doublePrecision("price_change_24h"),
    priceChangePct1h: doublePrecision("price_change_pct_1h"),
    priceChangePct24h: doublePrecision("price_change_pct_24h"),
    priceChangePct7d: doublePrecision("price_change_pct_7d"),
    priceChangePct30d: doublePrecision("price_change_pct_30d"),
    high24hUsd: doublePrecision("high_24h_usd"),
    low24hUsd: doublePrecision("low_24h_usd"),
    athUsd: doublePrecision(),
    athChangePct: doublePrecision(),
    athDate: timestamp({ withTimezone: true }),
    circulatingSupply: doublePrecision(),
    totalSupply: doublePrecision(),
    maxSupply: doublePrecision(),
    fullyDilutedValuationUsd: doublePrecision(),
    /** last 7 days of hourly prices, when the source gave them */
    sparkline7d: jsonb("sparkline_7d").$type<number[]>(),
    /** where the figures came from: `live` (CoinGecko) or `snapshot` (bundled offline data) */
    source: text().notNull().default("live"),
    isActive: boolean().notNull().default(true),
    /**
     * false for coins known only from CoinGecko's full /coins/list (outside the top 250 the catalogue sync
     * keeps priced): their market data is fetched on demand when someone opens, watches or alerts on them
     */
    ranked: boolean().notNull().default(true),
    /** when the source last priced the coin (CoinGecko's `last_updated`) */
    lastUpdated: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ucie_tokens_coingecko_id_unique").on(t.coingeckoId),
    index("ucie_tokens_symbol_idx").on(t.symbol),
    index("ucie_tokens_rank_idx").on(t.marketCapRank),
    index("ucie_tokens_active_idx").on(t.isActive),
    index("ucie_tokens_last_updated_idx").on(t.lastUpdated),
    index("ucie_tokens_active_rank_idx").on(t.isActive, t.marketCapRank),
    index("ucie_tokens_symbol_lower_idx").using("btree", sql`lower(${t.symbol}) text_pattern_ops`),
    index("ucie_tokens_name_lower_idx").using("btree", sql`lower(${t.name}) text_pattern_ops`),
    index("ucie_tokens_search_trgm_idx").using("gin", sql`(lower(${t.symbol}) || ' ' || lower(${t.name})) gin_trgm_ops`),
  ],
);

/**
 * Coin logos fetched once from the market source's image host and served from UCIE's own origin, so the
 * browser asks no third party. `body` is base64 (a few KB; the same on PGlite and Postgres); null records a
 * failed fetch, retried after a day.
 */
export const ucieCoinLogos = pgTable("ucie_coin_logos", {
  coinId: text().primaryKey(),
  contentType: text(),
  body: text(),
  etag: text(),
  sourceUrl: text().notNull(),
  fetchedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
