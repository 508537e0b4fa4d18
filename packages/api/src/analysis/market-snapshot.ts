/**
 * Phase 1: the market snapshot of one coin from its catalogue row, with the current price from the
 * market service when it answers. Distance from the all-time high decides the market condition.
 */
export interface CatalogueRow {
  coingeckoId: string;
  symbol: string;
  name: string;
  imageUrl: string | null;
  marketCapRank: number | null;
  currentPriceUsd: number | null;
  marketCapUsd: number | null;
  totalVolumeUsd: number | null;
  priceChangePct24h: number | null;
  priceChangePct7d: number | null;
  priceChangePct30d: number | null;
  high24hUsd: number | null;
  low24hUsd: number | null;
  athUsd: number | null;
  athDate: Date | null;
  circulatingSupply: number | null;
  maxSupply: number | null;
  source: string;
  isActive: boolean;
  lastUpdated: Date | null;
}

export type MarketCondition = "all_time_high" | "bear_market" | "neutral";

/** Within 1% of the all-time high counts as at it; 20% or more below it is a bear market. */
export const AT_ATH_WITHIN_PCT = 1;
export const BEAR_MARKET_PCT = -20;

export function marketCondition(distanceFromAthPct: number | null): { condition: MarketCondition | null; label: string } {
  if (distanceFromAthPct === null) return { condition: null, label: "No all-time high known" };
  if (distanceFromAthPct >= -AT_ATH_WITHIN_PCT) return { condition: "all_time_high", label: "At its all-time high" };
  if (distanceFromAthPct <= BEAR_MARKET_PCT) {
    return { condition: "bear_market", label: `Bear market: ${Math.abs(distanceFromAthPct).toFixed(1)}% below its all-time high` };
  }
  return { condition: "neutral", label: `Neutral: ${Math.abs(distanceFromAthPct).toFixed(1)}% below its all-time high` };
}

export interface MarketSnapshot {
  priceUsd: number | null;
  marketCapUsd: number | null;
  volume24hUsd: number | null;
  change24hPct: number | null;
  change7dPct: number | null;
  change30dPct: number | null;
  high24hUsd: number | null;
  low24hUsd: number | null;
  rank: number | null;
  athUsd: number | null;
  athDate: string | null;
  distanceFromAthPct: number | null;
  condition: MarketCondition | null;
  conditionLabel: string;
  circulatingSupply: number | null;
  maxSupply: number | null;
  delisted: boolean;
}

export interface LivePrice {
  usd: number;
  usd_24h_change?: number;
  usd_24h_vol?: number;
}

const fin = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function buildMarketSnapshot(row: CatalogueRow, live: LivePrice | null): MarketSnapshot {
  const priceUsd = fin(live?.usd) ?? fin(row.currentPriceUsd);
  // a price above the recorded high is itself the new high
  const athUsd = priceUsd !== null && row.athUsd !== null ? Math.max(row.athUsd, priceUsd) : fin(row.athUsd);
  // rounded to 1e-9 so that 80 against 100 is exactly -20 (a bear market), not -19.999999999999996
  const distanceFromAthPct = priceUsd !== null && athUsd ? Number(((priceUsd / athUsd - 1) * 100).toFixed(9)) : null;
  const { condition, label } = marketCondition(distanceFromAthPct);
  return {
    priceUsd,
    marketCapUsd: fin(row.marketCapUsd),
    volume24hUsd: fin(live?.usd_24h_vol) ?? fin(row.totalVolumeUsd),
    change24hPct: fin(live?.usd_24h_change) ?? fin(row.priceChangePct24h),
    change7dPct: fin(row.priceChangePct7d),
    change30dPct: fin(row.priceChangePct30d),
    high24hUsd: fin(row.high24hUsd),
    low24hUsd: fin(row.low24hUsd),
    rank: row.marketCapRank,
    athUsd,
    athDate: row.athDate ? row.athDate.toISOString() : null,
    distanceFromAthPct,
    condition,
    conditionLabel: label,
    circulatingSupply: fin(row.circulatingSupply),
    maxSupply: fin(row.maxSupply),
    delisted: !row.isActive,
  };
}
