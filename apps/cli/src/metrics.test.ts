/**
 * What a `pnpm cli` command counts (here the upstream calls of `tokens sync`) is in `metric_counters` once the
 * process has exited, as the server's counts are: the admin health page reads them across every process.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFakeUpstream, type FakeUpstream } from "@ucie/api/testing";
import { metricCounters, openDatabase, type Database } from "@ucie/db";
import { createTestDb, testDbKinds } from "@ucie/db/testing";
import { and, eq, sum } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./testing/run-cli";

describe.each(testDbKinds())("pnpm cli flushes its metric counters before it exits (%s)", (kind) => {
  let upstream: FakeUpstream;
  let database: Database | undefined;
  const dataDir = path.join(os.tmpdir(), `ucie-cli-metrics-${randomUUID()}`);
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(async () => {
    await database?.close();
    await upstream?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("tokens sync: every CoinGecko call it made is counted in metric_counters", async () => {
    // Postgres: a fresh database at DATABASE_URL; PGlite: a data directory the CLI opens itself (no server runs)
    const testDb = kind === "postgres" ? await createTestDb("postgres") : undefined;
    database = testDb;
    const env = { MARKET_DATA: "live", ...upstream.env, ...(testDb?.url ? { DATABASE_URL: testDb.url } : { DATA_DIR: dataDir }) };

    const run = await runCli(["tokens", "sync"], env);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("token catalogue synced from live CoinGecko data");
    const calls = upstream.requests.filter((r) => r.provider === "coingecko").length;
    expect(calls).toBeGreaterThan(0);

    database ??= await openDatabase({ DATA_DIR: dataDir, DB_POOL_MAX: 2 }, { role: "cli", command: "test" });
    const [counted] = await database.db
      .select({ n: sum(metricCounters.count).mapWith(Number) })
      .from(metricCounters)
      .where(and(eq(metricCounters.kind, "upstream"), eq(metricCounters.subject, "coingecko"), eq(metricCounters.outcome, "ok")));
    expect(counted?.n).toBe(calls);
  }, 120_000);
});
