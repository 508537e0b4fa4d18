/**
 * The one database factory. `DATABASE_URL` set: postgres.js against a real server. Unset: embedded PGlite
 * under `DATA_DIR` (or in memory). The same Drizzle schema, queries and migrations run on both.
 * Which of these a server or the CLI gets from the configuration is decided in `embedded.ts` (`openDatabase`).
 * Besides Drizzle, a handle offers LISTEN/NOTIFY (live events across instances) and a cheap ping.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A Drizzle transaction, or the database itself: domain functions accept either. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface DbConfig {
  /** postgres:// URL; unset means embedded PGlite */
  url?: string;
  /** PGlite data directory; unset (or "memory://") means in memory */
  dataDir?: string;
  /** postgres.js pool size */
  poolMax?: number;
  /** reuse an existing PGlite instance (tests clone a migrated template) */
  pglite?: PGlite;
}

export interface Database {
  db: Db;
  /** the engine: a Postgres server, or PGlite (in this process, or a running UCIE server's over its socket) */
  kind: "postgres" | "pglite";
  /** where standard Postgres tools (psql, pg_dump) reach this database, when it is a UCIE server's embedded one */
  url?: string;
  /** SELECT 1 with a short timeout: backs /readyz */
  ping(timeoutMs?: number): Promise<boolean>;
  /** LISTEN on a channel; resolves to an unsubscribe function */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
  /** the raw driver, for the few things Drizzle does not cover (migrations, tests): postgres.js whenever a socket is involved */
  raw: { kind: "postgres"; sql: postgres.Sql; db: PostgresJsDatabase<Schema> } | { kind: "pglite"; client: PGlite };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

export async function createDb(config: DbConfig = {}): Promise<Database> {
  if (config.url) return createPostgres(config.url, config.poolMax ?? 10);
  return createPglite(config);
}

export interface PostgresOptions {
  /** Unix socket path (postgres.js ignores a URL's `?host=/dir`) */
  path?: string;
  /** the engine behind the connection (PGlite behind pglite-socket speaks the same protocol) */
  kind?: Database["kind"];
  /** replaces LISTEN/NOTIFY (pglite-socket sends a notification to whichever client's query is running) */
  events?: Partial<Pick<Database, "listen" | "notify">>;
  /** runs after the pool has ended */
  onClose?: () => Promise<void>;
}

/** A database reached with postgres.js. */
export type PostgresDatabase = Database & { raw: { kind: "postgres"; sql: postgres.Sql; db: PostgresJsDatabase<Schema> } };

export function createPostgres(url: string, poolMax: number, opts: PostgresOptions = {}): PostgresDatabase {
  const sql = postgres(url, {
    ...(opts.path ? { path: opts.path } : {}),
    max: poolMax,
    onnotice: () => {},
    // fail fast when the server is down instead of queueing requests for minutes
    connect_timeout: 5,
    idle_timeout: 60,
    max_lifetime: 60 * 30,
    connection: { application_name: "ucie" },
  });
  const pgDb = drizzlePostgres(sql, { schema, casing: "snake_case" });
  // both drivers' databases are a PgDatabase over the same schema: domain code sees only that
  const db: Db = pgDb;
  // Drizzle makes postgres.js pass date/time parameters through untouched (its columns send strings), which
  // breaks a Date inside a raw sql`` template. Send Dates as ISO strings, everything else as it was.
  const toPg = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
  for (const type of ["1184", "1082", "1083", "1114", "1182", "1185", "1115", "1231"]) {
    (sql.options.serializers as Record<string, (v: unknown) => unknown>)[type] = toPg;
  }
  return {
    db,
    kind: opts.kind ?? "postgres",
    raw: { kind: "postgres", sql, db: pgDb },
    async ping(timeoutMs = 2000) {
      try {
        await withTimeout(sql`select 1`, timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    listen:
      opts.events?.listen ??
      (async (channel, onPayload) => {
        const sub = await sql.listen(channel, onPayload);
        return () => sub.unlisten();
      }),
    notify:
      opts.events?.notify ??
      (async (channel, payload) => {
        await sql.notify(channel, payload);
      }),
    async close() {
      await sql.end({ timeout: 5 });
      await opts.onClose?.();
    },
  };
}

/** A PGlite instance with the extensions the schema needs; files under dataDir, or in memory. */
export async function newPglite(dataDir?: string): Promise<PGlite> {
  const dir = dataDir && dataDir !== "memory://" ? path.resolve(dataDir) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  return PGlite.create(dir ? { dataDir: dir, extensions: { pg_trgm } } : { extensions: { pg_trgm } });
}

/** PGlite in this process. Nothing else may open its files meanwhile: see `openDatabase` for who may. */
export async function createPglite(config: DbConfig & { onClose?: () => Promise<void> }): Promise<Database> {
  const pg = config.pglite ?? (await newPglite(config.dataDir));
  const db: Db = drizzlePglite(pg, { schema, casing: "snake_case" });
  return {
    db,
    kind: "pglite",
    raw: { kind: "pglite", client: pg },
    async ping(timeoutMs = 2000) {
      try {
        await withTimeout(pg.query("select 1"), timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    async listen(channel, onPayload) {
      const unlisten = await pg.listen(channel, onPayload);
      return () => unlisten();
    },
    async notify(channel, payload) {
      await pg.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async close() {
      if (!pg.closed) await pg.close();
      await config.onClose?.();
    },
  };
}
