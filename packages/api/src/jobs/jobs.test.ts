import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "@ucie/config";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { createServices, type Services } from "../services";
import { FakeClock } from "../lib/clock";
import { cleanup } from "./cleanup";
import { runJobTick, type JobDefinition } from "./scheduler";

describe.each(testDbKinds())("jobs on %s", (kind) => {
  let database: TestDatabase;
  let a: Services;
  let b: Services;
  const clock = new FakeClock(new Date("2026-06-01T12:00:00Z"));
  const archiveDir = mkdtempSync(path.join(os.tmpdir(), "ucie-jobs-archive-"));

  beforeAll(async () => {
    database = await createTestDb(kind);
    // clean-up archives old auth logs: into a scratch directory, not the working tree
    const config = loadConfig({ ARCHIVE_DIR: archiveDir, LOG_LEVEL: "silent" });
    a = createServices(database, { instanceId: "instance-a", clock, config });
    b = createServices(database, { instanceId: "instance-b", clock, config });
  });
  afterAll(async () => {
    await database?.close();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  it("runs each tick once when two instances race for it", async () => {
    const runs: string[] = [];
    const job: JobDefinition = {
      name: "race",
      intervalMs: 60_000,
      run: async (s, tick) => {
        runs.push(`${s.instanceId}:${tick.key}`);
        await new Promise((r) => setTimeout(r, 5));
        return { ok: true };
      },
    };
    const ticks = Array.from({ length: 15 }, (_, i) => `t${i}`);
    const outcomes = await Promise.all(ticks.flatMap((t) => [runJobTick(a, job, t), runJobTick(b, job, t)]));
    expect(runs).toHaveLength(ticks.length);
    expect(new Set(runs.map((r) => r.split(":")[1])).size).toBe(ticks.length);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(ticks.length);
    const recorded = (
      await execute<{ n: number }>(database.db, sql`select count(*)::int as n from job_runs where job = 'race' and finished_at is not null`)
    ).rows;
    expect(Number(recorded[0]!.n)).toBe(ticks.length);
  });

  it("lets another instance take over a run that died, but only after the lease", async () => {
    const job: JobDefinition = { name: "crashy", intervalMs: 86_400_000, leaseMs: 60_000, run: async () => "done" };
    // instance A claimed the tick and died before finishing
    await database.db.execute(sql`insert into job_runs (job, tick_key, instance_id) values ('crashy', 'day1', 'instance-a')`);
    expect((await runJobTick(b, job, "day1")).ran).toBe(false);
    await database.db.execute(sql`update job_runs set started_at = now() - interval '2 minutes' where job = 'crashy'`);
    const outcome = await runJobTick(b, job, "day1");
    expect(outcome).toMatchObject({ ran: true, result: "done" });
    const [row] = (
      await execute<{ instance_id: string; finished_at: unknown }>(
        database.db,
        sql`select instance_id, finished_at from job_runs where job = 'crashy'`,
      )
    ).rows;
    expect(row!.instance_id).toBe("instance-b");
    expect(row!.finished_at).not.toBeNull();
  });

  it("records a failing job's error and does not rerun it in the same tick", async () => {
    let calls = 0;
    const job: JobDefinition = {
      name: "failing",
      intervalMs: 60_000,
      run: async () => {
        calls++;
        throw new Error("upstream exploded");
      },
    };
    expect(await runJobTick(a, job, "x")).toMatchObject({ ran: true, error: "upstream exploded" });
    expect((await runJobTick(b, job, "x")).ran).toBe(false);
    expect(calls).toBe(1);
  });

  it("clean-up deletes only what is past retention, in batches", async () => {
    const now = clock.now();
    const [user] = (
      await execute<{ id: string }>(
        database.db,
        sql`insert into users (email, password_hash) values ('cleanup@example.com', 'h') returning id`,
      )
    ).rows;
    const uid = user!.id;
    await database.db.execute(sql`insert into sessions (user_id, token_hash, created_at, expires_at) values
      (${uid}, 'expired', ${new Date(now.getTime() - 10 * 86_400_000)}, ${new Date(now.getTime() - 1000)}),
      (${uid}, 'live', ${now}, ${new Date(now.getTime() + 86_400_000)})`);
    // 2,500 logs past 90 days (more than two batches) and 3 recent ones
    await database.db.execute(sql`insert into auth_logs (user_id, event_type, success, "timestamp")
      select ${uid}, 'login', true, ${new Date(now.getTime() - 91 * 86_400_000)}::timestamptz - (g || ' seconds')::interval from generate_series(1, 2500) g`);
    await database.db.execute(sql`insert into auth_logs (user_id, event_type, success, "timestamp")
      select ${uid}, 'login', true, ${new Date(now.getTime() - 89 * 86_400_000)} from generate_series(1, 3)`);
    await database.db
      .execute(sql`insert into ucie_analysis_cache (symbol, coin_id, analysis_type, data, data_quality_score, expires_at) values
      ('BTC', 'bitcoin', 'market', '{}', 90, ${new Date(now.getTime() - 1)}), ('ETH', 'ethereum', 'market', '{}', 90, ${new Date(now.getTime() + 60_000)})`);
    await database.db.execute(sql`insert into ucie_phase_data (session_id, symbol, coin_id, phase_number, phase_data, expires_at) values
      ('s-old', 'BTC', 'bitcoin', 1, '{}', ${new Date(now.getTime() - 1)}), ('s-new', 'BTC', 'bitcoin', 1, '{}', ${new Date(now.getTime() + 60_000)})`);
    await database.db.execute(sql`insert into two_factor_challenges (user_id, token_hash, expires_at) values
      (${uid}, 'abandoned', ${new Date(now.getTime() - 1)}), (${uid}, 'pending', ${new Date(now.getTime() + 60_000)})`);

    const counts = await cleanup(a);
    expect(counts).toMatchObject({ sessions: 1, authLogs: 2500, analysisCache: 1, phaseData: 1, twoFactorChallenges: 1 });
    const left = (
      await execute<{ s: number; l: number; c: number; p: number }>(
        database.db,
        sql`select
      (select count(*)::int from sessions where user_id = ${uid}) as s,
      (select count(*)::int from auth_logs where user_id = ${uid}) as l,
      (select count(*)::int from ucie_analysis_cache) as c,
      (select count(*)::int from ucie_phase_data) as p`,
      )
    ).rows[0]!;
    expect(left).toEqual({ s: 1, l: 3, c: 1, p: 1 });
    expect(await cleanup(a)).toMatchObject({ sessions: 0, authLogs: 0, analysisCache: 0, phaseData: 0 });
  });
});
