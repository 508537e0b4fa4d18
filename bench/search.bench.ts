/**
 * Token search at CoinGecko's scale: a catalogue of 17,000 coins (the real snapshot's 100 plus generated
 * ones with realistic names, shared tickers, unranked long-tail coins and delisted ones), then
 * `tokens.search` through the real tRPC caller over a mix of queries: exact tickers, ticker prefixes,
 * name prefixes, typos (the trigram tier), single letters and misses. Reports p50/p99 per query.
 *
 * Postgres comes from BENCH_DATABASE_URL (a server URL; a scratch database is created and dropped); without
 * it the bench runs on in-memory PGlite.
 *
 * Run alone: `node --import tsx bench/search.bench.ts` (writes bench/results/search.json).
 */
import { createCaller, createContextInner, createServices, loadSnapshot, upsertCoins, type MarketCoin } from "@ucie/api";
import { loadConfig } from "@ucie/config";
import { migrate, type Database } from "@ucie/db";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "@ucie/db";
import { startupJobsDone } from "./screener.bench";
import { fromVisitors, load, runStandalone, scratchDatabase, spawnServer, type LoadResult } from "./lib";

export const COINS = 17_000;
const WARMUP = 60;
const ROUNDS = 8;

// CoinGecko's long tail: mostly compound names built from a small vocabulary, many sharing tickers
const PREFIXES = [
  "Baby",
  "Mini",
  "Safe",
  "Wrapped",
  "Bridged",
  "Staked",
  "Super",
  "Meta",
  "Quantum",
  "Degen",
  "Based",
  "Turbo",
  "Golden",
  "Pepe",
  "Shiba",
  "Doge",
  "Floki",
  "Moon",
  "Solar",
  "Aave",
  "Bit",
  "Crypto",
  "Defi",
  "Ether",
  "Poly",
  "Arbi",
  "Opti",
  "Layer",
  "Zero",
  "Hyper",
];
const CORES = [
  "Bitcoin",
  "Ethereum",
  "Inu",
  "Swap",
  "Chain",
  "Finance",
  "Protocol",
  "Token",
  "Coin",
  "Cash",
  "DAO",
  "Network",
  "Verse",
  "Labs",
  "AI",
  "Yield",
  "Farm",
  "Pad",
  "Pay",
  "Link",
  "Dex",
  "Lend",
  "Vault",
  "Bridge",
  "Games",
  "Land",
  "Punks",
  "Cat",
  "Frog",
  "Dog",
];
const SUFFIXES = ["", "", "", " 2.0", " Classic", " X", " Pro", " Gold", " V2", " Inu", " Token", " Finance"];

/** a tiny seeded PRNG (mulberry32) so every run builds the same catalogue */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCatalogue(n: number): MarketCoin[] {
  const snapshot = loadSnapshot();
  const rand = rng(17);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const coins: MarketCoin[] = snapshot.map((c) => ({ ...c }));
  const ids = new Set(coins.map((c) => c.id));
  const realSymbols = snapshot.map((c) => c.symbol);
  while (coins.length < n) {
    const name = `${pick(PREFIXES)} ${pick(CORES)}${pick(SUFFIXES)}`.trim();
    let id = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    for (let k = 2; ids.has(id); k++) id = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${k}`;
    ids.add(id);
    // one in twenty copies a real ticker (the look-alikes); the rest are initials of their name
    const symbol =
      rand() < 0.05
        ? pick(realSymbols)
        : name
            .split(/\s+/)
            .map((w) => w.replace(/[^A-Za-z0-9]/g, "").slice(0, 1 + Math.floor(rand() * 3)))
            .join("")
            .slice(0, 6) || "X";
    const i = coins.length;
    // CoinGecko ranks only the coins it has a market cap for: about a third of the list
    const rank = i < 6_000 ? i + 1 : null;
    const price = Math.exp(rand() * 14 - 10);
    coins.push({
      id,
      symbol: symbol.toLowerCase(),
      name,
      image: null,
      current_price: price,
      market_cap: rank ? 1e9 / rank : null,
      market_cap_rank: rank,
      fully_diluted_valuation: null,
      total_volume: price * 1e5 * rand(),
      high_24h: null,
      low_24h: null,
      price_change_24h: null,
      price_change_percentage_24h: rand() * 20 - 10,
      circulating_supply: null,
      total_supply: null,
      max_supply: null,
      ath: null,
      ath_change_percentage: null,
      ath_date: null,
      last_updated: new Date().toISOString(),
    });
  }
  return coins;
}

export const QUERIES = [
  // exact tickers, some shared by look-alikes
  "btc",
  "eth",
  "uni",
  "doge",
  "link",
  "sol",
  "usdt",
  "ada",
  // ticker and name prefixes
  "bi",
  "sh",
  "do",
  "so",
  "wra",
  "baby",
  "shiba",
  "bitcoin",
  "ethereum c",
  "quantum sw",
  "moon",
  // typos and inner words: the trigram tier
  "etherum",
  "binanse",
  "polkdot",
  "chainlnk",
  "cardno",
  "inu",
  "finance",
  "protocol dao",
  // single letters and misses
  "a",
  "z",
  "zzqxj",
  "nothing-like-this",
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function benchSearch(
  databaseUrl = process.env.BENCH_DATABASE_URL,
): Promise<{ name: string; p50Ms: number; p99Ms: number; coins: number; queries: number; database: string; slowestQuery: string }> {
  const scratch = await scratchDatabase(databaseUrl);
  const { database } = scratch;
  const services = createServices(database, { config: loadConfig({ MARKET_DATA: "offline", LOG_LEVEL: "silent" }) });
  try {
    await migrate(database);
    const coins = generateCatalogue(COINS);
    for (let i = 0; i < coins.length; i += 1_000) await upsertCoins(database.db, coins.slice(i, i + 1_000), "snapshot");
    // the long tail's delisted coins; then VACUUM ANALYZE, as autovacuum would have done long before a
    // real catalogue of this size is searched (it also flushes the GIN index's pending list)
    if (database.raw.kind === "postgres") {
      await database.raw.sql.unsafe(
        `UPDATE ucie_tokens SET is_active = false WHERE market_cap_rank IS NULL AND abs(hashtext(coingecko_id)) % 10 = 0`,
      );
      await database.raw.sql.unsafe("VACUUM ANALYZE ucie_tokens");
    } else {
      await database.raw.client.exec(
        `UPDATE ucie_tokens SET is_active = false WHERE market_cap_rank IS NULL AND abs(hashtext(coingecko_id)) % 10 = 0`,
      );
      await database.raw.client.exec("VACUUM ANALYZE ucie_tokens");
    }

    const caller = createCaller(await createContextInner({ services }));
    for (let i = 0; i < WARMUP; i++) await caller.tokens.search({ query: QUERIES[i % QUERIES.length]!, limit: 10 });
    const times: number[] = [];
    const perQuery = new Map<string, number>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const query of QUERIES) {
        const t0 = performance.now();
        await caller.tokens.search({ query, limit: 10 });
        const ms = performance.now() - t0;
        times.push(ms);
        perQuery.set(query, Math.max(perQuery.get(query) ?? 0, ms));
      }
    }
    times.sort((a, b) => a - b);
    const slowest = [...perQuery].sort((a, b) => b[1] - a[1])[0]!;
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      name: "tokens.search",
      p50Ms: round(percentile(times, 50)),
      p99Ms: round(percentile(times, 99)),
      coins: coins.length,
      queries: times.length,
      database: databaseUrl ? "Postgres" : "PGlite",
      slowestQuery: `${slowest[0]} (${round(slowest[1])} ms)`,
    };
  } finally {
    await services.events.close();
    await scratch.drop();
  }
}

/** Seed the bench catalogue (17,000 coins, delisted tail, analysed) into a database. */
export async function seedCatalogue(database: Database): Promise<number> {
  await migrate(database);
  const coins = generateCatalogue(COINS);
  for (let i = 0; i < coins.length; i += 1_000) await upsertCoins(database.db, coins.slice(i, i + 1_000), "snapshot");
  const delist = `UPDATE ucie_tokens SET is_active = false WHERE market_cap_rank IS NULL AND abs(hashtext(coingecko_id)) % 10 = 0`;
  if (database.raw.kind === "postgres") {
    await database.raw.sql.unsafe(delist);
    await database.raw.sql.unsafe("VACUUM ANALYZE ucie_tokens");
  } else {
    await database.raw.client.exec(delist);
    await database.raw.client.exec("VACUUM ANALYZE ucie_tokens");
  }
  return coins.length;
}

export interface SearchLoadResult {
  database: string;
  coins: number;
  ping: LoadResult;
  search: LoadResult;
  /** search req/s over ping req/s (target >= 0.5) */
  throughputRatio: number;
  /** search p99 over ping p99 (target <= 2) */
  p99Ratio: number;
}

/**
 * `tokens.search` under load from outside: the real server process over a 17,000-coin catalogue, autocannon
 * at 50 connections cycling through QUERIES (every ranking tier, misses included), against `system.ping`
 * measured in the same run (the better of a run before and one after).
 */
export async function benchSearchLoad(databaseUrl = process.env.BENCH_DATABASE_URL): Promise<SearchLoadResult> {
  const scratch = databaseUrl ? await scratchDatabase(databaseUrl) : null;
  const dataDir = scratch ? undefined : mkdtempSync(path.join(os.tmpdir(), "ucie-search-bench-"));
  let coins: number;
  {
    const database = scratch?.database ?? (await createDb({ dataDir: path.join(dataDir!, "pglite") }));
    coins = await seedCatalogue(database);
    if (!scratch) await database.close();
  }
  const server = await spawnServer(
    {
      ...(scratch?.url ? { DATABASE_URL: scratch.url } : { DATA_DIR: dataDir! }),
      MARKET_DATA: "offline",
      ALERT_INTERVAL_SECONDS: "3600",
      TRUST_PROXY: "true",
    },
    40_000 + Math.floor(Math.random() * 10_000),
  );
  try {
    // measured once the start-up jobs are done (on PGlite they run in the server's own process)
    await startupJobsDone(server.url);
    // many visitors (anonymous calls are budgeted per address), the same wrapper for ping and search
    const requests = fromVisitors(
      QUERIES.map((query) => ({
        method: "GET" as const,
        path: `/trpc/tokens.search?input=${encodeURIComponent(JSON.stringify({ json: { query, limit: 10 } }))}`,
      })),
    );
    const pings = fromVisitors([{ method: "GET", path: "/trpc/system.ping" }]);
    await load({ url: server.url, requests: pings, duration: 2 });
    await load({ url: server.url, requests, duration: 2 });
    const pingBefore = await load({ url: server.url, requests: pings, serverPid: server.pid });
    const search = await load({ url: server.url, requests, serverPid: server.pid });
    const pingAfter = await load({ url: server.url, requests: pings, serverPid: server.pid });
    const ping = pingBefore.requestsPerSec >= pingAfter.requestsPerSec ? pingBefore : pingAfter;
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      database: databaseUrl ? "Postgres" : "PGlite",
      coins,
      ping,
      search,
      throughputRatio: round(search.requestsPerSec / ping.requestsPerSec),
      p99Ratio: round(search.p99Ms / Math.max(1, ping.p99Ms)),
    };
  } finally {
    await server.stop();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await runStandalone(import.meta.url, process.argv.includes("--load") ? "search-load" : "search", async () => {
  if (process.argv.includes("--load")) {
    const out: Record<string, unknown> = {};
    // PGlite always ("" = no server), Postgres too when BENCH_DATABASE_URL is set
    for (const url of ["", process.env.BENCH_DATABASE_URL].filter((u, i) => i === 0 || u)) {
      const r = await benchSearchLoad(url);
      out[r.database] = r;
      console.log(
        `${r.database}: search ${r.search.requestsPerSec} req/s p99 ${r.search.p99Ms} ms (non-2xx ${r.search.non2xx}, server CPU ${r.search.serverCpuUsPerAnswer} µs/answer); ping ${r.ping.requestsPerSec} req/s p99 ${r.ping.p99Ms} ms (${r.ping.serverCpuUsPerAnswer} µs/answer); ratios ${r.throughputRatio} / ${r.p99Ratio}`,
      );
    }
    return out;
  }
  return benchSearch();
});
