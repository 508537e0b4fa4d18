/**
 * Catalogue search, best match first: exact ticker (or exact CoinGecko id), then ticker prefix, then
 * name prefix, then a fuzzy name match (pg_trgm). Each tier is its own indexed query (the lower()
 * text_pattern_ops btree indexes for exact and prefix matches, the GIN trigram index for the fuzzy tier),
 * and the fuzzy tier runs only when the first three did not fill the page, so search stays fast on
 * CoinGecko's whole list of ~17,000 coins (bench/search.bench.ts).
 */
import { sql, type SQL } from "drizzle-orm";
import { execute, type DbOrTx } from "@ucie/db";

/** `id`: the query is the coin's CoinGecko id (ranked with exact tickers) */
export type MatchKind = "symbol" | "id" | "symbol-prefix" | "name-prefix" | "fuzzy";
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

type Row = Omit<SearchHit, "match"> & { tier: number };

/** LIKE pattern for "starts with q" with q's own % _ \ taken literally */
function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const ORDER = sql`t.is_active desc, t.market_cap_rank asc nulls last, t.coingecko_id`;
const SEARCH_TEXT = sql`(lower(t.symbol) || ' ' || lower(t.name))`;

/** the hits of a `candidates (id, tier, score)` CTE, one per coin at its best tier, in display order */
function hitsFrom(candidates: SQL, n: number): SQL {
  return sql`
    with candidates as (${candidates}),
    best as (select distinct on (id) id, tier, score from candidates order by id, tier, score desc)
    select t.coingecko_id as "id", t.symbol, t.name, case when t.logo_etag is not null then '/logos/' || t.coingecko_id || '?v=' || t.logo_etag end as "logo", t.market_cap_rank as "rank",
      t.is_active as "isActive", t.current_price_usd as "priceUsd", b.tier,
      exists (
        select 1 from ucie_tokens o
        where o.symbol = t.symbol and o.is_active and o.coingecko_id <> t.coingecko_id and o.market_cap_rank is not null
          and (t.market_cap_rank is null or not t.is_active or o.market_cap_rank < t.market_cap_rank)
      ) as "tickerOwnedByHigherRank"
    from best b join ucie_tokens t on t.id = b.id
    order by b.tier, b.score desc, ${ORDER}
    limit ${n}`;
}

/**
 * How long a search answer is reused: a catalogue sync in this process clears the cache at once; other
 * instances, and on-demand prices shown in the hits, catch up within this time.
 */
export const SEARCH_CACHE_TTL_MS = 15_000;

/** the query as searched: trimmed, lower case, single spaces */
export function normaliseQuery(query: string): string {
  return query.trim().toLowerCase().replace(/\s+/g, " ");
}

export async function searchTokens(db: DbOrTx, query: string, limit = 10): Promise<SearchHit[]> {
  const q = normaliseQuery(query);
  if (!q) return [];
  const n = Math.max(1, Math.min(limit, 50));
  const prefix = `${escapeLike(q)}%`;
  // enough candidates per tier that the merge can fill `n` even when tiers overlap
  const per = n * 2;
  const { rows: direct } = await execute<Row>(
    db,
    hitsFrom(
      sql`
          (select t.id, 0 as tier, 1::real as score from ucie_tokens t where lower(t.symbol) = ${q} or t.coingecko_id = ${q} order by ${ORDER} limit ${per})
          union all
          (select t.id, 1, 1::real from ucie_tokens t where lower(t.symbol) like ${prefix} order by ${ORDER} limit ${per})
          union all
          (select t.id, 2, 1::real from ucie_tokens t where lower(t.name) like ${prefix} order by ${ORDER} limit ${per})`,
      n,
    ),
  );
  let fuzzy: Row[] = [];
  if (direct.length < n && q.length >= 3) {
    const seen = direct.map((r) => r.id);
    const exclude = seen.length
      ? sql`and t.coingecko_id not in (${sql.join(
          seen.map((id) => sql`${id}`),
          sql`, `,
        )})`
      : sql``;
    const fuzzyQuery = hitsFrom(
      sql`select t.id, 3 as tier, similarity(${SEARCH_TEXT}, ${q}) as score from ucie_tokens t
          where (${SEARCH_TEXT} % ${q} or ${SEARCH_TEXT} like ${`%${prefix}`}) ${exclude}
          order by 3 desc, ${ORDER} limit ${per}`,
      n - direct.length,
    );
    fuzzy = await db.transaction(async (tx) => {
      // The planner prices similarity() as cheap and picks a sequential scan that computes trigrams for
      // every row (about 6x slower at 17,000 coins than the GIN index it skips); steer it to the index.
      await tx.execute(sql`set local enable_seqscan = off`);
      return (await execute<Row>(tx, fuzzyQuery)).rows;
    });
  }
  return [...direct, ...fuzzy].map(({ tier, ...hit }) => ({
    ...hit,
    rank: hit.rank === null ? null : Number(hit.rank),
    priceUsd: hit.priceUsd === null ? null : Number(hit.priceUsd),
    match: Number(tier) === 0 && hit.symbol.toLowerCase() !== q ? "id" : (KINDS[Number(tier)] ?? "fuzzy"),
  }));
}
