/** The catalogue as the API shows it: one token's public shape, and the ranked list. */
import { sql } from "drizzle-orm";
import { ucieTokens, type DbOrTx } from "@ucie/db";
import { logoPath } from "./logos";
import { loadBitcoinCsv, offlineCandles } from "./offline";
import { SNAPSHOT_DATE } from "./snapshot";
import type { TokenRow } from "./resolve";
import type { DataSource } from "./types";

export interface TokenDto {
  /** the CoinGecko id: the coin's identity */
  id: string;
  /** upper-case ticker (display data; not unique) */
  symbol: string;
  name: string;
  logo: string | null;
  rank: number | null;
  priceUsd: number | null;
  change1hPct: number | null;
  change24hPct: number | null;
  change7dPct: number | null;
  change30dPct: number | null;
  marketCapUsd: number | null;
  volume24hUsd: number | null;
  high24hUsd: number | null;
  low24hUsd: number | null;
  athUsd: number | null;
  athChangePct: number | null;
  athDate: Date | null;
  circulatingSupply: number | null;
  totalSupply: number | null;
  maxSupply: number | null;
  fullyDilutedValuationUsd: number | null;
  /** 7 days of prices, oldest first, or null */
  sparkline7d: number[] | null;
  /** where the sparkline came from: the catalogue row's own source, or `simulated` (offline) */
  sparklineSource: DataSource | null;
  /** false when the coin left CoinGecko's top list: its figures are its last known ones */
  isActive: boolean;
  /** false for a coin outside the top 250: known from CoinGecko's full list, priced on demand */
  ranked: boolean;
  /** where the figures came from */
  source: DataSource;
  /** when the source priced the coin */
  asOf: Date | null;
}

/** Offline rows carry no sparkline: derive one from the offline history, labelled with its own source. */
function offlineSparkline(row: TokenRow): { points: number[]; source: DataSource } | null {
  if (row.coingeckoId === "bitcoin") {
    const day = Math.floor(SNAPSHOT_DATE.getTime() / 86_400_000) * 86_400_000;
    return {
      points: loadBitcoinCsv()
        .filter((c) => c.t <= day)
        .slice(-8)
        .map((c) => c.close),
      source: "snapshot",
    };
  }
  if (row.currentPriceUsd == null) return null;
  const candles = offlineCandles(
    { id: row.coingeckoId, symbol: row.symbol, current_price: row.currentPriceUsd, total_volume: row.totalVolumeUsd },
    8,
  );
  return candles.length ? { points: candles.map((c) => c.close), source: "simulated" } : null;
}

export function toTokenDto(row: TokenRow): TokenDto {
  const source: DataSource = row.source === "live" ? "live" : "snapshot";
  let sparkline7d = row.sparkline7d?.length ? row.sparkline7d : null;
  let sparklineSource: DataSource | null = sparkline7d ? source : null;
  if (!sparkline7d && source === "snapshot") {
    const s = offlineSparkline(row);
    if (s) ({ points: sparkline7d, source: sparklineSource } = s);
  }
  return {
    id: row.coingeckoId,
    symbol: row.symbol,
    name: row.name,
    logo: logoPath(row.coingeckoId, row.logoEtag),
    rank: row.marketCapRank,
    priceUsd: row.currentPriceUsd,
    change1hPct: row.priceChangePct1h,
    change24hPct: row.priceChangePct24h,
    change7dPct: row.priceChangePct7d,
    change30dPct: row.priceChangePct30d,
    marketCapUsd: row.marketCapUsd,
    volume24hUsd: row.totalVolumeUsd,
    high24hUsd: row.high24hUsd,
    low24hUsd: row.low24hUsd,
    athUsd: row.athUsd,
    athChangePct: row.athChangePct,
    athDate: row.athDate,
    circulatingSupply: row.circulatingSupply,
    totalSupply: row.totalSupply,
    maxSupply: row.maxSupply,
    fullyDilutedValuationUsd: row.fullyDilutedValuationUsd,
    sparkline7d,
    sparklineSource,
    isActive: row.isActive,
    ranked: row.ranked,
    source,
    asOf: row.lastUpdated,
  };
}

export interface TokenPage {
  items: TokenDto[];
  /** pass back as `cursor` for the next page; null on the last page */
  nextCursor: number | null;
  /** the catalogue's freshest source and time: `live` when any active row is live */
  source: DataSource | null;
  asOf: Date | null;
  total: number;
}

/** Tokens by market-cap rank, active coins first (delisted ones after, with their last figures). */
export async function listTokens(db: DbOrTx, limit: number, cursor = 0): Promise<TokenPage> {
  const rows = await db
    .select()
    .from(ucieTokens)
    .orderBy(sql`${ucieTokens.isActive} desc, ${ucieTokens.marketCapRank} asc nulls last, ${ucieTokens.coingeckoId}`)
    .limit(limit + 1)
    .offset(cursor);
  const [summary] = await db
    .select({
      total: sql<number>`count(*)::int`,
      live: sql<boolean>`coalesce(bool_or(${ucieTokens.source} = 'live' and ${ucieTokens.isActive}), false)`,
      asOf: sql<string | null>`max(${ucieTokens.lastUpdated}) filter (where ${ucieTokens.isActive})`,
    })
    .from(ucieTokens);
  const page = rows.slice(0, limit);
  return {
    items: page.map(toTokenDto),
    nextCursor: rows.length > limit ? cursor + limit : null,
    source: summary && summary.total > 0 ? (summary.live ? "live" : "snapshot") : null,
    asOf: summary?.asOf ? new Date(summary.asOf) : null,
    total: Number(summary?.total ?? 0),
  };
}
