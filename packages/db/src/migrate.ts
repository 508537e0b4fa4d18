import { createRequire } from "node:module";
import path from "node:path";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database } from "./client";

// found through the package rather than this module's folder: in the compiled server every module shares one file
export const migrationsFolder = path.join(path.dirname(createRequire(import.meta.url).resolve("@ucie/db/package.json")), "migrations");

/** An arbitrary constant: instances starting together take turns applying migrations. */
const MIGRATION_LOCK = 7_240_117;

/** Apply the committed drizzle-kit migrations. Safe to call from several instances at once. */
export async function migrate(database: Database): Promise<void> {
  if (database.raw.kind === "pglite") {
    const [{ migrate: migratePglite }, { drizzle: drizzlePglite }] = await Promise.all([
      import("drizzle-orm/pglite/migrator"),
      import("drizzle-orm/pglite"),
    ]);
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
