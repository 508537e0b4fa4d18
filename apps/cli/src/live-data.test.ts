/**
 * The real CLI against a real server process on the embedded database: what the CLI writes while the server runs
 * is the server's data at once, and survives restarts; `alerts evaluate` is a pass of its own even right after
 * the scheduler's tick.
 */
import { rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { jobRuns, migrate, openDatabase, ucieAlerts, ucieAlertTriggers, users, type Database } from "@ucie/db";
import { spawnServerProcess, type ServerProcess } from "@ucie/server/process";
import { createTestClient } from "@ucie/server/testing";
import { and, count, eq, isNotNull } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./testing/run-cli";

describe("the CLI on the embedded database while the server runs", () => {
  const dataDir = path.join(os.tmpdir(), `ucie-cli-live-${randomUUID()}`);
  const env = { DATA_DIR: dataDir, MARKET_DATA: "offline" };
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("creates an access code the running server accepts at once, and that is redeemed after a restart", async () => {
    server = await spawnServerProcess(env);
    const created = await runCli(["access-codes", "create"], env);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const code = created.stdout.trim();
    expect(code).toMatch(/^UCIE-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);

    const registered = await createTestClient(server.url).trpc.auth.register.mutate({
      email: "live@example.com",
      password: "one live database for all",
      accessCode: code,
    });
    expect(registered).toMatchObject({ email: "live@example.com" });

    expect(await server.stop()).toBe(0);
    // no server: the CLI opens the data directory itself
    const offline = await runCli(["access-codes", "list"], env);
    expect(offline.code).toBe(0);
    // codes are stored hashed: the list shows the first group only
    const listed = `\\t${code.slice(0, 9)}-…\\t`;
    expect(offline.stdout).toMatch(new RegExp(`${listed}redeemed `));

    server = await spawnServerProcess(env);
    const live = await runCli(["access-codes", "list"], env);
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(new RegExp(`${listed}redeemed .* by [0-9a-f-]{36}\\t`));
  }, 240_000);
});

describe("pnpm cli alerts evaluate on the embedded database", () => {
  const dataDir = path.join(os.tmpdir(), `ucie-cli-alerts-${randomUUID()}`);
  // the scheduler evaluates alerts once a day here: its tick is spent right after start-up
  const env = { DATA_DIR: dataDir, MARKET_DATA: "offline", ALERT_INTERVAL_SECONDS: "86400" };
  let server: ServerProcess | undefined;
  let database: Database | undefined;
  afterAll(async () => {
    await database?.close();
    await server?.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  // thresholds differ: two identical enabled alerts of one user are refused (unique index)
  const newAlert = async (db: Database["db"], userId: string, thresholdValue: number) =>
    (
      await db
        .insert(ucieAlerts)
        .values({
          userId,
          symbol: "BTC",
          coinId: "bitcoin",
          alertType: "price_above",
          thresholdValue,
          repeatMode: "repeat",
          cooldownSeconds: 60,
        })
        .returning({ id: ucieAlerts.id })
    )[0]!.id;
  const firings = async (db: Database["db"], alertId: string) =>
    (await db.select({ n: count() }).from(ucieAlertTriggers).where(eq(ucieAlertTriggers.alertId, alertId)))[0]!.n;
  const evaluate = async () => {
    const run = await runCli(["alerts", "evaluate"], env);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const [, checked, triggered] = /^checked (\d+) alerts, triggered (\d+)$/m.exec(run.stdout) ?? [];
    return { checked: Number(checked), triggered: Number(triggered) };
  };

  it("checks every enabled alert right after the scheduler's tick, and fires each once per state change", async () => {
    // an alert that holds, made before the server starts (the CLI owns the data directory meanwhile)
    const own = await openDatabase({ DATA_DIR: dataDir, DB_POOL_MAX: 2 }, { role: "cli", command: "test" });
    await migrate(own);
    const [user] = await own.db
      .insert(users)
      .values({ email: "alerts@example.com", passwordHash: "not-a-real-hash", emailVerified: true })
      .returning({ id: users.id });
    const early = await newAlert(own.db, user!.id, 1);
    await own.close();

    server = await spawnServerProcess(env);
    // a client of the running server's database, as psql would be
    database = await openDatabase({ DATA_DIR: dataDir, DB_POOL_MAX: 2 }, { role: "cli", command: "test" });
    const db = database.db;
    // the scheduler's tick of this interval has run and fired the early alert
    await expect
      .poll(
        async () =>
          (
            await db
              .select({ n: count() })
              .from(jobRuns)
              .where(and(eq(jobRuns.job, "alerts"), isNotNull(jobRuns.finishedAt)))
          )[0]!.n,
        {
          timeout: 30_000,
        },
      )
      .toBe(1);
    expect(await firings(db, early)).toBe(1);

    // the operator's pass still checks it (before: "checked 0 alerts"), and does not fire it again
    expect(await evaluate()).toEqual({ checked: 1, triggered: 0 });
    // an alert made since the tick fires on the operator's pass, once
    const late = await newAlert(db, user!.id, 2);
    expect(await evaluate()).toEqual({ checked: 2, triggered: 1 });
    expect(await evaluate()).toEqual({ checked: 2, triggered: 0 });
    expect([await firings(db, early), await firings(db, late)]).toEqual([1, 1]);
  }, 180_000);
});
