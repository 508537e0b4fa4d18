/**
 * Analysis benchmark: the time to the first event of an analysis whose types are all cached (target:
 * under 100 ms, the first phase on screen), and the time for a full uncached four-phase analysis, both
 * against the real server process with every market API served by the local fake upstream.
 * `benchAnalysis()` starts its own server on a fresh PGlite directory; `benchAnalysis(url)` measures a
 * running server, signed in with BENCH_SESSION_TOKEN (that server should point at a fake upstream).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createServices, createSession } from "@ucie/api";
import { startFakeUpstream, type FakeUpstream } from "@ucie/api/testing";
import { createDb, migrate, users } from "@ucie/db";
import { spawnServerProcess, type ServerProcess } from "@ucie/server/process";
import { createTestClient, type TestClient } from "@ucie/server/testing";
import { runStandalone } from "./lib";

export interface AnalysisBenchResult {
  cachedFirstEventMs: { p50: number; p99: number };
  uncachedFullMs: { p50: number; p99: number };
}

/** coins of the bundled snapshot, each analysed once uncached */
const UNCACHED_COINS = [
  "bitcoin",
  "ethereum",
  "tether",
  "binancecoin",
  "cardano",
  "dogecoin",
  "ripple",
  "usd-coin",
  "polkadot",
  "uniswap",
  "solana",
  "chainlink",
];
const CACHED_RUNS = 40;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]! * 10) / 10;
};
const sid = () => `bench${Math.random().toString(36).slice(2, 14)}`;

/** ms to the first event and to the end of one analysis */
function timeAnalysis(client: TestClient, symbol: string, refresh = false): Promise<{ firstMs: number; fullMs: number; phases: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstMs = -1;
    let phases = 0;
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`analysis of ${symbol} did not finish in 60 s`));
    }, 60_000);
    const sub = client.trpc.analysis.stream.subscribe(
      { symbol, sessionId: sid(), refresh },
      {
        onData() {
          if (firstMs < 0) firstMs = performance.now() - started;
          phases++;
        },
        onError(err) {
          clearTimeout(timer);
          reject(err);
        },
        onComplete() {
          clearTimeout(timer);
          resolve({ firstMs, fullMs: performance.now() - started, phases });
        },
      },
    );
  });
}

export async function benchAnalysis(baseUrl?: string): Promise<AnalysisBenchResult> {
  let up: FakeUpstream | undefined;
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  let token = process.env.BENCH_SESSION_TOKEN ?? "";
  try {
    if (!baseUrl) {
      up = await startFakeUpstream();
      dataDir = mkdtempSync(path.join(os.tmpdir(), "ucie-bench-analysis-"));
      // seed a signed-in user before the server opens the database (PGlite allows one process)
      const database = await createDb({ dataDir: path.join(dataDir, "pglite") });
      await migrate(database);
      const [user] = await database.db
        .insert(users)
        .values({ email: "bench-analysis@example.com", passwordHash: "x", emailVerified: true })
        .returning({ id: users.id });
      const services = createServices(database);
      token = (await createSession(database.db, user!.id, services.clock, services.sessionPolicy)).token;
      await database.close();
      server = await spawnServerProcess({ DATA_DIR: dataDir, MARKET_DATA: "live", LOG_LEVEL: "warn", ...up.env }, { built: true });
      baseUrl = server.url;
    }
    if (!token) throw new Error("benchAnalysis(url) needs BENCH_SESSION_TOKEN: a session token valid on that server");
    const client = createTestClient(baseUrl);
    client.cookies.set("ucie_session", token);

    // uncached: a coin no one has asked for yet, through all four phases
    const full: number[] = [];
    for (const coin of UNCACHED_COINS) {
      const r = await timeAnalysis(client, coin);
      if (r.phases !== 4) throw new Error(`analysis of ${coin} sent ${r.phases} phases`);
      full.push(r.fullMs);
    }
    // cached: new sessions for a coin whose every type is in the cache
    const first: number[] = [];
    for (let i = 0; i < CACHED_RUNS; i++) first.push((await timeAnalysis(client, UNCACHED_COINS[i % 4]!)).firstMs);
    return {
      cachedFirstEventMs: { p50: percentile(first, 0.5), p99: percentile(first, 0.99) },
      uncachedFullMs: { p50: percentile(full, 0.5), p99: percentile(full, 0.99) },
    };
  } finally {
    await server?.stop();
    await up?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await runStandalone(import.meta.url, "analysis", () => benchAnalysis(process.argv[2]));
