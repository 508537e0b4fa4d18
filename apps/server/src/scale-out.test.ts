/**
 * Two UCIE server processes on one Postgres database, no sticky sessions: whichever instance a request
 * lands on, sessions, stored analysis phases, alert delivery and scheduled jobs behave as one service.
 */
import { hashPassword } from "@ucie/api";
import { execute, users } from "@ucie/db";
import { createTestDb, type TestDatabase } from "@ucie/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServerProcess, type ServerProcess } from "./process";
import { createTestClient } from "./testing";

describe.skipIf(!process.env.TEST_DATABASE_URL)("two instances on one Postgres", () => {
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  const email = "scale@example.com";
  const password = "two instances, one truth";

  beforeAll(async () => {
    database = await createTestDb("postgres");
    await database.db.insert(users).values({ email, passwordHash: await hashPassword(password), emailVerified: true });
    const common = { DATABASE_URL: database.url!, MARKET_DATA: "offline", DB_POOL_MAX: "5" };
    // B evaluates alerts every 2 s; A only once an hour, so a trigger A's subscriber sees was found by B
    [a, b] = await Promise.all([
      spawnServerProcess({ ...common, ALERT_INTERVAL_SECONDS: "3600" }),
      spawnServerProcess({ ...common, ALERT_INTERVAL_SECONDS: "2" }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([a?.stop("SIGKILL"), b?.stop("SIGKILL")]);
    await database?.close();
  });

  it("accepts on B a login made on A, and a logout on B ends it on A at once", async () => {
    const onA = createTestClient(a.url);
    await onA.trpc.auth.login.mutate({ email, password });
    const onB = createTestClient(b.url);
    for (const [k, v] of onA.cookies) onB.cookies.set(k, v);
    expect(await onB.trpc.auth.me.query()).toMatchObject({ email });
    expect(await onA.trpc.auth.me.query()).toMatchObject({ email });

    await onB.trpc.auth.logout.mutate();
    // A had the session in its cache: the revocation must reach it through the database, not by waiting
    expect(await onA.trpc.auth.me.query()).toBeNull();
  });

  it("resumes on B an analysis started on A, with only the later phases", async () => {
    const onA = createTestClient(a.url);
    await onA.trpc.auth.login.mutate({ email, password });
    const onB = createTestClient(b.url);
    for (const [k, v] of onA.cookies) onB.cookies.set(k, v);
    const sessionId = `scale-${Date.now()}`;

    const firstTwo = await new Promise<{ id: string; phase: number }[]>((resolve, reject) => {
      const got: { id: string; phase: number }[] = [];
      const sub = onA.trpc.analysis.stream.subscribe(
        { symbol: "bitcoin", sessionId },
        {
          onData(e) {
            got.push({ id: e.id, phase: e.data.phase });
            if (e.data.phase === 2) {
              sub.unsubscribe();
              resolve(got);
            }
          },
          onError: reject,
        },
      );
    });
    expect(firstTwo.map((e) => e.id)).toEqual([`${sessionId}:1`, `${sessionId}:2`]);

    const rest = await new Promise<{ id: string; phase: number; fromCache: boolean }[]>((resolve, reject) => {
      const got: { id: string; phase: number; fromCache: boolean }[] = [];
      const sub = onB.trpc.analysis.stream.subscribe(
        { symbol: "bitcoin", sessionId, lastEventId: `${sessionId}:2` },
        {
          onData(e) {
            got.push({ id: e.id, phase: e.data.phase, fromCache: e.data.fromCache });
          },
          onComplete: () => resolve(got),
          onError: reject,
        },
      );
      setTimeout(() => (sub.unsubscribe(), resolve(got)), 60_000);
    });
    expect(rest.map((e) => e.phase)).toEqual([3, 4]);
    const stored = (
      await execute<{ phase_number: number }>(
        database.db,
        sql`select phase_number from ucie_phase_data where session_id = ${sessionId} order by 1`,
      )
    ).rows;
    expect(stored.map((r) => r.phase_number)).toEqual([1, 2, 3, 4]);
  });

  it("delivers to a subscriber on A an alert that B's evaluator found, once", async () => {
    const onA = createTestClient(a.url);
    await onA.trpc.auth.login.mutate({ email, password });
    const [btc] = (
      await execute<{ price: number }>(database.db, sql`select current_price_usd as price from ucie_tokens where coingecko_id = 'bitcoin'`)
    ).rows;
    const threshold = Math.round(btc!.price * 1.1);
    const alert = await onA.trpc.alerts.create.mutate({ symbol: "bitcoin", type: "price_above", threshold });

    const triggers: { alertId: string }[] = [];
    let started = false;
    // from event 0: a firing that lands between the connection opening and the server's LISTEN comes from the backlog
    const sub = onA.trpc.alerts.onTriggered.subscribe(
      { lastEventId: "0" },
      { onStarted: () => (started = true), onData: (e) => triggers.push(e.data) },
    );
    await expect.poll(() => started).toBe(true);
    await database.db.execute(sql`update ucie_tokens set current_price_usd = ${threshold * 1.05} where coingecko_id = 'bitcoin'`);

    await expect.poll(() => triggers.length, { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    // two more evaluation ticks have run (B's, every 2 s) after the firing: still one trigger
    const ticks = async () =>
      (await execute<{ n: number }>(database.db, sql`select count(*)::int as n from job_runs where job = 'alerts'`)).rows[0]!.n;
    const after = await ticks();
    await expect.poll(ticks, { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(after + 2);
    sub.unsubscribe();
    expect(triggers.filter((t) => t.alertId === alert.id)).toHaveLength(1);
    const fired = (
      await execute<{ instance_id: string }>(
        database.db,
        sql`select jr.instance_id from job_runs jr where jr.job = 'alerts' and (jr.result->>'triggered')::int > 0`,
      )
    ).rows;
    expect(fired).toHaveLength(1);
    expect(b.output()).toContain(fired[0]!.instance_id);
  });

  it("ran each scheduled job tick on exactly one instance", async () => {
    const runs = (
      await execute<{ job: string; tick_key: string; n: number }>(
        database.db,
        sql`select job, tick_key, count(*)::int as n from job_runs group by 1, 2`,
      )
    ).rows;
    expect(runs.find((r) => r.job === "token-sync")).toBeTruthy();
    expect(runs.every((r) => r.n === 1)).toBe(true);
    const syncLines = (s: string) => s.split("\n").filter((l) => l.includes('"job token-sync done"')).length;
    expect(syncLines(a.output()) + syncLines(b.output())).toBe(runs.filter((r) => r.job === "token-sync").length);
  });

  it("shuts down cleanly on SIGTERM with a stream open", async () => {
    const onA = createTestClient(a.url);
    await onA.trpc.auth.login.mutate({ email, password });
    let open = false;
    let ended = false;
    const sub = onA.trpc.alerts.onTriggered.subscribe(undefined, {
      onStarted: () => (open = true),
      onData: () => {},
      onError: () => (ended = true),
      onComplete: () => (ended = true),
      // the server closing the stream shows as the link going back to connecting, with the error that closed it
      onConnectionStateChange: (s) => {
        if (open && s.state === "connecting") ended = true;
      },
    });
    await expect.poll(() => open).toBe(true);
    const started = Date.now();
    expect(await a.stop("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(a.output()).toContain("shutting down");
    expect(a.output()).toMatch(/"msg":"stopped"/);
    await expect.poll(() => ended).toBe(true);
    sub.unsubscribe();
    // B is unaffected
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  });
});
