import { getTableColumns, sql } from "drizzle-orm";
import { ucieTokens, type DbOrTx } from "@ucie/db";
import type { DataSource, MarketCoin } from "./types";

const num = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const date = (v: string | null | undefined) => (v ? new Date(v) : null);

/** The catalogue row for one CoinGecko coin; symbols are stored upper-case. */
export function coinToRow(c: MarketCoin, source: DataSource) {
  return {
    coingeckoId: c.id,
    symbol: c.symbol.trim().toUpperCase(),
    name: c.name.trim(),
    marketCapRank: c.market_cap_rank ?? null,
    imageUrl: c.image ?? null,
    currentPriceUsd: num(c.current_price),
    marketCapUsd: num(c.market_cap),
    totalVolumeUsd: num(c.total_volume),
    priceChange24h: num(c.price_change_24h),
    priceChangePct1h: num(c.price_change_percentage_1h_in_currency),
    priceChangePct24h: num(c.price_change_percentage_24h),
    priceChangePct7d: num(c.price_change_percentage_7d_in_currency),
    priceChangePct30d: num(c.price_change_percentage_30d_in_currency),
    high24hUsd: num(c.high_24h),
    low24hUsd: num(c.low_24h),
    athUsd: num(c.ath),
    athChangePct: num(c.ath_change_percentage),
    athDate: date(c.ath_date),
    circulatingSupply: num(c.circulating_supply),
    totalSupply: num(c.total_supply),
    maxSupply: num(c.max_supply),
    fullyDilutedValuationUsd: num(c.fully_diluted_valuation),
    sparkline7d: c.sparkline_in_7d?.price?.length ? c.sparkline_in_7d.price : null,
    source: source === "live" ? "live" : "snapshot",
    isActive: true,
    lastUpdated: date(c.last_updated),
  };
}

/** Insert or update coins by CoinGecko id in one statement. Returns how many rows were written. */
export async function upsertCoins(db: DbOrTx, coins: MarketCoin[], source: DataSource): Promise<number> {
  if (coins.length === 0) return 0;
  const rows = coins.map((c) => coinToRow(c, source));
  // every column but the key takes the incoming value; "excluded" is the row that hit the conflict
  const set = Object.fromEntries(
    Object.keys(rows[0]!)
      .filter((k) => k !== "coingeckoId")
      .map((k) => [k, sql.raw(`excluded."${columnName(k)}"`)]),
  );
  await db
    .insert(ucieTokens)
    .values(rows)
    .onConflictDoUpdate({ target: ucieTokens.coingeckoId, set: set as never });
  return rows.length;
}

const tokenColumns = getTableColumns(ucieTokens);
/** The SQL name of a ucie_tokens column: explicit where the schema names it, else snake_case of its key. */
function columnName(key: string): string {
  const col = tokenColumns[key as keyof typeof tokenColumns];
  if (col && col.name !== key) return col.name;
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
