/**
 * One process per data directory. PGlite is one Postgres backend in one process: a second process that opens
 * the same files keeps its own copy in memory and its writes are lost (or worse, both write). So the server,
 * and a CLI that opens the files itself, first take this lock, and refuse to start when another live process
 * holds it.
 *
 * The lock is a listening Unix socket, so the kernel drops it when its process dies, even on SIGKILL: a lock
 * left by a killed process never blocks the next start, and a recycled pid cannot pass for the holder.
 * - Linux: an abstract socket (`\0ucie-data-dir:<sha256 of the directory's real path>`): no file at all.
 * - Elsewhere: the socket file `DATA_DIR/ucie.lock.sock`; one nobody answers on is stale and is removed.
 * Both are per machine (per network namespace): two containers sharing one volume must not both run UCIE on it.
 *
 * Who holds it is written next to it, in `DATA_DIR/ucie.lock.json` (pid, role, command, and for a server the
 * URL of its database endpoint), after the lock is taken and only by the holder: the file names the holder for
 * the refusal message and tells the CLI where the running server's database is. With no lock held the file
 * means nothing (a killed process leaves it behind) and is overwritten by the next holder.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export interface LockHolder {
  pid: number;
  /** "server" or "cli" */
  role: string;
  /** how it was started, for people: `ucie server`, `ucie cli access-codes create` */
  command: string;
  /** a server's database endpoint (postgres URL), once it listens and has migrated */
  url?: string;
  /** the endpoint's Unix socket, when it is one */
  socket?: string;
  startedAt: string;
}

export interface DataDirLock {
  readonly dataDir: string;
  /** rewrite the holder file (a server adds its endpoint URL once it listens) */
  update(info: Partial<Pick<LockHolder, "url" | "socket">>): void;
  release(): Promise<void>;
}

export type LockAttempt = { acquired: true; lock: DataDirLock } | { acquired: false; holder: LockHolder | null };

/** The one line a refused start prints. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `process ${holder.pid} (${holder.command})` : "another running process";
    super(`The data directory ${dataDir} is in use by ${who}: stop it first, or set DATA_DIR to another directory.`);
    this.name = "DataDirInUseError";
  }
}

export const LOCK_INFO_FILE = "ucie.lock.json";

function lockAddress(dataDir: string): string {
  if (process.platform === "linux") {
    return `\0ucie-data-dir:${createHash("sha256").update(realpathSync(dataDir)).digest("hex")}`;
  }
  return path.join(dataDir, "ucie.lock.sock");
}

function listen(address: string): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", (err: NodeJS.ErrnoException) => (err.code === "EADDRINUSE" ? resolve(null) : reject(err)));
    server.listen(address, () => {
      // the lock must not keep a process alive that is otherwise done
      server.unref();
      resolve(server);
    });
  });
}

/** A socket file nobody listens on (its process died): safe to remove. Never true on Linux (no file). */
function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The holder as its file names it; null while a new holder has not written it yet (or it is not alive). */
export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    const info = JSON.parse(readFileSync(path.join(dataDir, LOCK_INFO_FILE), "utf8")) as LockHolder;
    return typeof info.pid === "number" && alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

function writeHolder(dataDir: string, info: LockHolder): void {
  const file = path.join(dataDir, LOCK_INFO_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Take the data directory's lock, or say who holds it. Creates the directory (owner-only) if it is missing;
 * touches nothing else unless the lock is taken.
 */
export async function lockDataDir(dataDir: string, who: { role: string; command: string }): Promise<LockAttempt> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const address = lockAddress(dataDir);
  for (let attempt = 0; ; attempt++) {
    const server = await listen(address);
    if (server) {
      let info: LockHolder = { pid: process.pid, ...who, startedAt: new Date().toISOString() };
      writeHolder(dataDir, info);
      return {
        acquired: true,
        lock: {
          dataDir,
          update(patch) {
            info = { ...info, ...patch };
            writeHolder(dataDir, info);
          },
          async release() {
            if (readLockHolder(dataDir)?.pid === process.pid) rmSync(path.join(dataDir, LOCK_INFO_FILE), { force: true });
            await new Promise<void>((resolve) => server.close(() => resolve()));
          },
        },
      };
    }
    if (process.platform !== "linux" && !(await answers(address))) {
      // a socket file left by a dead process (there is a short race between two starts here: Linux has none)
      rmSync(address, { force: true });
      continue;
    }
    const holder = readLockHolder(dataDir);
    // a holder that has just taken the lock writes its file a moment later
    if (holder || attempt >= 10) return { acquired: false, holder };
    await new Promise((r) => setTimeout(r, 100));
  }
}
