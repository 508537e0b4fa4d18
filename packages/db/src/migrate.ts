import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type { Database } from "./client";
import { execute } from "./execute";

// found through the package rather than this module's folder: in the compiled server every module shares one file
export const migrationsFolder = path.join(path.dirname(createRequire(import.meta.url).resolve("@ucie/db/package.json")), "migrations");

/** An arbitrary constant: instances starting together take turns applying migrations. */
const MIGRATION_LOCK = 7_240_117;

/** One committed migration, as drizzle-kit's journal lists it (`when` is what the database records). */
export interface MigrationEntry {
  idx: number;
  tag: string;
  when: number;
}

/** The committed migrations, oldest first. */
export function migrationJournal(folder = migrationsFolder): MigrationEntry[] {
  const journal = JSON.parse(readFileSync(path.join(folder, "meta/_journal.json"), "utf8")) as { entries: MigrationEntry[] };
  return journal.entries.map(({ idx, tag, when }) => ({ idx, tag, when }));
}

/** The last migration applied to this database, or null when none is (a fresh database). */
export async function appliedMigration(database: Database): Promise<MigrationEntry | null> {
  const exists = await execute<{ ok: boolean }>(database.db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`);
  if (!exists.rows[0]?.ok) return null;
  const last = (
    await execute<{ created_at: string | number }>(
      database.db,
      sql`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
    )
  ).rows[0];
  if (!last) return null;
  const when = Number(last.created_at);
  return migrationJournal().find((m) => m.when === when) ?? { idx: Number.POSITIVE_INFINITY, tag: `unknown (${when})`, when };
}

/**
 * Apply the committed drizzle-kit migrations (all, or up to and including `upTo`, which restoring an older
 * backup needs). Safe to call from several instances at once.
 */
export async function migrate(database: Database, opts: { upTo?: string } = {}): Promise<void> {
  let folder = migrationsFolder;
  let scratch: string | undefined;
  if (opts.upTo) {
    // drizzle's migrator applies a whole folder: give it a copy whose journal stops at `upTo`
    const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta/_journal.json"), "utf8")) as { entries: MigrationEntry[] };
    const end = journal.entries.findIndex((e) => e.tag === opts.upTo);
    if (end < 0) throw new Error(`no migration named ${opts.upTo}`);
    scratch = mkdtempSync(path.join(os.tmpdir(), "ucie-migrations-"));
    cpSync(migrationsFolder, scratch, { recursive: true });
    writeFileSync(path.join(scratch, "meta/_journal.json"), JSON.stringify({ ...journal, entries: journal.entries.slice(0, end + 1) }));
    folder = scratch;
  }
  try {
    await applyFolder(database, folder);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

async function applyFolder(database: Database, folder: string): Promise<void> {
  if (database.raw.kind === "pglite") {
    await migratePglite(drizzlePglite(database.raw.client), { migrationsFolder: folder });
    return;
  }
  const reserved = await database.raw.sql.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK})`;
    // the lock lives on the reserved connection; the migration itself runs on the pool
    // (the handle's own drizzle instance: wrapping the client again would reset its date serializers)
    await migratePostgres(database.raw.db, { migrationsFolder: folder });
  } finally {
    await reserved`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    reserved.release();
  }
}
