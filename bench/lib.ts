/**
 * Bench helpers: start the real server as its own process (so its RSS and event loop are its own), drive it
 * with autocannon, and read its memory.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { spawnServerProcess, type ServerProcess } from "@ucie/server/process";
import { createDb, type Database } from "@ucie/db";
import postgres from "postgres";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** BENCH_SERVER_NODE_OPTIONS goes to the server process only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it */
export async function spawnServer(env: Record<string, string>, port: number): Promise<ServerProcess> {
  const nodeOptions = process.env.BENCH_SERVER_NODE_OPTIONS;
  return spawnServerProcess({ LOG_LEVEL: "warn", ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}), ...env }, { port, built: true });
}

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** answers with a 2xx status */
  ok: number;
  errors: number;
  /** server CPU time per request, in µs (when the server's pid was given) */
  serverCpuUsPerAnswer?: number;
}

/** CPU time (user + system, in ms) a process has used so far, from /proc (Linux) */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) "; in clock ticks of 10 ms
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * autocannon at 50 connections for 8 s. With `serverPid`, also the server's CPU time per answer: on a shared
 * machine throughput and latency drift with everything else running, the CPU an answer costs much less.
 */
export async function load(opts: autocannon.Options & { serverPid?: number }): Promise<LoadResult> {
  const { serverPid, ...options } = opts;
  const cpu0 = serverPid ? cpuMs(serverPid) : 0;
  const r = await autocannon({ connections: 50, duration: 8, ...options });
  const cpu = serverPid ? cpuMs(serverPid) - cpu0 : 0;
  return {
    ...(serverPid ? { serverCpuUsPerAnswer: Math.round((cpu * 1000) / Math.max(1, r.requests.total)) } : {}),
    requestsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    ok: r["2xx"],
    errors: r.errors,
  };
}

/**
 * Requests as many visitors send them: each carries the next of `addresses` client addresses in
 * X-Forwarded-For (the server must run with TRUST_PROXY=true). From one address, anonymous calls beyond
 * ANON_CALLS_PER_MINUTE are refused with 429 within a second, and a run would measure refusals; 4,096
 * addresses stay far inside their budgets at the rates measured here. Give the baseline (`system.ping`)
 * the same wrapper, so both pay the same client-side cost.
 */
export function fromVisitors(requests: autocannon.Request[], addresses = 4096): autocannon.Request[] {
  let n = 0;
  return requests.map((r) => ({
    ...r,
    setupRequest: (req: autocannon.Request) => {
      const i = n++ % addresses;
      return { ...req, headers: { ...req.headers, "x-forwarded-for": `10.200.${i >> 8}.${i & 255}` } };
    },
  }));
}

export interface ScratchDatabase {
  database: Database;
  /** postgres:// URL of the scratch database (Postgres only) */
  url?: string;
  /** close it, and drop it on Postgres */
  drop(): Promise<void>;
}

/**
 * A throw-away database for one benchmark: a new database on the Postgres server at `serverUrl`, dropped
 * afterwards; or, with no server, PGlite (in memory, or under `dataDir` when another process must open it).
 */
export async function scratchDatabase(serverUrl?: string, opts: { dataDir?: string; poolMax?: number } = {}): Promise<ScratchDatabase> {
  if (!serverUrl) {
    const database = await createDb(opts.dataDir ? { dataDir: opts.dataDir } : {});
    return { database, drop: () => database.close() };
  }
  const name = `ucie_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await createDb({ url: url.toString(), poolMax: opts.poolMax ?? 4 });
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Run a benchmark module on its own (`node --import tsx bench/x.bench.ts`): print it and write results/<name>.json. */
export async function runStandalone(moduleUrl: string, name: string, bench: () => Promise<object>): Promise<void> {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const result = await bench();
  console.table([result]);
  const dir = path.join(root, "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2));
  process.exit(0);
}
