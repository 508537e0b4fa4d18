/**
 * Run a UCIE server as its own OS process (`src/main.ts`), exactly as `pnpm start` does, for tests and
 * benchmarks that need real separate instances (scale-out, shutdown, memory).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface ServerProcess {
  url: string;
  pid: number;
  proc: ChildProcess;
  /** everything the process printed so far */
  output(): string;
  rssMb(): number;
  /** SIGTERM, then wait for exit; resolves to the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `built`: run dist/main.js (built by `pnpm --filter @ucie/server build`) with plain node, as `pnpm start` does */
function startProcess(env: Record<string, string>, port: number, built = false): ChildProcess {
  if (built && !existsSync(path.join(serverDir, "dist/main.js"))) {
    throw new Error("apps/server/dist/main.js is missing: run `pnpm --filter @ucie/server build` first");
  }
  return spawn(process.execPath, built ? ["dist/main.js"] : ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "info", LOG_PRETTY: "false", PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const randomPort = () => 20_000 + Math.floor(Math.random() * 20_000);

/** A server start that should be refused: waits for the process to end and gives its exit code and output. */
export async function runServerProcessToExit(
  env: Record<string, string>,
  opts: { timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const proc = startProcess(env, randomPort());
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d) => (stdout += d));
  proc.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Math.round(performance.now() - started) };
}

export async function spawnServerProcess(
  env: Record<string, string>,
  opts: { port?: number; timeoutMs?: number; built?: boolean } = {},
): Promise<ServerProcess> {
  const port = opts.port ?? randomPort();
  const proc = startProcess(env, port, opts.built);
  let output = "";
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet: try again until the deadline
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: proc.pid!,
    proc,
    output: () => output,
    rssMb() {
      const status = readFileSync(`/proc/${proc.pid}/status`, "utf8");
      return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    },
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}
