/**
 * Bench helpers: start the real server as its own process (so its RSS and event loop are its own), drive it
 * with autocannon, and read its memory.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { spawnServerProcess, type ServerProcess } from "@ucie/server/process";
import { createDb, type Database } from "@ucie/db";
import postgres from "postgres";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export async function spawnServer(env: Record<string, string>, port: number): Promise<ServerProcess> {
  return spawnServerProcess({ LOG_LEVEL: "warn", ...env }, { port, built: true });
}

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** answers with a 2xx status */
  ok: number;
  errors: number;
}

export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 50, duration: 8, ...opts });
  return {
    requestsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    ok: r["2xx"],
    errors: r.errors,
  };
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
