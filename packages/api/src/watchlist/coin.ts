import type { DbOrTx } from "@ucie/db";
import { resolveToken } from "../market/resolve";

export interface ResolvedCoin {
  coinId: string;
  symbol: string;
  name: string;
  isActive: boolean;
  priceUsd: number | null;
  change1h: number | null;
  change24h: number | null;
}

/**
 * A `symbol` input (CoinGecko id or ticker) to a catalogue coin, by the market package's resolver: the id
 * wins; a ticker means the active coin with that ticker and the best market-cap rank. Null when nothing
 * matches.
 */
export async function resolveCoin(db: DbOrTx, input: string): Promise<ResolvedCoin | null> {
  const t = await resolveToken(db, input);
  if (!t) return null;
  return {
    coinId: t.coingeckoId,
    symbol: t.symbol,
    name: t.name,
    isActive: t.isActive,
    priceUsd: t.currentPriceUsd,
    change1h: t.priceChangePct1h,
    change24h: t.priceChangePct24h,
  };
}
