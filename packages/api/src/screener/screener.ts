/**
 * The screener's stored rows: the `screener` job refreshes them a batch at a time (live: the coins whose
 * row is oldest, so 250 coins' histories are spread over many ticks and mostly served from the market
 * service's history cache; offline: every snapshot coin at once, nothing upstream), and `runScreener`
 * answers filtered, sorted pages from indexed columns.
 */
import { and, asc, eq, gte, isNotNull, lte, notInArray, sql, type SQL } from "drizzle-orm";
import { ucieScreenerRows, ucieTokens } from "@ucie/db/schema";
import type { Db } from "@ucie/db";
import type { Services } from "../services";
import { fearGreedTrend, type FearGreedData } from "../analysis/sentiment";
import { HISTORY_DAYS, FEAR_GREED_DAYS } from "../analysis/sections";
import { CATALOGUE_SIZE } from "../market/catalogue";
import type { Currency, SCREENER_SORT_KEYS, SCREENER_TRENDS } from "../limits";
import { screenerSignals, type ScreenerCross } from "./signals";

/** coins refreshed per live tick: with a 5-minute tick the top 250 take about 50 minutes, 10 history calls a minute at most */
export const SCREENER_LIVE_BATCH = 25;

export interface ScreenerRefreshResult {
  computed: number;
  failed: number;
  removed: number;
}

export async function refreshScreener(
  services: Services,
  opts: { batch?: number; signal?: AbortSignal } = {},
): Promise<ScreenerRefreshResult> {
  const { db, market, logger } = services;
  const offline = market.mode === "offline";
  const batch = opts.batch ?? (offline ? CATALOGUE_SIZE : SCREENER_LIVE_BATCH);
  // coins with market data, top of the catalogue; the staler their row (or none), the sooner
  const coins = await db
    .select({ token: ucieTokens })
    .from(ucieTokens)
    .leftJoin(ucieScreenerRows, eq(ucieScreenerRows.coingeckoId, ucieTokens.coingeckoId))
    .where(and(eq(ucieTokens.isActive, true), isNotNull(ucieTokens.currentPriceUsd), lte(ucieTokens.marketCapRank, CATALOGUE_SIZE)))
    .orderBy(sql`${ucieScreenerRows.computedAt} asc nulls first`, asc(ucieTokens.marketCapRank))
    .limit(batch);

  const settle = async <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);
  const [btc, fg] = await Promise.all([
    settle(market.history("bitcoin", HISTORY_DAYS, opts.signal)),
    settle(market.fearGreed(FEAR_GREED_DAYS, opts.signal)),
  ]);
  const fearGreed: FearGreedData | null = fg ? fearGreedTrend(fg.data) : null;

  let computed = 0;
  let failed = 0;
  for (const { token } of coins) {
    opts.signal?.throwIfAborted();
    try {
      const h = token.coingeckoId === "bitcoin" && btc ? btc : await market.history(token.coingeckoId, HISTORY_DAYS, opts.signal);
      const s = screenerSignals(token, h.data, { btc: btc?.data ?? null, fearGreed });
      const row = {
        coingeckoId: token.coingeckoId,
        symbol: token.symbol,
        name: token.name,
        rank: token.marketCapRank,
        ...s,
        source: h.source,
        asOf: h.asOf,
        computedAt: services.clock.now(),
      };
      await db.insert(ucieScreenerRows).values(row).onConflictDoUpdate({ target: ucieScreenerRows.coingeckoId, set: row });
      computed++;
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      failed++;
      logger.warn({ err, coin: token.coingeckoId }, "screener row not computed");
    }
  }
  // coins that left the catalogue's top leave the screener
  const active = db
    .select({ id: ucieTokens.coingeckoId })
    .from(ucieTokens)
    .where(and(eq(ucieTokens.isActive, true), lte(ucieTokens.marketCapRank, CATALOGUE_SIZE)));
  const removed = await db
    .delete(ucieScreenerRows)
    .where(notInArray(ucieScreenerRows.coingeckoId, active))
    .returning({ id: ucieScreenerRows.coingeckoId });
  services.caches.screener.clear();
  services.caches.answers.clear();
  return { computed, failed, removed: removed.length };
}

export type ScreenerTrend = (typeof SCREENER_TRENDS)[number];
export type ScreenerSortKey = (typeof SCREENER_SORT_KEYS)[number];

export interface ScreenerFilters {
  rsiBelow?: number;
  rsiAbove?: number;
  trend?: ScreenerTrend;
  /** with `trend: golden_cross | death_cross`: the cross happened at most this many days ago */
  crossWithinDays?: number;
  change7dAbove?: number;
  change7dBelow?: number;
  minMarketCap?: number;
  maxVolatility?: number;
  /** at most this far below the 365-day high, in percent (10: within 10% of it) */
  maxDrawdown?: number;
}

export interface ScreenerQuery {
  filters?: ScreenerFilters;
  sort?: { by: ScreenerSortKey; dir: "asc" | "desc" };
  limit: number;
  cursor: number;
}

export interface ScreenerRow {
  id: string;
  symbol: string;
  name: string;
  rank: number | null;
  priceUsd: number | null;
  /** `priceUsd` in `currency` (the router converts for a signed-in user's currency) */
  price: number | null;
  currency: Currency;
  marketCap: number | null;
  change24h: number | null;
  change7d: number | null;
  change30d: number | null;
  rsi14: number | null;
  trend: { aboveSma200: boolean | null; cross: ScreenerCross | null; crossDaysAgo: number | null };
  volatility30d: number | null;
  drawdown: number | null;
  volumeRatio: number | null;
  score: number | null;
  source: string;
  /** ISO 8601: when the history the row was computed from ends */
  asOf: string;
}

export interface ScreenerPage {
  rows: ScreenerRow[];
  nextCursor: number | null;
  /** the newest "as of" of the rows (null before the job's first run) */
  asOf: Date | null;
}

const r = ucieScreenerRows;
const SORT_COLUMNS = {
  rank: r.rank,
  price: r.priceUsd,
  change24h: r.change24h,
  change7d: r.change7d,
  change30d: r.change30d,
  rsi14: r.rsi14,
  volatility30d: r.volatility30d,
  drawdown: r.drawdown,
  volumeRatio: r.volumeRatio,
  score: r.score,
} as const;

function whereOf(f: ScreenerFilters = {}): SQL | undefined {
  const c: (SQL | undefined)[] = [];
  if (f.rsiBelow !== undefined) c.push(sql`${r.rsi14} < ${f.rsiBelow}`);
  if (f.rsiAbove !== undefined) c.push(sql`${r.rsi14} > ${f.rsiAbove}`);
  if (f.change7dAbove !== undefined) c.push(sql`${r.change7d} > ${f.change7dAbove}`);
  if (f.change7dBelow !== undefined) c.push(sql`${r.change7d} < ${f.change7dBelow}`);
  if (f.minMarketCap !== undefined) c.push(gte(r.marketCapUsd, f.minMarketCap));
  if (f.maxVolatility !== undefined) c.push(lte(r.volatility30d, f.maxVolatility));
  if (f.maxDrawdown !== undefined) c.push(gte(r.drawdown, -f.maxDrawdown));
  if (f.trend === "above_sma200") c.push(eq(r.aboveSma200, true));
  if (f.trend === "below_sma200") c.push(eq(r.aboveSma200, false));
  if (f.trend === "golden_cross" || f.trend === "death_cross") {
    c.push(eq(r.cross, f.trend));
    if (f.crossWithinDays !== undefined) c.push(lte(r.crossDaysAgo, f.crossWithinDays));
  }
  return c.length ? and(...c) : undefined;
}

/** Rows change only when the job writes (every few minutes), so a page is answered from memory for a few seconds. */
const PAGE_TTL_MS = 10_000;

export function cachedScreener(services: Pick<Services, "db" | "caches">, q: ScreenerQuery): Promise<ScreenerPage> {
  return services.caches.screener.get(JSON.stringify(q), PAGE_TTL_MS, () => runScreener(services.db, q));
}

export async function runScreener(db: Db, q: ScreenerQuery): Promise<ScreenerPage> {
  const by = q.sort?.by ?? "rank";
  const dir = q.sort?.dir ?? (by === "rank" ? "asc" : "desc");
  const col = SORT_COLUMNS[by];
  const order = dir === "asc" ? sql`${col} asc nulls last` : sql`${col} desc nulls last`;
  const rows = await db
    .select()
    .from(r)
    .where(whereOf(q.filters))
    .orderBy(order, asc(r.coingeckoId))
    .limit(q.limit + 1)
    .offset(q.cursor);
  const page = rows.slice(0, q.limit);
  return {
    rows: page.map((x) => ({
      id: x.coingeckoId,
      symbol: x.symbol,
      name: x.name,
      rank: x.rank,
      priceUsd: x.priceUsd,
      price: x.priceUsd,
      currency: "usd" as const,
      marketCap: x.marketCapUsd,
      change24h: x.change24h,
      change7d: x.change7d,
      change30d: x.change30d,
      rsi14: x.rsi14,
      trend: {
        aboveSma200: x.aboveSma200,
        cross: x.cross === "golden_cross" || x.cross === "death_cross" ? x.cross : null,
        crossDaysAgo: x.crossDaysAgo,
      },
      volatility30d: x.volatility30d,
      drawdown: x.drawdown,
      volumeRatio: x.volumeRatio,
      score: x.score,
      source: x.source,
      asOf: x.asOf.toISOString(),
    })),
    nextCursor: rows.length > q.limit ? q.cursor + q.limit : null,
    asOf: page.reduce<Date | null>((m, x) => (m && m > x.asOf ? m : x.asOf), null),
  };
}
