/**
 * `screener.run` under load from outside: a filtered, sorted page of 50 stored signal rows (about 24 KB),
 * autocannon at 50 connections from many visitor addresses, against `system.ping` measured in the same run
 * (the better of a run before and one after), with the server's CPU time per answer.
 *
 * `pnpm bench` runs it on its own server; alone (`node --import tsx bench/screener.bench.ts`, from the
 * repository root or bench/) it starts one on PGlite, and on Postgres too when BENCH_DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fromVisitors, load, runStandalone, scratchDatabase, spawnServer, type LoadResult } from "./lib";

export interface ScreenerLoadResult {
  ping: LoadResult;
  screener: LoadResult;
  /** screener req/s over ping req/s (target >= 0.5) */
  ratio: number;
  p99Ratio: number;
}

const input = (json: object) => `input=${encodeURIComponent(JSON.stringify({ json }))}`;
export const SCREENER_PATH = `/trpc/screener.run?${input({ filters: { rsiBelow: 70, minMarketCap: 1e8 }, sort: { by: "change7d", dir: "desc" }, limit: 50 })}`;

/**
 * Until the start-up jobs are done: the screener job writes a row per coin at start-up (on PGlite in the
 * server's own process, for tens of seconds on a loaded machine), so wait until the row count stops growing.
 */
export async function startupJobsDone(serverUrl: string): Promise<void> {
  const allUrl = `${serverUrl}/trpc/screener.run?${input({ limit: 250 })}`;
  let last = -1;
  for (let i = 0; i < 120; i++) {
    const body = (await (await fetch(allUrl)).json()) as { result?: { data?: { json?: { rows?: unknown[] } } } };
    const n = body.result?.data?.json?.rows?.length ?? 0;
    if (n > 0 && n === last) return;
    last = n;
    await new Promise((r) => setTimeout(r, 11_000)); // longer than the page cache
  }
}

/** Needs a server started with TRUST_PROXY=true (the visitors' addresses come in X-Forwarded-For). */
export async function benchScreener(server: { url: string; pid: number }): Promise<ScreenerLoadResult> {
  await startupJobsDone(server.url);
  // many visitors, as in the search row: one address would be refused after its anonymous budget
  const screenerRequests = fromVisitors([{ method: "GET", path: SCREENER_PATH }]);
  const pings = fromVisitors([{ method: "GET", path: "/trpc/system.ping" }]);
  await load({ url: server.url, requests: pings, duration: 2 });
  await load({ url: server.url, requests: screenerRequests, duration: 2 });
  // ping before and after, the better of the two, so drift during the run does not favour the screener
  const pingA = await load({ url: server.url, requests: pings, serverPid: server.pid });
  const screener = await load({ url: server.url, requests: screenerRequests, serverPid: server.pid });
  const pingB = await load({ url: server.url, requests: pings, serverPid: server.pid });
  const ping = pingA.requestsPerSec >= pingB.requestsPerSec ? pingA : pingB;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    ping,
    screener,
    ratio: round(screener.requestsPerSec / ping.requestsPerSec),
    p99Ratio: round(screener.p99Ms / Math.max(1, ping.p99Ms)),
  };
}

/** The same on a server of its own: PGlite, or Postgres at `databaseUrl` (a scratch database). */
export async function benchScreenerAlone(databaseUrl?: string): Promise<ScreenerLoadResult & { database: string }> {
  const scratch = databaseUrl ? await scratchDatabase(databaseUrl) : null;
  const dataDir = scratch ? undefined : mkdtempSync(path.join(os.tmpdir(), "ucie-screener-bench-"));
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
    return { database: databaseUrl ? "Postgres" : "PGlite", ...(await benchScreener(server)) };
  } finally {
    await server.stop();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await runStandalone(import.meta.url, "screener-load", async () => {
  const out: Record<string, unknown> = {};
  for (const url of ["", process.env.BENCH_DATABASE_URL].filter((u, i) => i === 0 || u)) {
    const r = await benchScreenerAlone(url || undefined);
    out[r.database] = r;
    console.log(
      `${r.database}: screener ${r.screener.requestsPerSec} req/s p99 ${r.screener.p99Ms} ms (non-2xx ${r.screener.non2xx}, server CPU ${r.screener.serverCpuUsPerAnswer} µs/answer); ping ${r.ping.requestsPerSec} req/s p99 ${r.ping.p99Ms} ms (${r.ping.serverCpuUsPerAnswer} µs/answer); ratios ${r.ratio} / p99 ${r.p99Ratio}`,
    );
  }
  return out;
});
