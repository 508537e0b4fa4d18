/**
 * Catalogue search, best match first: exact ticker, then ticker prefix, then name (or id) prefix, then a
 * fuzzy name match (pg_trgm). Each tier is its own indexed query (the lower() text_pattern_ops btree
 * indexes for the prefixes, the GIN trigram index for the fuzzy tier) so it stays fast on CoinGecko's
 * whole list of ~17,000 coins; the tiers are merged keeping each coin's best tier.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@ucie/db";

export type MatchKind = "symbol" | "symbol-prefix" | "name-prefix" | "fuzzy";
const KINDS: MatchKind[] = ["symbol", "symbol-prefix", "name-prefix", "fuzzy"];

export interface SearchHit {
  id: string;
  symbol: string;
  name: string;
  logo: string | null;
  rank: number | null;
  isActive: boolean;
  priceUsd: number | null;
  match: MatchKind;
  /** an active coin with a better market-cap rank has the same ticker: the ticker alone means that coin */
  tickerOwnedByHigherRank: boolean;
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** LIKE pattern for "starts with q" with q's own % _ \ taken literally */
function prefixPattern(q: string): string {
  return `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function searchTokens(db: DbOrTx, query: string, limit = 10): Promise<SearchHit[]> {
  const q = query.trim().toLowerCase().replace(/\s+/g, " ");
  if (!q) return [];
  const n = Math.max(1, Math.min(limit, 50));
  const prefix = prefixPattern(q);
  const expr = sql`(lower(t.symbol) || ' ' || lower(t.name))`;
  // enough candidates per tier that the merge can fill `n` even when tiers overlap
  const per = n * 2;
  const order = sql`t.is_active desc, t.market_cap_rank asc nulls last, t.coingecko_id`;
  const fuzzy =
    q.length >= 3
      ? sql`union all
        (select t.id, 3 as tier, similarity(${expr}, ${q}) as score from ucie_tokens t
          where ${expr} % ${q} or ${expr} like ${`%${prefix}`}
          order by 3 desc, ${order} limit ${per})`
      : sql``;
  const result = await db.execute(sql`
    with candidates as (
      (select t.id, 0 as tier, 1::real as score from ucie_tokens t where lower(t.symbol) = ${q} order by ${order} limit ${per})
      union all
      (select t.id, 1 as tier, 1::real from ucie_tokens t where lower(t.symbol) like ${prefix} order by ${order} limit ${per})
      union all
      (select t.id, 2 as tier, 1::real from ucie_tokens t where lower(t.name) like ${prefix} or t.coingecko_id like ${prefix} order by ${order} limit ${per})
      ${fuzzy}
    ),
    best as (
      select distinct on (id) id, tier, score from candidates order by id, tier, score desc
    )
    select t.coingecko_id as "id", t.symbol, t.name, t.image_url as "logo", t.market_cap_rank as "rank",
      t.is_active as "isActive", t.current_price_usd as "priceUsd", b.tier,
      exists (
        select 1 from ucie_tokens o
        where o.symbol = t.symbol and o.is_active and o.coingecko_id <> t.coingecko_id
          and o.market_cap_rank is not null
          and (t.market_cap_rank is null or not t.is_active or o.market_cap_rank < t.market_cap_rank)
      ) as "tickerOwnedByHigherRank"
    from best b join ucie_tokens t on t.id = b.id
    order by b.tier, b.score desc, ${order}
    limit ${n}`);
  return rowsOf<Omit<SearchHit, "match"> & { tier: number }>(result).map(({ tier, ...hit }) => ({
    ...hit,
    rank: hit.rank === null ? null : Number(hit.rank),
    priceUsd: hit.priceUsd === null ? null : Number(hit.priceUsd),
    match: KINDS[Number(tier)] ?? "fuzzy",
  }));
}
