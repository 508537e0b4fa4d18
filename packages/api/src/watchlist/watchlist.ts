/**
 * A user's watchlist. Every statement filters by `user_id` itself, so another user's items simply do not
 * exist for the caller. Expected failures are values (`null`, `"conflict"`), the router turns them into
 * tRPC errors.
 */
import { and, desc, eq, or, sql } from "drizzle-orm";
import { ucieAnalysisCache, ucieTokens, ucieWatchlist, type Db, type DbOrTx } from "@ucie/db";
import type { Clock } from "../lib/clock";
import { resolveCoin } from "../market/resolve";
import { logoPathSql } from "../market/logos";

export interface WatchlistItem {
  /** the coin's CoinGecko id */
  id: string;
  symbol: string;
  name: string;
  logo: string | null;
  /** the current price, or for a delisted coin its last known one; null only when never priced */
  priceUsd: number | null;
  change24h: number | null;
  /** 7-day change: the source's, else the one from the coin's last technical analysis (its daily history) */
  change7d: number | null;
  marketCapUsd: number | null;
  /** RSI (14) from the coin's last technical analysis, with its time; null when never analysed */
  rsi14: number | null;
  rsiAt: Date | null;
  /** the user's enabled alerts on this coin */
  alertCount: number;
  /** when the catalogue last priced the coin */
  priceAt: Date | null;
  /** where the price came from: `live` (CoinGecko) or `snapshot` (the bundled 2021-06-24 data, offline) */
  priceSource: "live" | "snapshot";
  /** the coin left the catalogue or is no longer priced */
  delisted: boolean;
  notes: string | null;
  addedAt: Date;
  lastViewedAt: Date | null;
}

/** the coin's last technical analysis section (any age: its RSI is shown with its time) */
const technical = sql`(select c.data from ucie_analysis_cache c
  where c.coin_id = ${ucieWatchlist.coinId} and c.analysis_type = 'technical')`;

function itemQuery(db: DbOrTx) {
  return db
    .select({
      id: ucieWatchlist.coinId,
      symbol: sql<string>`coalesce(${ucieTokens.symbol}, ${ucieWatchlist.symbol})`,
      name: sql<string>`coalesce(${ucieTokens.name}, ${ucieWatchlist.symbol})`,
      logo: logoPathSql,
      priceUsd: ucieTokens.currentPriceUsd,
      change24h: ucieTokens.priceChangePct24h,
      change7d: sql<number | null>`coalesce(${ucieTokens.priceChangePct7d}, (${technical} -> 'data' ->> 'change7dPct')::float8)`,
      marketCapUsd: ucieTokens.marketCapUsd,
      rsi14: sql<number | null>`(${technical} -> 'data' ->> 'rsi14')::float8`,
      rsiAt: sql<Date | null>`(select c.created_at from ucie_analysis_cache c
        where c.coin_id = ${ucieWatchlist.coinId} and c.analysis_type = 'technical')`.mapWith(ucieAnalysisCache.createdAt),
      alertCount: sql<number>`(select count(*)::int from ucie_alerts a
        where a.user_id = ${ucieWatchlist.userId} and a.coin_id = ${ucieWatchlist.coinId} and a.enabled)`,
      priceAt: ucieTokens.lastUpdated,
      priceSource: sql<"live" | "snapshot">`coalesce(${ucieTokens.source}, 'live')`,
      delisted: sql<boolean>`(${ucieTokens.id} IS NULL OR NOT ${ucieTokens.isActive} OR ${ucieTokens.currentPriceUsd} IS NULL)`,
      notes: ucieWatchlist.notes,
      addedAt: ucieWatchlist.addedAt,
      lastViewedAt: ucieWatchlist.lastViewedAt,
    })
    .from(ucieWatchlist)
    .leftJoin(ucieTokens, eq(ucieTokens.coingeckoId, ucieWatchlist.coinId));
}

/** The caller's item matching an id or ticker: the id wins over a ticker. */
function ownItem(userId: string, symbol: string) {
  const q = symbol.trim();
  return and(eq(ucieWatchlist.userId, userId), or(eq(ucieWatchlist.coinId, q.toLowerCase()), eq(ucieWatchlist.symbol, q.toUpperCase())));
}

async function findOwn(db: DbOrTx, userId: string, symbol: string): Promise<string | null> {
  const q = symbol.trim();
  const rows = await db
    .select({ coinId: ucieWatchlist.coinId })
    .from(ucieWatchlist)
    .where(ownItem(userId, symbol))
    .orderBy(sql`(${ucieWatchlist.coinId} = ${q.toLowerCase()}) DESC`, ucieWatchlist.addedAt)
    .limit(1);
  return rows[0]?.coinId ?? null;
}

export async function listWatchlist(db: DbOrTx, userId: string): Promise<WatchlistItem[]> {
  return itemQuery(db).where(eq(ucieWatchlist.userId, userId)).orderBy(desc(ucieWatchlist.addedAt), ucieWatchlist.coinId);
}

async function getItem(db: DbOrTx, userId: string, coinId: string): Promise<WatchlistItem | null> {
  const [row] = await itemQuery(db).where(and(eq(ucieWatchlist.userId, userId), eq(ucieWatchlist.coinId, coinId)));
  return row ?? null;
}

export async function addToWatchlist(
  db: Db,
  userId: string,
  symbol: string,
  notes: string | null,
  clock: Clock,
): Promise<WatchlistItem | "not_found" | "conflict"> {
  return db.transaction(async (tx) => {
    const coin = await resolveCoin(tx, symbol);
    if (!coin) return "not_found" as const;
    const inserted = await tx
      .insert(ucieWatchlist)
      .values({ userId, coinId: coin.coingeckoId, symbol: coin.symbol, notes: notes || null, addedAt: clock.now() })
      .onConflictDoNothing({ target: [ucieWatchlist.userId, ucieWatchlist.coinId] })
      .returning({ id: ucieWatchlist.id });
    if (inserted.length === 0) return "conflict" as const;
    return (await getItem(tx, userId, coin.coingeckoId))!;
  });
}

export async function updateWatchlistNotes(db: Db, userId: string, symbol: string, notes: string | null): Promise<WatchlistItem | null> {
  return db.transaction(async (tx) => {
    const coinId = await findOwn(tx, userId, symbol);
    if (!coinId) return null;
    await tx
      .update(ucieWatchlist)
      .set({ notes: notes || null })
      .where(and(eq(ucieWatchlist.userId, userId), eq(ucieWatchlist.coinId, coinId)));
    return getItem(tx, userId, coinId);
  });
}

export async function removeFromWatchlist(db: Db, userId: string, symbol: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const coinId = await findOwn(tx, userId, symbol);
    if (!coinId) return false;
    const deleted = await tx
      .delete(ucieWatchlist)
      .where(and(eq(ucieWatchlist.userId, userId), eq(ucieWatchlist.coinId, coinId)))
      .returning({ id: ucieWatchlist.id });
    return deleted.length > 0;
  });
}

/** The token page was opened: stamp `last_viewed_at` when the coin is on the caller's watchlist. */
export async function markWatchlistViewed(db: Db, userId: string, symbol: string, clock: Clock): Promise<{ onWatchlist: boolean }> {
  const coinId = await findOwn(db, userId, symbol);
  if (!coinId) return { onWatchlist: false };
  const rows = await db
    .update(ucieWatchlist)
    .set({ lastViewedAt: clock.now() })
    .where(and(eq(ucieWatchlist.userId, userId), eq(ucieWatchlist.coinId, coinId)))
    .returning({ id: ucieWatchlist.id });
  return { onWatchlist: rows.length > 0 };
}
