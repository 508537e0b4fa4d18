import type { DbOrTx } from "@ucie/db";
import { resolveToken } from "../market/resolve";
import type { CatalogueRow } from "./market-snapshot";
import type { CoinRef } from "./types";

/** The catalogue coin for a CoinGecko id or a ticker: the market package's resolver (an id wins). */
export function resolveCatalogueCoin(db: DbOrTx, input: string): Promise<CatalogueRow | null> {
  return resolveToken(db, input);
}

export function coinRef(row: CatalogueRow): CoinRef {
  return { id: row.coingeckoId, symbol: row.symbol, name: row.name, imageUrl: row.imageUrl, rank: row.marketCapRank };
}
