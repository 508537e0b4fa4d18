import { and, asc, eq, sql } from "drizzle-orm";
import { ucieTokens, type DbOrTx } from "@ucie/db";

export interface ResolvedCoin {
  coinId: string;
  symbol: string;
  name: string;
  isActive: boolean;
  priceUsd: number | null;
  change1h: number | null;
  change24h: number | null;
}

const columns = {
  coinId: ucieTokens.coingeckoId,
  symbol: ucieTokens.symbol,
  name: ucieTokens.name,
  isActive: ucieTokens.isActive,
  priceUsd: ucieTokens.currentPriceUsd,
  change1h: ucieTokens.priceChangePct1h,
  change24h: ucieTokens.priceChangePct24h,
};

/**
 * A `symbol` input (CoinGecko id or ticker) to a catalogue coin: the id wins; a ticker means the active
 * coin with that ticker and the best market-cap rank. Returns null when nothing matches.
 * (Kept in one function so it can be swapped for the market package's resolver.)
 */
export async function resolveCoin(db: DbOrTx, input: string): Promise<ResolvedCoin | null> {
  const q = input.trim();
  if (!q) return null;
  const [byId] = await db.select(columns).from(ucieTokens).where(eq(ucieTokens.coingeckoId, q.toLowerCase())).limit(1);
  if (byId) return byId;
  const [byTicker] = await db
    .select(columns)
    .from(ucieTokens)
    .where(and(eq(ucieTokens.symbol, q.toUpperCase()), eq(ucieTokens.isActive, true)))
    .orderBy(sql`${ucieTokens.marketCapRank} ASC NULLS LAST`, asc(ucieTokens.coingeckoId))
    .limit(1);
  return byTicker ?? null;
}
