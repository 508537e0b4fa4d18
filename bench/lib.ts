/**
 * Bench helpers: start the real server as its own process (so its RSS and event loop are its own), drive it
 * with autocannon, and read its memory.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { spawnServerProcess, type ServerProcess } from "@ucie/server/process";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export async function spawnServer(env: Record<string, string>, port: number): Promise<ServerProcess> {
  return spawnServerProcess({ LOG_LEVEL: "warn", ...env }, { port });
}

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 50, duration: 8, ...opts });
  return {
    requestsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}
