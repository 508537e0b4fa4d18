/**
 * What request metrics cost: `system.ping` on a server with METRICS_TOKEN set (every request counted and timed
 * for Prometheus) against an identical server without it, both fresh, in the same run (target: on / off >= 0.95).
 * The two are measured in alternating rounds (off then on, then on then off, ...) after a warm-up of each, and
 * the headline is the median of the rounds' own ratios, so drift from other work on the machine (one round
 * slower than the next) favours neither side. Each server's CPU time per answered request (from /proc) is
 * compared too: it depends far less on what else the machine runs than throughput does. The load average
 * before and after is recorded beside it. Both servers first run until their start-up jobs are done.
 *
 * Run alone: `node --import tsx bench/metrics.bench.ts` (PGlite; Postgres with BENCH_DATABASE_URL; needs the
 * built server: `pnpm --filter @ucie/server build`). `pnpm bench` runs it too.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ServerProcess } from "@ucie/server/process";
import { load, runStandalone, scratchDatabase, spawnServer, type LoadResult } from "./lib";

const ROUNDS = 7;
const SECONDS = 4;
const TOKEN = "bench-metrics-token-0123456789";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const loadAverage = () => os.loadavg().map((l) => Math.round(l * 10) / 10);
/** user + system CPU time of a process so far, in ms (Linux: /proc/<pid>/stat, 100 clock ticks a second) */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

export interface MetricsBench {
  /** req/s of every round, in order */
  on: number[];
  off: number[];
  /** on / off within each round */
  roundRatios: number[];
  /** the headline: the median of the rounds' ratios */
  ratio: number;
  /** server CPU µs per answered request, median of the rounds, and off / on (>= 0.95: metrics cost under 5 %) */
  cpuUsPerRequestOn: number;
  cpuUsPerRequestOff: number;
  cpuRatio: number;
  medianOn: LoadResult["requestsPerSec"];
  medianOff: LoadResult["requestsPerSec"];
  /** ucie_http_requests_total for system.ping on the metrics server: proof the metrics were on */
  counted: number;
  /** 1, 5 and 15 minute load averages before and after */
  loadBefore: number[];
  loadAfter: number[];
}

/** Wait until the process uses under a tenth of a core over 2 s (its start-up jobs are done), at most 2 minutes. */
async function waitUntilSettled(pid: number): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const before = cpuMs(pid);
    await new Promise((r) => setTimeout(r, 2_000));
    if (cpuMs(pid) - before < 200) return;
  }
}

export async function benchMetrics(databaseUrl?: string): Promise<MetricsBench> {
  // Postgres: one scratch database shared by both servers (several instances on one database is supported);
  // PGlite: a data directory each
  const scratch = databaseUrl ? await scratchDatabase(databaseUrl) : null;
  const dirs = scratch ? [] : [0, 1].map((i) => mkdtempSync(path.join(os.tmpdir(), `ucie-bench-metrics-${i}-`)));
  const env = (i: number) => ({
    ...(scratch?.url ? { DATABASE_URL: scratch.url } : { DATA_DIR: dirs[i]! }),
    MARKET_DATA: "offline",
    ALERT_INTERVAL_SECONDS: "3600",
  });
  const port = () => 40_000 + Math.floor(Math.random() * 10_000);
  // one after the other: the first migrates a shared database
  const off = await spawnServer(env(0), port());
  const on = await spawnServer({ ...env(1), METRICS_TOKEN: TOKEN }, port());
  try {
    const ping = async (server: ServerProcess) => {
      const cpu = cpuMs(server.pid);
      const r = await load({ url: `${server.url}/trpc/system.ping`, duration: SECONDS });
      return { perSec: r.requestsPerSec, cpuUs: Math.round(((cpuMs(server.pid) - cpu) * 1000) / Math.max(1, r.ok)) };
    };
    // start-up jobs (catalogue, screener) done, JIT and sockets warm: each answers as fast twice running
    await waitUntilSettled(off.pid);
    await waitUntilSettled(on.pid);
    await ping(off);
    await ping(on);
    const loadBefore = loadAverage();
    const onRuns: { perSec: number; cpuUs: number }[] = [];
    const offRuns: { perSec: number; cpuUs: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        offRuns.push(await ping(off));
        onRuns.push(await ping(on));
      } else {
        onRuns.push(await ping(on));
        offRuns.push(await ping(off));
      }
    }
    const loadAfter = loadAverage();
    const scrape = await fetch(`${on.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const counted = /ucie_http_requests_total\{procedure="system.ping",code="200"\} (\d+)/.exec(await scrape.text())?.[1];
    const roundRatios = onRuns.map((r, i) => Math.round((r.perSec / offRuns[i]!.perSec) * 1000) / 1000);
    const cpuUsPerRequestOn = median(onRuns.map((r) => r.cpuUs));
    const cpuUsPerRequestOff = median(offRuns.map((r) => r.cpuUs));
    return {
      on: onRuns.map((r) => r.perSec),
      off: offRuns.map((r) => r.perSec),
      roundRatios,
      ratio: median(roundRatios),
      cpuUsPerRequestOn,
      cpuUsPerRequestOff,
      cpuRatio: Math.round((cpuUsPerRequestOff / cpuUsPerRequestOn) * 1000) / 1000,
      medianOn: median(onRuns.map((r) => r.perSec)),
      medianOff: median(offRuns.map((r) => r.perSec)),
      counted: Number(counted ?? 0),
      loadBefore,
      loadAfter,
    };
  } finally {
    await on.stop();
    await off.stop();
    await scratch?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await runStandalone(import.meta.url, "metrics", () => benchMetrics(process.env.BENCH_DATABASE_URL));
