/**
 * Start-up as an operator meets it: `pnpm start` from the repository root until `/readyz` answers 200, cold
 * (no build cache: turbo rebuilds the SPA and the server; an empty database) and warm (everything built, the
 * data from the cold run); then the resident memory of the server process once it has settled, idle.
 * Whole commands in their own process groups, timed from outside, as a user would time them.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { root, runStandalone, scratchDatabase } from "./lib";

export interface StartupResult {
  database: "Postgres" | "PGlite";
  /** `pnpm start` with TURBO_FORCE (every build task runs) and an empty database, to a ready /readyz */
  coldMs: number;
  /** `pnpm start` again: builds cached, database migrated and seeded */
  warmMs: number[];
  warmMedianMs: number;
  /** the server process's RSS once start-up work is done and it has stayed flat for 3 s */
  idleRssMb: number;
  /** the command line of the serving process, as `ps` shows it */
  serverCommand: string;
}

interface Started {
  ms: number;
  pid: number;
  stop(): Promise<void>;
}

async function startOnce(env: Record<string, string>, port: number): Promise<Started> {
  const t0 = performance.now();
  const proc = spawn("pnpm", ["start"], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", MARKET_DATA: "offline", LOG_PRETTY: "false", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: pnpm, turbo and the server are stopped together
  });
  let output = "";
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`pnpm start exited early:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      try {
        process.kill(-proc.pid!, "SIGKILL");
      } catch {}
      throw new Error(`pnpm start was not ready in 180 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const ms = Math.round(performance.now() - t0);
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, signal);
    } catch {}
  };
  // the server's own pid, from its "UCIE is up" log line (written just after it starts listening)
  let pid = 0;
  while (!pid && Date.now() < deadline) {
    pid = Number(/"pid":(\d+)[^\n]*UCIE is up/.exec(output)?.[1] ?? 0);
    if (!pid) await new Promise((r) => setTimeout(r, 50));
  }
  if (!pid) {
    kill("SIGKILL");
    throw new Error(`no "UCIE is up" line with a pid in the output of pnpm start:\n${output}`);
  }
  return {
    ms,
    pid,
    async stop() {
      kill("SIGTERM");
      await exited;
      // pnpm exits at once; wait for the server itself to finish shutting down before its data is removed
      const until = Date.now() + 15_000;
      while (existsSync(`/proc/${pid}`) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      if (existsSync(`/proc/${pid}`)) {
        process.kill(pid, "SIGKILL");
        throw new Error(`the server (pid ${pid}) did not stop within 15 s of SIGTERM`);
      }
    },
  };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** Sample every 500 ms until six samples in a row (3 s) lie within 2 MB of each other, at most 30 s. */
async function settledRssMb(pid: number): Promise<number> {
  const samples: number[] = [];
  const deadline = Date.now() + 30_000;
  for (;;) {
    samples.push(rssMb(pid));
    const last = samples.slice(-6);
    if (last.length === 6 && Math.max(...last) - Math.min(...last) <= 2) return Math.max(...last);
    if (Date.now() > deadline) return Math.max(...last);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function benchStartup(benchUrl?: string): Promise<StartupResult> {
  const scratch = benchUrl ? await scratchDatabase(benchUrl, { poolMax: 1 }) : null;
  const dataDir = scratch ? undefined : mkdtempSync(path.join(os.tmpdir(), "ucie-bench-start-"));
  const env: Record<string, string> = scratch ? { DATABASE_URL: scratch.url! } : { DATA_DIR: dataDir! };
  const port = 30_000 + Math.floor(Math.random() * 10_000);
  try {
    const cold = await startOnce({ ...env, TURBO_FORCE: "true" }, port);
    await cold.stop();
    const warmMs: number[] = [];
    let idleRssMb = 0;
    let serverCommand = "";
    for (let i = 0; i < 3; i++) {
      const warm = await startOnce(env, port);
      warmMs.push(warm.ms);
      if (i === 0) {
        serverCommand = readFileSync(`/proc/${warm.pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
        idleRssMb = await settledRssMb(warm.pid);
      }
      await warm.stop();
    }
    const sorted = [...warmMs].sort((a, b) => a - b);
    return {
      database: scratch ? "Postgres" : "PGlite",
      coldMs: cold.ms,
      warmMs,
      warmMedianMs: sorted[1]!,
      idleRssMb,
      serverCommand,
    };
  } finally {
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await runStandalone(import.meta.url, "startup", () => benchStartup(process.env.BENCH_DATABASE_URL));
