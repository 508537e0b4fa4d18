/**
 * The embedded database as one live database for the server, the CLI and standard Postgres tools.
 *
 * PGlite is a single Postgres backend inside one process. While the server runs, it owns the data directory
 * (see `data-dir-lock.ts`) and opens PGlite to other local processes with `@electric-sql/pglite-socket`, which
 * speaks the Postgres wire protocol and multiplexes clients (one at a time inside a transaction). Once that socket
 * is open, every query goes through it, the server's own included: a query made on the PGlite object directly while
 * a socket client is inside a transaction would run inside that client's transaction (and be rolled back with it).
 * So the server's `Database` is postgres.js on the socket, like any client's.
 *
 * The endpoint is a Unix socket in the data directory (`DATA_DIR/.s.PGSQL.5432`, the name libpq looks for), so only
 * the directory's owner can reach it: the socket has no password, and a TCP port would let every local user in. Where
 * that path is too long for a Unix socket, it is 127.0.0.1 on a free port instead (never the public interface).
 *
 * LISTEN/NOTIFY: pglite-socket writes a notification to whichever client's query is running when it is sent, not
 * to the client that listens. So the server reads every notification from PGlite's output itself (a tap on the
 * protocol stream) and hands it to its own listeners: a NOTIFY from the CLI or psql reaches the server's streams.
 */
import { chmodSync, rmSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { createPglite, createPostgres, newPglite, type Database, type PostgresDatabase } from "./client";
import { DataDirInUseError, lockDataDir, type DataDirLock, type LockHolder } from "./data-dir-lock";
import { migrate } from "./migrate";

export interface DatabaseConfig {
  DATABASE_URL?: string;
  DATA_DIR: string;
  DB_POOL_MAX: number;
}

export interface Opener {
  role: "server" | "cli";
  /** for people, in the refusal message: `ucie server`, `ucie cli access-codes create` */
  command: string;
}

/** What `DATA_DIR/ucie.lock.json` says of a running server's endpoint. */
interface Endpoint {
  /** for psql and pg_dump */
  url: string;
  /** the Unix socket postgres.js connects to (it reads no `?host=/dir` from a URL) */
  socket?: string;
}

const SOCKET_NAME = ".s.PGSQL.5432";
/** sun_path holds 108 bytes on Linux, 104 on macOS */
const MAX_SOCKET_PATH = 100;
/** besides the server's own pool: CLI commands and people's psql and pg_dump sessions */
const OTHER_SOCKET_CLIENTS = 50;
/** how long a start waits for a CLI command that holds the data directory */
const WAIT_FOR_CLI_MS = 10_000;
/** how long the CLI waits for a server that is still starting (a new data directory, migrations) */
const WAIT_FOR_SERVER_MS = 60_000;

/**
 * The database the configuration names, for a server or for the CLI:
 * - `DATABASE_URL`: Postgres.
 * - server: takes the data directory's lock (or throws `DataDirInUseError`), opens PGlite, serves it on the local
 *   endpoint, migrates, and only then tells others where it is.
 * - CLI: with a server running on the data directory, a client of that server's endpoint (its live data); with none,
 *   PGlite in this process, holding the lock until `close()`.
 */
export async function openDatabase(config: DatabaseConfig, opener: Opener): Promise<Database> {
  if (config.DATABASE_URL) return createPostgres(config.DATABASE_URL, config.DB_POOL_MAX);
  const dataDir = path.resolve(config.DATA_DIR);
  const started = Date.now();
  for (;;) {
    const attempt = await lockDataDir(dataDir, opener);
    if (attempt.acquired) {
      if (opener.role === "server") return serveEmbedded(attempt.lock, config.DB_POOL_MAX);
      return createPglite({ dataDir: path.join(dataDir, "pglite"), onClose: () => attempt.lock.release() });
    }
    const { holder } = attempt;
    const endpoint = holder?.role === "server" ? endpointOf(holder) : null;
    if (opener.role === "cli" && endpoint) return connectToServer(endpoint, Math.min(config.DB_POOL_MAX, 4));
    // a CLI command ends in a moment; a server that is still migrating has not published its endpoint yet
    const wait = holder?.role === "cli" ? WAIT_FOR_CLI_MS : opener.role === "cli" && holder?.role === "server" ? WAIT_FOR_SERVER_MS : 0;
    if (Date.now() - started >= wait) throw new DataDirInUseError(dataDir, holder);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function endpointOf(holder: LockHolder): Endpoint | null {
  return holder.url ? { url: holder.url, socket: holder.socket } : null;
}

/** A client of a running server's endpoint. It can NOTIFY the server's listeners; it receives no notifications. */
function connectToServer(endpoint: Endpoint, poolMax: number): Database {
  const database = createPostgres(endpoint.socket ? "postgres://postgres@localhost/postgres" : endpoint.url, poolMax, {
    path: endpoint.socket,
    kind: "pglite",
    events: {
      listen() {
        return Promise.reject(new Error("only the server that holds the embedded database receives its notifications"));
      },
    },
  });
  return { ...database, url: endpoint.url };
}

async function serveEmbedded(lock: DataDirLock, poolMax: number): Promise<Database> {
  let pg: PGlite | undefined;
  let socketServer: PGLiteSocketServer | undefined;
  let database: PostgresDatabase | undefined;
  try {
    pg = await newPglite(path.join(lock.dataDir, "pglite"));
    const listeners = new Map<string, Set<(payload: string) => void>>();
    const tap = new NotificationTap((channel, payload) => {
      // outside PGlite's exclusive section: a listener may query at once
      for (const listener of listeners.get(channel) ?? []) setImmediate(listener, payload);
    });
    const socketPath = path.join(lock.dataDir, SOCKET_NAME);
    const unix = Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH;
    // we hold the lock: a socket file here was left by a server that was killed
    if (unix) rmSync(socketPath, { force: true });
    socketServer = new PGLiteSocketServer({
      db: tapped(pg, tap),
      ...(unix ? { path: socketPath } : { host: "127.0.0.1", port: 0 }),
      maxConnections: poolMax + OTHER_SOCKET_CLIENTS,
    });
    await socketServer.start();
    // connecting to a Unix socket needs write permission on it: the owner only, whatever the umask
    if (unix) chmodSync(socketPath, 0o600);
    const endpoint: Endpoint = unix
      ? { url: `postgresql://postgres@/postgres?host=${lock.dataDir}`, socket: socketPath }
      : { url: `postgres://postgres@${socketServer.getServerConn()}/postgres` };

    const server = socketServer;
    const engine = pg;
    database = createPostgres(endpoint.socket ? "postgres://postgres@localhost/postgres" : endpoint.url, poolMax, {
      path: endpoint.socket,
      kind: "pglite",
      events: {
        async listen(channel, onPayload) {
          let set = listeners.get(channel);
          if (!set) {
            set = new Set();
            listeners.set(channel, set);
          }
          const first = set.size === 0;
          set.add(onPayload);
          if (first) {
            try {
              await sql`LISTEN ${sql(channel)}`;
            } catch (err) {
              set.delete(onPayload);
              throw err;
            }
          }
          return async () => {
            set.delete(onPayload);
            if (set.size === 0 && listeners.get(channel) === set) {
              listeners.delete(channel);
              await sql`UNLISTEN ${sql(channel)}`.catch(() => {});
            }
          };
        },
        async notify(channel, payload) {
          await sql.notify(channel, payload);
        },
      },
      async onClose() {
        await server.stop();
        if (!engine.closed) await engine.close();
        if (unix) rmSync(socketPath, { force: true });
        await lock.release();
      },
    });
    const sql = database.raw.sql;
    await migrate(database);
    // clients (the CLI) find the endpoint only now: the schema is the current one
    lock.update({ url: endpoint.url, ...(endpoint.socket ? { socket: endpoint.socket } : {}) });
    return { ...database, url: endpoint.url };
  } catch (err) {
    // closing the pool closes the rest; before it exists, undo what was opened
    if (database) await database.close().catch(() => {});
    else {
      await socketServer?.stop().catch(() => {});
      if (pg && !pg.closed) await pg.close().catch(() => {});
      await lock.release();
    }
    throw err;
  }
}

/** Extended-protocol messages: Parse, Bind, Describe, Execute, Close, Flush. A Sync ('S') ends the sequence. */
const EXTENDED = new Set("PBDECH".split("").map((c) => c.charCodeAt(0)));
const SYNC = "S".charCodeAt(0);
const COPY_DONE = "c".charCodeAt(0);
const COPY_FAIL = "f".charCodeAt(0);

/**
 * The same PGlite, seen by pglite-socket with two changes:
 * - every protocol response it streams to a client also passes the tap;
 * - it counts as "in a transaction" from a client's first extended-protocol message to its Sync, and through a
 *   COPY FROM STDIN. pglite-socket keeps serving the same client only while PGlite is in a transaction block; between
 *   Parse and Sync it is not, so another client's Parse could replace the unnamed statement a Bind was about to use
 *   (seen: "bind message supplies 4 parameters, but prepared statement "" requires 2").
 * (A Proxy: PGlite's methods use private fields, so they are called on the instance itself.)
 */
function tapped(pg: PGlite, tap: NotificationTap): PGlite {
  let inSequence = false;
  let inCopy = false;
  const exec: PGlite["execProtocolRawStream"] = async (message, options) => {
    const type = message[0] ?? 0;
    if (EXTENDED.has(type)) inSequence = true;
    tap.copyIn = false;
    try {
      await pg.execProtocolRawStream(message, {
        ...options,
        onRawData(data) {
          tap.feed(data);
          options.onRawData(data);
        },
      });
    } finally {
      if (type === SYNC) inSequence = false;
      if (type === COPY_DONE || type === COPY_FAIL) inCopy = false;
      if (tap.copyIn) inCopy = true;
    }
  };
  const isInTransaction: PGlite["isInTransaction"] = () => inSequence || inCopy || pg.isInTransaction();
  // pglite-socket calls exec("ROLLBACK") when a client leaves inside a transaction: end its half-sent sequence first
  const execSql: PGlite["exec"] = async (query, options) => {
    if (inCopy) await pg.execProtocolRaw(message(COPY_FAIL, Buffer.from("client left\0"))).catch(() => {});
    if (inSequence) await pg.execProtocolRaw(message(SYNC)).catch(() => {});
    inSequence = inCopy = false;
    return pg.exec(query, options);
  };
  return new Proxy(pg, {
    get(target, prop) {
      if (prop === "execProtocolRawStream") return exec;
      if (prop === "isInTransaction") return isInTransaction;
      if (prop === "exec") return execSql;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function message(type: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = Buffer.alloc(5 + body.length);
  out[0] = type;
  out.writeInt32BE(4 + body.length, 1);
  out.set(body, 5);
  return out;
}

/**
 * Finds NotificationResponse messages ('A': int32 pid, channel\0, payload\0) in a stream of backend messages
 * (type byte, int32 length, body), however the stream is cut into chunks, and notes a CopyInResponse ('G').
 * Skips every other message unread.
 */
export class NotificationTap {
  /** a CopyInResponse went by since this was last reset: the client now sends COPY data */
  copyIn = false;
  private header = new Uint8Array(5);
  private headerBytes = 0;
  private remaining = -1;
  private body: Uint8Array[] | null = null;

  constructor(private readonly deliver: (channel: string, payload: string) => void) {}

  feed(data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      if (this.remaining < 0) {
        const take = Math.min(5 - this.headerBytes, data.length - i);
        this.header.set(data.subarray(i, i + take), this.headerBytes);
        this.headerBytes += take;
        i += take;
        if (this.headerBytes < 5) return;
        this.headerBytes = 0;
        this.remaining = new DataView(this.header.buffer).getInt32(1) - 4;
        this.body = this.header[0] === 0x41 ? [] : null;
        if (this.header[0] === 0x47) this.copyIn = true;
      }
      const take = Math.min(this.remaining, data.length - i);
      if (this.body && take > 0) this.body.push(data.slice(i, i + take));
      this.remaining -= take;
      i += take;
      if (this.remaining === 0) this.finish();
    }
  }

  private finish(): void {
    const body = this.body;
    this.remaining = -1;
    this.body = null;
    if (!body) return;
    const bytes = Buffer.concat(body);
    const end = bytes.indexOf(0, 4);
    if (end < 0) return;
    const channel = bytes.toString("utf8", 4, end);
    const payload = bytes.toString("utf8", end + 1, bytes.indexOf(0, end + 1) < 0 ? bytes.length : bytes.indexOf(0, end + 1));
    this.deliver(channel, payload);
  }
}
