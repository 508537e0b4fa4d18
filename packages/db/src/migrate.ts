import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type { Database } from "./client";

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../migrations");

/** An arbitrary constant: instances starting together take turns applying migrations. */
const MIGRATION_LOCK = 7_240_117;

/** Apply the committed drizzle-kit migrations. Safe to call from several instances at once. */
export async function migrate(database: Database): Promise<void> {
  if (database.raw.kind === "pglite") {
    await migratePglite(drizzlePglite(database.raw.client), { migrationsFolder });
    return;
  }
  const reserved = await database.raw.sql.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK})`;
    // the lock lives on the reserved connection; the migration itself runs on the pool
    // (the handle's own drizzle instance: wrapping the client again would reset its date serializers)
    await migratePostgres(database.raw.db, { migrationsFolder });
  } finally {
    await reserved`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    reserved.release();
  }
}
