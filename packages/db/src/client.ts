/**
 * The one database factory. `DATABASE_URL` set: postgres.js against a real server. Unset: embedded PGlite
 * under `DATA_DIR` (or in memory). The same Drizzle schema, queries and migrations run on both.
 * Besides Drizzle, a handle offers LISTEN/NOTIFY (live events across instances) and a cheap ping.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
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
  kind: "postgres" | "pglite";
  /** SELECT 1 with a short timeout: backs /readyz */
  ping(timeoutMs?: number): Promise<boolean>;
  /** LISTEN on a channel; resolves to an unsubscribe function */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
  /** the raw driver, for the few things Drizzle does not cover (migrations, tests) */
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

/** The database the configuration names: Postgres at DATABASE_URL, else PGlite under DATA_DIR/pglite. */
export async function openDatabase(config: { DATABASE_URL?: string; DATA_DIR: string; DB_POOL_MAX: number }): Promise<Database> {
  return createDb({
    url: config.DATABASE_URL,
    dataDir: config.DATABASE_URL ? undefined : path.join(config.DATA_DIR, "pglite"),
    poolMax: config.DB_POOL_MAX,
  });
}

export async function createDb(config: DbConfig = {}): Promise<Database> {
  if (config.url) return createPostgres(config.url, config.poolMax ?? 10);
  return createPglite(config);
}

function createPostgres(url: string, poolMax: number): Database {
  const sql = postgres(url, {
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
    kind: "postgres",
    raw: { kind: "postgres", sql, db: pgDb },
    async ping(timeoutMs = 2000) {
      try {
        await withTimeout(sql`select 1`, timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    async listen(channel, onPayload) {
      const sub = await sql.listen(channel, onPayload);
      return () => sub.unlisten();
    },
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

async function createPglite(config: DbConfig): Promise<Database> {
  // loaded only when PGlite is used: a server on Postgres never pays for its modules
  const [{ PGlite }, { pg_trgm }, { drizzle: drizzlePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite/contrib/pg_trgm"),
    import("drizzle-orm/pglite"),
  ]);
  let client = config.pglite;
  if (!client) {
    const dir = config.dataDir && config.dataDir !== "memory://" ? path.resolve(config.dataDir) : undefined;
    if (dir) mkdirSync(dir, { recursive: true });
    client = await PGlite.create(dir ? { dataDir: dir, extensions: { pg_trgm } } : { extensions: { pg_trgm } });
  }
  const pg = client;
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
    },
  };
}
