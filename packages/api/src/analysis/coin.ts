import { and, asc, eq, sql } from "drizzle-orm";
import { ucieTokens, type DbOrTx } from "@ucie/db";
import type { CatalogueRow } from "./market-snapshot";
import type { CoinRef } from "./types";

/**
 * The catalogue coin for a CoinGecko id or a ticker (shared API.md, "A coin's identity"): an id wins;
 * a ticker is the active coin with that symbol and the best market-cap rank. Swap for the market
 * package's resolver once it exists.
 */
export async function resolveCatalogueCoin(db: DbOrTx, input: string): Promise<CatalogueRow | null> {
  const q = input.trim();
  if (!q) return null;
  const [byId] = await db.select().from(ucieTokens).where(eq(ucieTokens.coingeckoId, q.toLowerCase())).limit(1);
  if (byId) return byId;
  const [byTicker] = await db
    .select()
    .from(ucieTokens)
    .where(and(eq(ucieTokens.symbol, q.toUpperCase()), eq(ucieTokens.isActive, true)))
    .orderBy(sql`${ucieTokens.marketCapRank} asc nulls last`, asc(ucieTokens.coingeckoId))
    .limit(1);
  return byTicker ?? null;
}

export function coinRef(row: CatalogueRow): CoinRef {
  return { id: row.coingeckoId, symbol: row.symbol, name: row.name, imageUrl: row.imageUrl, rank: row.marketCapRank };
}
