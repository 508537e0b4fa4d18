import { and, eq, getTableColumns, notInArray, sql } from "drizzle-orm";
import { execute, ucieTokens, type DbOrTx } from "@ucie/db";
import type { Services } from "../services";
import type { DataSource, MarketCoin } from "./types";

const num = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const date = (v: string | null | undefined) => (v ? new Date(v) : null);

/** The catalogue row for one CoinGecko coin; symbols are stored upper-case. */
export function coinToRow(c: MarketCoin, source: DataSource, ranked = true) {
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
    ranked,
    lastUpdated: date(c.last_updated),
  };
}

/** Insert or update coins by CoinGecko id in one statement. Returns how many rows were written. */
export async function upsertCoins(db: DbOrTx, coins: MarketCoin[], source: DataSource, opts: { ranked?: boolean } = {}): Promise<number> {
  if (coins.length === 0) return 0;
  const rows = coins.map((c) => coinToRow(c, source, opts.ranked ?? true));
  // every column but the key takes the incoming value; "excluded" is the row that hit the conflict
  const set = Object.fromEntries(
    Object.keys(rows[0]!)
      .filter((k) => k !== "coingeckoId")
      .map((k) => [k, sql.raw(`excluded."${columnName(k)}"`)]),
  );
  await db.insert(ucieTokens).values(rows).onConflictDoUpdate({ target: ucieTokens.coingeckoId, set: set });
  return rows.length;
}

const tokenColumns = getTableColumns(ucieTokens);
/** The SQL name of a ucie_tokens column: explicit where the schema names it, else snake_case of its key. */
function columnName(key: string): string {
  const col = tokenColumns[key as keyof typeof tokenColumns];
  if (col && col.name !== key) return col.name;
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export interface CatalogueSyncResult {
  /** where the list came from: `live` (CoinGecko) or `snapshot` (offline, or `auto` with CoinGecko down) */
  source: DataSource;
  asOf: Date;
  /** ids new to the catalogue */
  added: string[];
  /** how many known coins got fresh figures */
  updated: number;
  /** ids that were inactive and are back in the list */
  reactivated: string[];
  /** ids that left the list: kept with their last price and time, shown as delisted */
  deactivated: string[];
  /** why some of the work was skipped, when it was */
  note?: string;
}

/** Coins the catalogue sync asks for: CoinGecko's top 250 (one page). */
export const CATALOGUE_SIZE = 250;

/**
 * Refresh the token catalogue from the market source: upsert the top 250 on `coingecko_id` (symbols
 * upper-case), mark coins that left the list inactive (their last price and `last_updated` stay), in one
 * transaction serialised by an advisory lock so concurrent runs (CLI and scheduler) cannot interleave.
 * A list from the offline snapshot never delists anything, and writes nothing once a live sync has
 * run: the snapshot is older than any live row.
 */
export async function syncCatalogue(
  services: Pick<Services, "db" | "market" | "logger">,
  signal?: AbortSignal,
): Promise<CatalogueSyncResult> {
  const top = await services.market.topCoins(CATALOGUE_SIZE, signal);
  const byId = new Map<string, MarketCoin>();
  for (const c of top.data) if (c.id && !byId.has(c.id)) byId.set(c.id, c); // pages can overlap: one row per id
  const incoming = [...byId.values()];
  const live = top.source === "live";

  const result = await services.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('ucie:catalogue-sync'))`);
    const existing = await tx
      .select({ id: ucieTokens.coingeckoId, isActive: ucieTokens.isActive, source: ucieTokens.source, ranked: ucieTokens.ranked })
      .from(ucieTokens);
    const known = new Map(existing.map((r) => [r.id, r]));
    // once a live sync has run, the catalogue is newer than the 2021 snapshot: an offline list writes nothing
    const hasLive = existing.some((r) => r.source === "live");
    const toWrite = live || !hasLive ? incoming : [];
    await upsertCoins(tx, toWrite, top.source);

    const added = toWrite.filter((c) => !known.has(c.id)).map((c) => c.id);
    const reactivated = toWrite.filter((c) => known.get(c.id)?.isActive === false).map((c) => c.id);
    let deactivated: string[] = [];
    let note: string | undefined;
    const activeBefore = existing.filter((r) => r.isActive).length;
    if (!live) {
      if (hasLive) note = "the catalogue holds live data, newer than the offline snapshot: nothing was written";
    } else if (incoming.length < Math.min(CATALOGUE_SIZE, activeBefore) / 2) {
      // a truncated answer must not delist half the catalogue
      note = `only ${incoming.length} coins in the list; nothing was delisted`;
    } else {
      const ids = incoming.map((c) => c.id);
      const leaving = and(eq(ucieTokens.isActive, true), eq(ucieTokens.ranked, true), notInArray(ucieTokens.coingeckoId, ids));
      if (existing.some((r) => !r.ranked)) {
        // the whole list is loaded: a coin that left the top 250 is still listed, so it becomes unranked
        // (priced on demand) rather than delisted; the list sync delists what CoinGecko no longer lists
        await tx.update(ucieTokens).set({ ranked: false, marketCapRank: null }).where(leaving);
      } else {
        const rows = await tx
          .update(ucieTokens)
          .set({ isActive: false, updatedAt: new Date() })
          .where(leaving)
          .returning({ id: ucieTokens.coingeckoId });
        deactivated = rows.map((r) => r.id);
      }
    }
    return {
      source: top.source,
      asOf: top.asOf,
      added,
      updated: toWrite.length - added.length,
      reactivated,
      deactivated,
      ...(note ? { note } : {}),
    };
  });
  services.logger.info(
    {
      source: result.source,
      added: result.added.length,
      updated: result.updated,
      deactivated: result.deactivated.length,
      reactivated: result.reactivated.length,
    },
    "token catalogue synced",
  );
  return result;
}

export interface CoinListSyncResult {
  source: DataSource;
  /** coins CoinGecko lists */
  listed: number;
  /** unranked coins new to the catalogue */
  added: number;
  /** unranked coins CoinGecko no longer lists: kept, shown as delisted */
  delisted: number;
  note?: string;
}

/** rows per insert statement (6 parameters a row, well under the 65,535 parameter limit) */
const LIST_BATCH = 2000;

/**
 * Load CoinGecko's whole /coins/list (about 17,000 coins: id, symbol, name) into the catalogue as
 * unranked coins, in set-based batches, in one transaction under the catalogue lock. Ranked rows (the top
 * 250, kept priced by the catalogue sync) are left alone; unranked rows get the listed symbol and name,
 * and those no longer listed are marked inactive. Offline (or with CoinGecko down), nothing is written:
 * the snapshot's coins remain all there is.
 */
export async function syncCoinList(
  services: Pick<Services, "db" | "market" | "logger">,
  signal?: AbortSignal,
): Promise<CoinListSyncResult> {
  const list = await services.market.coinsList(signal);
  if (list.source !== "live") {
    return { source: list.source, listed: list.data.length, added: 0, delisted: 0, note: "offline: the snapshot's coins are all there is" };
  }
  const byId = new Map<string, { id: string; symbol: string; name: string }>();
  for (const c of list.data) {
    const id = c.id.trim();
    if (id && id.length <= 100 && !byId.has(id))
      byId.set(id, { id, symbol: c.symbol.trim().slice(0, 50), name: c.name.trim().slice(0, 200) || id });
  }
  const coins = [...byId.values()];
  const result = await services.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('ucie:catalogue-sync'))`);
    const [before] = await tx.select({ n: sql<number>`count(*)::int` }).from(ucieTokens);
    // the whole transaction shares one now(): every listed row is stamped with it, so rows left older
    // than it are the unranked coins CoinGecko stopped listing
    const [{ started }] = (await execute<{ started: string }>(tx, sql`select now()::text as started`)).rows as [{ started: string }];
    for (let i = 0; i < coins.length; i += LIST_BATCH) {
      const rows = coins.slice(i, i + LIST_BATCH).map((c) => ({
        coingeckoId: c.id,
        symbol: c.symbol.toUpperCase(),
        name: c.name,
        ranked: false,
        isActive: true,
        source: "live",
        updatedAt: sql`now()`,
      }));
      await tx
        .insert(ucieTokens)
        .values(rows)
        .onConflictDoUpdate({
          target: ucieTokens.coingeckoId,
          set: { symbol: sql`excluded.symbol`, name: sql`excluded.name`, isActive: true, updatedAt: sql`now()` },
          setWhere: eq(ucieTokens.ranked, false),
        });
    }
    const [after] = await tx.select({ n: sql<number>`count(*)::int` }).from(ucieTokens);
    let delisted = 0;
    let note: string | undefined;
    if (coins.length < 1000) {
      note = `only ${coins.length} coins in the list; nothing was delisted`;
    } else {
      const gone = await tx
        .update(ucieTokens)
        .set({ isActive: false })
        .where(and(eq(ucieTokens.ranked, false), eq(ucieTokens.isActive, true), sql`${ucieTokens.updatedAt} < ${started}::timestamptz`))
        .returning({ id: ucieTokens.coingeckoId });
      delisted = gone.length;
    }
    return {
      source: list.source,
      listed: coins.length,
      added: Number(after?.n ?? 0) - Number(before?.n ?? 0),
      delisted,
      ...(note ? { note } : {}),
    };
  });
  services.logger.info({ listed: result.listed, added: result.added, delisted: result.delisted }, "coin list synced");
  return result;
}

export interface PriceRefreshResult {
  source: DataSource;
  /** catalogue rows given fresh figures */
  updated: number;
  note?: string;
}

/**
 * Between daily catalogue syncs, keep prices current for the watchlist and the alert evaluator: the top 250
 * come in one /coins/markets call; coins that users follow outside it come in batched /simple/price calls.
 * Only live data is written: an offline or fallen-back answer would put 2021 prices over today's.
 */
export async function refreshPrices(
  services: Pick<Services, "db" | "market" | "logger">,
  signal?: AbortSignal,
): Promise<PriceRefreshResult> {
  const top = await services.market.topCoins(CATALOGUE_SIZE, signal);
  if (top.source !== "live") return { source: top.source, updated: 0, note: "no live prices: nothing written" };
  const known = new Set((await services.db.select({ id: ucieTokens.coingeckoId }).from(ucieTokens)).map((r) => r.id));
  // only coins already in the catalogue: adding and delisting is the daily sync's job
  const fresh = top.data.filter((c) => known.has(c.id));
  let updated = await upsertCoins(services.db, fresh, "live");

  const inTop = new Set(top.data.map((c) => c.id));
  const { rows: followed } = await execute<{ id: string }>(
    services.db,
    sql`
    select distinct coin_id as id from ucie_alerts where enabled
    union select distinct coin_id from ucie_watchlist`,
  );
  const outside = followed.map((r) => r.id).filter((id) => known.has(id) && !inTop.has(id));
  for (let i = 0; i < outside.length; i += 100) {
    const batch = outside.slice(i, i + 100);
    const prices = await services.market.prices(batch, signal);
    if (prices.source !== "live") break;
    const entries = Object.entries(prices.data).filter(([, p]) => Number.isFinite(p.usd));
    if (entries.length === 0) continue;
    // one statement for the whole batch
    const values = sql.join(
      entries.map(([id, p]) => sql`(${id}, ${p.usd}::float8, ${p.usd_24h_change ?? null}::float8, ${p.usd_24h_vol ?? null}::float8)`),
      sql`, `,
    );
    await services.db.execute(sql`
      update ucie_tokens t set
        current_price_usd = v.usd,
        price_change_pct_24h = coalesce(v.change, t.price_change_pct_24h),
        total_volume_usd = coalesce(v.vol, t.total_volume_usd),
        last_updated = ${prices.asOf.toISOString()}::timestamptz,
        source = 'live'
      from (values ${values}) as v(id, usd, change, vol)
      where t.coingecko_id = v.id`);
    updated += entries.length;
  }
  return { source: "live", updated };
}
