import type { CatalogueRow } from "./market-snapshot";
import type { CoinRef } from "./types";

export function coinRef(row: CatalogueRow): CoinRef {
  return { id: row.coingeckoId, symbol: row.symbol, name: row.name, imageUrl: row.imageUrl, rank: row.marketCapRank };
}
