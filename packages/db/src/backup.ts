/**
 * Backup and restore, portable between PGlite and Postgres: gzip-compressed JSON lines.
 *
 *   line 1   {"format":"ucie-backup","formatVersion":1,"migration":{...},"tables":[...],"sequences":[...]}
 *   then     {"@table":"users"} followed by one `row_to_json` line per row, for each table, parents first
 *   last     {"@end":true,"rows":{"users":3,...}}   (a file without it is truncated and is refused)
 *
 * Consistency: every table is read inside one REPEATABLE READ READ ONLY transaction, so the backup is one
 * snapshot even while the server writes (on PGlite the transaction holds the single connection instead).
 * Values go out as Postgres' own JSON (`row_to_json`) and come back through `json_populate_recordset`, the
 * server's own inverse, so timestamptz, jsonb, doubles and arrays round-trip exactly on either database.
 *
 * Restore needs a database without user data. It brings the schema to the backup's migration (resetting an
 * empty, newer schema first), loads every table in one transaction (user triggers off, so restored rows keep
 * their own `updated_at`; sequences moved past the restored ids), then migrates to the latest schema.
 * Caches (analysis cache, phase data, throttle windows) are not backed up: they refill by themselves.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, openSync, fsyncSync, closeSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { createGunzip, createGzip } from "node:zlib";
import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "./client";
import { execute } from "./execute";
import { appliedMigration, migrate, migrationJournal, type MigrationEntry } from "./migrate";

export const BACKUP_FORMAT = "ucie-backup";
export const BACKUP_FORMAT_VERSION = 1;
/** Caches: rebuilt by the app on demand, so neither backed up nor required to be empty before a restore. */
export const SKIPPED_TABLES: readonly string[] = ["ucie_analysis_cache", "ucie_phase_data", "auth_throttle"];

const FETCH_ROWS = 2000;
/** rows per INSERT ... json_populate_recordset, bounded by bytes too so wide rows do not make huge statements */
const INSERT_ROWS = 5000;
const INSERT_BYTES = 4 * 1024 * 1024;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  createdAt: string;
  source: string;
  migration: MigrationEntry;
  tables: { name: string; columns: string[] }[];
  sequences: { table: string; column: string; lastValue: number | null }[];
}

export interface BackupSummary {
  file: string;
  bytes: number;
  migration: string;
  rows: Record<string, number>;
}

export type RestoreResult =
  | { ok: true; migration: string; migratedTo: string; rows: Record<string, number> }
  | { ok: false; reason: "not_empty" | "not_a_backup" | "truncated" | "newer_schema"; message: string };

interface TableInfo {
  name: string;
  columns: string[];
  parents: string[];
}

const ident = (name: string) => sql.identifier(name);

class TruncatedBackup extends Error {}

async function userTables(db: DbOrTx): Promise<TableInfo[]> {
  // ordinary tables of the public schema that no extension owns, their insertable columns and FK parents
  const tables = (
    await execute<{ name: string; columns: string[] | string; parents: string[] | string | null }>(
      db,
      sql`
      select c.relname as name,
        (select coalesce(json_agg(a.attname order by a.attnum), '[]'::json) from pg_attribute a
          where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '') as columns,
        (select coalesce(json_agg(distinct p.relname), '[]'::json) from pg_constraint f join pg_class p on p.oid = f.confrelid
          where f.conrelid = c.oid and f.contype = 'f' and f.confrelid <> c.oid) as parents
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
      order by c.relname`,
    )
  ).rows;
  const parse = (v: string[] | string | null): string[] => (typeof v === "string" ? (JSON.parse(v) as string[]) : (v ?? []));
  return tables.map((t) => ({ name: t.name, columns: parse(t.columns), parents: parse(t.parents) }));
}

/** Parents before children, so every foreign key finds its row. */
function fkOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const ordered: TableInfo[] = [];
  const visit = (t: TableInfo, path: string[]) => {
    if (done.has(t.name)) return;
    if (path.includes(t.name)) throw new Error(`foreign keys form a cycle: ${[...path, t.name].join(" -> ")}`);
    for (const p of t.parents) {
      const parent = byName.get(p);
      if (parent) visit(parent, [...path, t.name]);
    }
    done.add(t.name);
    ordered.push(t);
  };
  for (const t of tables) visit(t, []);
  return ordered;
}

async function sequencesOf(db: DbOrTx, tables: TableInfo[]): Promise<{ table: string; column: string; seq: string }[]> {
  const found: { table: string; column: string; seq: string }[] = [];
  for (const t of tables) {
    for (const r of (
      await execute<{ column: string; seq: string }>(
        db,
        sql`
        select a.attname as column, pg_get_serial_sequence(quote_ident(${t.name}), a.attname) as seq
        from pg_attribute a where a.attrelid = ${t.name}::regclass and a.attnum > 0 and not a.attisdropped
          and pg_get_serial_sequence(quote_ident(${t.name}), a.attname) is not null`,
      )
    ).rows) {
      found.push({ table: t.name, column: r.column, seq: r.seq });
    }
  }
  return found;
}

function fsyncPath(p: string): void {
  const fd = openSync(p, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write `file` atomically: to a temporary name, fsynced, then renamed, then the directory fsynced. */
async function writeGzipLines(file: string, produce: (write: (line: string) => Promise<void>) => Promise<void>): Promise<number> {
  const tmp = `${file}.tmp-${process.pid}`;
  const gzip = createGzip();
  const out = createWriteStream(tmp);
  gzip.pipe(out);
  const finished = once(out, "close");
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await once(gzip, "drain");
  };
  try {
    await produce(write);
    gzip.end();
    await finished;
    fsyncPath(tmp);
    renameSync(tmp, file);
    fsyncPath(path.dirname(path.resolve(file)));
  } catch (err) {
    gzip.destroy();
    out.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  return statSync(file).size;
}

/** A consistent backup of every non-cache table to `file` (written atomically). */
export async function writeBackup(database: Database, file: string, now: Date = new Date()): Promise<BackupSummary> {
  const migration = await appliedMigration(database);
  if (!migration) throw new Error("the database has no schema yet: nothing to back up");
  const counts: Record<string, number> = {};
  const bytes = await writeGzipLines(file, (write) =>
    database.db.transaction(
      async (tx) => {
        const tables = fkOrder((await userTables(tx)).filter((t) => !SKIPPED_TABLES.includes(t.name)));
        const sequences = [];
        for (const s of await sequencesOf(tx, tables)) {
          const [v] = (
            await execute<{ last_value: string | number; is_called: boolean }>(tx, sql`select last_value, is_called from ${sql.raw(s.seq)}`)
          ).rows;
          sequences.push({ table: s.table, column: s.column, lastValue: v?.is_called ? Number(v.last_value) : null });
        }
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          formatVersion: BACKUP_FORMAT_VERSION,
          createdAt: now.toISOString(),
          source: database.kind,
          migration,
          tables: tables.map((t) => ({ name: t.name, columns: t.columns })),
          sequences,
        };
        await write(JSON.stringify(header));
        for (const t of tables) {
          await write(JSON.stringify({ "@table": t.name }));
          counts[t.name] = 0;
          await tx.execute(sql`declare ucie_backup no scroll cursor for select row_to_json(t)::text as j from ${ident(t.name)} t`);
          for (;;) {
            const batch = (await execute<{ j: string }>(tx, sql.raw(`fetch ${FETCH_ROWS} from ucie_backup`))).rows;
            // one write per batch: zlib handles each write as its own chunk
            if (batch.length > 0) await write(batch.map((r) => r.j).join("\n"));
            counts[t.name] = (counts[t.name] ?? 0) + batch.length;
            if (batch.length < FETCH_ROWS) break;
          }
          await tx.execute(sql`close ucie_backup`);
        }
        await write(JSON.stringify({ "@end": true, rows: counts }));
      },
      { isolationLevel: "repeatable read", accessMode: "read only" },
    ),
  );
  return { file, bytes, migration: migration.tag, rows: counts };
}

async function* lines(file: string): AsyncGenerator<string> {
  const input = createReadStream(file).pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) if (line) yield line;
  } finally {
    rl.close();
    input.destroy();
  }
}

async function readHeader(file: string): Promise<BackupHeader | null> {
  try {
    for await (const line of lines(file)) {
      const h = JSON.parse(line) as Partial<BackupHeader>;
      return h.format === BACKUP_FORMAT && typeof h.formatVersion === "number" && h.migration && Array.isArray(h.tables)
        ? (h as BackupHeader)
        : null;
    }
  } catch {
    return null;
  }
  return null;
}

/** Tables (caches aside) that hold at least one row. */
async function tablesWithData(database: Database): Promise<string[]> {
  const found: string[] = [];
  for (const t of await userTables(database.db)) {
    if (SKIPPED_TABLES.includes(t.name)) continue;
    const [r] = (await execute<{ has_rows: boolean }>(database.db, sql`select exists (select 1 from ${ident(t.name)}) as has_rows`)).rows;
    if (r?.has_rows) found.push(t.name);
  }
  return found;
}

/** Drop what the migrations created (the database holds no user data: checked before). */
async function resetSchema(database: Database): Promise<void> {
  await database.db.transaction(async (tx) => {
    const owned = sql`not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')`;
    for (const { name, kind } of (
      await execute<{ name: string; kind: string }>(
        tx,
        sql`select c.relname as name, c.relkind as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') and ${owned}`,
      )
    ).rows) {
      const what = kind === "v" ? "view" : kind === "m" ? "materialized view" : "table";
      await tx.execute(sql`drop ${sql.raw(what)} if exists ${ident(name)} cascade`);
    }
    for (const { sig } of (
      await execute<{ sig: string }>(
        tx,
        sql`select c.oid::regprocedure::text as sig from pg_proc c join pg_namespace n on n.oid = c.pronamespace
        where n.nspname = 'public' and ${owned}`,
      )
    ).rows) {
      await tx.execute(sql.raw(`drop function if exists ${sig} cascade`));
    }
    for (const { name } of (
      await execute<{ name: string }>(
        tx,
        sql`select c.typname as name from pg_type c join pg_namespace n on n.oid = c.typnamespace
        where n.nspname = 'public' and c.typtype in ('e', 'd', 'c') and ${owned}
          and not exists (select 1 from pg_class r where r.reltype = c.oid)`,
      )
    ).rows) {
      await tx.execute(sql`drop type if exists ${ident(name)} cascade`);
    }
    await tx.execute(sql`drop table if exists drizzle.__drizzle_migrations`);
  });
}

function restoreHint(database: Database): string {
  return database.kind === "pglite"
    ? "Restore into a new data directory instead, e.g. DATA_DIR=./.data-restored pnpm cli restore FILE, then start with that DATA_DIR."
    : "Restore into a new database instead, e.g. createdb ucie_restored, then DATABASE_URL=postgres://.../ucie_restored pnpm cli restore FILE.";
}

/** Load a backup into `database`, which must hold no user data. Failures that need the operator are values. */
export async function restoreBackup(database: Database, file: string): Promise<RestoreResult> {
  const header = await readHeader(file);
  if (!header)
    return { ok: false, reason: "not_a_backup", message: `${file} is not a UCIE backup (gzip JSON lines with a ucie-backup header)` };
  if (header.formatVersion > BACKUP_FORMAT_VERSION) {
    return { ok: false, reason: "newer_schema", message: `${file} uses backup format ${header.formatVersion}: update UCIE to restore it` };
  }
  const journal = migrationJournal();
  const target = journal.find((m) => m.tag === header.migration.tag && m.when === header.migration.when);
  if (!target) {
    return {
      ok: false,
      reason: "newer_schema",
      message: `${file} was made with schema ${header.migration.tag}, which this UCIE does not know: update UCIE to restore it`,
    };
  }
  const occupied = await tablesWithData(database);
  if (occupied.length > 0) {
    return {
      ok: false,
      reason: "not_empty",
      message: `refusing to restore: the configured ${database.kind === "pglite" ? "embedded database" : "database"} already holds data (${occupied.join(", ")}). ${restoreHint(database)}`,
    };
  }

  // bring the schema to the backup's version: an empty schema newer than it is dropped and rebuilt
  const current = await appliedMigration(database);
  if (current && current.idx > target.idx) await resetSchema(database);
  await migrate(database, { upTo: target.tag });

  const rows: Record<string, number> = {};
  const truncated = await database.db
    .transaction(async (tx) => {
      const tables = new Map((await userTables(tx)).map((t) => [t.name, t]));
      let table: TableInfo | undefined;
      let batch: string[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (!table || batch.length === 0) return;
        const cols = sql.join(
          table.columns.map((c) => ident(c)),
          sql`, `,
        );
        await tx.execute(
          sql`insert into ${ident(table.name)} (${cols}) overriding system value
            select ${cols} from json_populate_recordset(null::${ident(table.name)}, ${`[${batch.join(",")}]`}::json)`,
        );
        rows[table.name] = (rows[table.name] ?? 0) + batch.length;
        batch = [];
        batchBytes = 0;
      };
      let first = true;
      let end: { rows: Record<string, number> } | undefined;
      for await (const line of lines(file)) {
        if (first) {
          first = false;
          continue;
        }
        if (line.startsWith('{"@')) {
          await flush();
          const marker = JSON.parse(line) as { "@table"?: string; "@end"?: boolean; rows?: Record<string, number> };
          if (marker["@end"]) {
            end = { rows: marker.rows ?? {} };
            break;
          }
          table = tables.get(marker["@table"] ?? "");
          if (!table) throw new Error(`the backup has a table ${marker["@table"]} that schema ${target.tag} does not`);
          // user triggers (updated_at and the like) stay off so restored rows keep their own values
          await tx.execute(sql`alter table ${ident(table.name)} disable trigger user`);
          rows[table.name] = 0;
          continue;
        }
        batch.push(line);
        batchBytes += line.length;
        if (batch.length >= INSERT_ROWS || batchBytes >= INSERT_BYTES) await flush();
      }
      for (const name of Object.keys(rows)) await tx.execute(sql`alter table ${ident(name)} enable trigger user`);
      // a file cut short rolls the whole load back
      if (!end || Object.entries(end.rows).some(([name, n]) => rows[name] !== n)) throw new TruncatedBackup();
      for (const s of await sequencesOf(tx, [...tables.values()])) {
        const saved = header.sequences.find((q) => q.table === s.table && q.column === s.column)?.lastValue ?? 0;
        const [m] = (await execute<{ max: string | number | null }>(tx, sql`select max(${ident(s.column)}) as max from ${ident(s.table)}`))
          .rows;
        const next = Math.max(saved, Number(m?.max ?? 0));
        if (next > 0) await tx.execute(sql`select setval(${s.seq}, ${next}, true)`);
      }
      return false;
    })
    .catch((err: unknown) => {
      // a gzip stream cut short fails to inflate ("unexpected end of file")
      if (err instanceof TruncatedBackup || (err as { code?: string }).code === "Z_BUF_ERROR") return true;
      throw err;
    });
  if (truncated) {
    return { ok: false, reason: "truncated", message: `${file} is incomplete (no end marker, or row counts differ): nothing was restored` };
  }
  await migrate(database);
  const latest = await appliedMigration(database);
  return { ok: true, migration: target.tag, migratedTo: latest?.tag ?? target.tag, rows };
}
