/**
 * Fresh, migrated databases for tests. PGlite by default (one migrated template per test process,
 * cloned per database); real Postgres when TEST_DATABASE_URL is set (a new database per call, dropped
 * on close). Never used by the running app.
 */
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import postgres from "postgres";
import { createDb, type Database } from "./client";
import { migrate } from "./migrate";

export type TestDbKind = "pglite" | "postgres";

/** The kinds `pnpm test` covers: PGlite always, Postgres too when TEST_DATABASE_URL is set. */
export function testDbKinds(): TestDbKind[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

/** The preferred kind for tests that run once: Postgres when available, else PGlite. */
export function defaultTestDbKind(): TestDbKind {
  return process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
}

export interface TestDatabase extends Database {
  /** postgres:// URL of this database (Postgres only): lets a test start server processes on it */
  url?: string;
}

let template: Promise<PGlite> | undefined;

async function pgliteTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const pg = await PGlite.create({ extensions: { pg_trgm } });
    await migrate(await createDb({ pglite: pg }));
    return pg;
  })();
  return template;
}

/**
 * Builds this process's migrated PGlite template now: for a `beforeAll` (hook timeout) in files whose first test
 * would otherwise pay for PGlite's initdb and every migration inside its own test timeout.
 */
export async function prepareTestDbs(): Promise<void> {
  await pgliteTemplate();
}

export async function createTestDb(kind: TestDbKind = defaultTestDbKind(), opts: { poolMax?: number } = {}): Promise<TestDatabase> {
  if (kind === "pglite") {
    const clone = (await (await pgliteTemplate()).clone()) as PGlite;
    return createDb({ pglite: clone });
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `ucie_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await createDb({ url: url.toString(), poolMax: opts.poolMax ?? 10 });
  await migrate(database);
  const close = () => database.close();
  return {
    ...database,
    url: url.toString(),
    async close() {
      await close();
      const admin2 = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin2.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin2.end();
      }
    },
  };
}
