import { and, asc, eq, sql } from "drizzle-orm";
import { ucieTokens, type DbOrTx } from "@ucie/db";

export type TokenRow = typeof ucieTokens.$inferSelect;

/**
 * The one coin look-up: a `symbol` input (shared API.md, "A coin's identity") to a catalogue row: a CoinGecko id always wins;
 * otherwise a ticker means the ACTIVE coin with that ticker and the best market-cap rank (ties broken by
 * id, so the answer is stable). Null when nothing matches. Delisted coins stay reachable by their id.
 */
export async function resolveCoin(db: DbOrTx, input: string): Promise<TokenRow | null> {
  const q = input.trim();
  if (!q || q.length > 100) return null;
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
