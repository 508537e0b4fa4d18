/**
 * The admin area through the real router on PGlite (and Postgres when TEST_DATABASE_URL is set): roles,
 * who may call `admin.*`, what each action changes and the auth_logs row it leaves, the last-admin rule.
 */
import { and, eq } from "drizzle-orm";
import { authLogs, jobRuns, users } from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessCodes } from "../auth/access-codes";
import { setUserRole } from "../auth/operator";
import { adminRouter } from "../routers/admin";
import { createAuthTestEnv, TEST_PASSWORD, type AuthTestEnv, type TestBrowser } from "../testing/auth-env";
import { failure } from "../testing/failure";
import { csvCell } from "./auth-log";

describe.each(testDbKinds())("admin on %s", (kind) => {
  let database: TestDatabase;
  let env: AuthTestEnv;
  let admin: TestBrowser & { userId: string };
  let alice: TestBrowser & { userId: string };

  const logRow = async (type: (typeof authLogs.$inferSelect)["eventType"], userId?: string) =>
    env.services.db
      .select()
      .from(authLogs)
      .where(and(eq(authLogs.eventType, type), userId ? eq(authLogs.userId, userId) : undefined));

  beforeAll(async () => {
    database = await createTestDb(kind);
    env = await createAuthTestEnv(database);
    admin = await env.signUp("root@example.com");
    alice = await env.signUp("alice@example.com");
  });
  afterAll(async () => {
    await env?.close();
    await database?.close();
  });

  it("makes the first account admin and the second a user, and says so in auth.me", async () => {
    expect(await admin.api.auth.me()).toMatchObject({ email: "root@example.com", role: "admin" });
    expect(await alice.api.auth.me()).toMatchObject({ email: "alice@example.com", role: "user" });
  });

  it("refuses every admin.* procedure to a user (FORBIDDEN) and to a stranger (UNAUTHORIZED)", async () => {
    const names = Object.keys(adminRouter);
    expect(names.length).toBeGreaterThan(10);
    const call = (b: TestBrowser, name: string) =>
      (b.api.admin as unknown as Record<string, (input: unknown) => Promise<unknown>>)[name]!({});
    for (const name of names) {
      expect((await failure(call(alice, name))).code, name).toBe("FORBIDDEN");
      expect((await failure(call(env.browser(), name))).code, name).toBe("UNAUTHORIZED");
    }
  });

  it("creates access codes with a note and a registration link, lists who redeemed them, and revokes one", async () => {
    const created = await admin.api.admin.createAccessCodes({ count: 2, expiresInHours: 48, note: "for the team" });
    expect(created.codes).toHaveLength(2);
    expect(created.codes[0]!.link).toBe(`http://ucie.test/register?code=${created.codes[0]!.code}`);
    const bob = env.browser();
    await bob.api.auth.register({ email: "bob@example.com", password: TEST_PASSWORD, accessCode: created.codes[0]!.code });

    const page = await admin.api.admin.accessCodes({ limit: 100 });
    const mine = page.items.filter((c) => c.note === "for the team");
    expect(mine.map((c) => c.status).sort()).toEqual(["redeemed", "usable"]);
    expect(mine.find((c) => c.status === "redeemed")?.redeemedByEmail).toBe("bob@example.com");

    const usable = mine.find((c) => c.status === "usable")!;
    await admin.api.admin.revokeAccessCode({ id: usable.id });
    const after = await admin.api.admin.accessCodes({ limit: 100 });
    expect(after.items.find((c) => c.id === usable.id)?.status).toBe("revoked");
    expect((await failure(admin.api.admin.revokeAccessCode({ id: usable.id }))).code).toBe("NOT_FOUND");

    const created2 = await logRow("admin_codes_created");
    expect(created2.at(-1)).toMatchObject({ actorId: admin.userId, success: true, errorMessage: "2 codes" });
    expect((await logRow("admin_code_revoked")).at(-1)).toMatchObject({ actorId: admin.userId, errorMessage: usable.prefix });
  });

  it("pages through accounts with a cursor and finds them by search", async () => {
    for (let i = 0; i < 3; i++) {
      const [code] = await createAccessCodes(env.services.db, 1);
      env.clock.advance(1000);
      await env.browser().api.auth.register({ email: `page${i}@example.com`, password: TEST_PASSWORD, accessCode: code! });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.api.admin.users({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((u) => u.email));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const all = await env.services.db.select({ email: users.email }).from(users);
    expect(seen.sort()).toEqual(all.map((u) => u.email).sort());

    const found = await admin.api.admin.users({ search: "ALICE" });
    expect(found.items).toEqual([
      expect.objectContaining({ email: "alice@example.com", role: "user", emailVerified: true, activeSessions: 1 }),
    ]);
    expect(found.items[0]!.lastLoginAt).toBeInstanceOf(Date);
    expect((await admin.api.admin.users({ search: "%" })).items).toEqual([]);
    expect((await failure(admin.api.admin.users({ cursor: "not-a-cursor" }))).code).toBe("BAD_REQUEST");
  });

  it("disables, enables, ends sessions of, promotes and demotes an account, logging each", async () => {
    const carol = await env.signUp("carol@example.com");
    const row = async () => (await admin.api.admin.users({ search: "carol@" })).items[0]!;

    expect(await admin.api.admin.disableUser({ userId: carol.userId })).toMatchObject({ sessionsEnded: 1 });
    expect((await row()).disabledAt).toBeInstanceOf(Date);
    expect(await carol.api.auth.me()).toBeNull();
    expect(await logRow("admin_user_disabled", carol.userId)).toEqual([expect.objectContaining({ actorId: admin.userId })]);

    await admin.api.admin.enableUser({ userId: carol.userId });
    expect((await row()).disabledAt).toBeNull();
    expect(await logRow("admin_user_enabled", carol.userId)).toHaveLength(1);

    await carol.api.auth.login({ email: "carol@example.com", password: TEST_PASSWORD });
    expect(await admin.api.admin.endUserSessions({ userId: carol.userId })).toMatchObject({ sessionsEnded: 1 });
    expect((await row()).activeSessions).toBe(0);
    expect(await logRow("admin_sessions_ended", carol.userId)).toHaveLength(1);

    await admin.api.admin.setRole({ userId: carol.userId, role: "admin" });
    expect((await row()).role).toBe("admin");
    await carol.api.auth.login({ email: "carol@example.com", password: TEST_PASSWORD });
    expect((await carol.api.admin.users({})).items.length).toBeGreaterThan(0);
    await admin.api.admin.setRole({ userId: carol.userId, role: "user" });
    // at once, although carol's session (and its role) may be cached
    expect((await failure(carol.api.admin.users({}))).code).toBe("FORBIDDEN");
    expect(await logRow("admin_user_promoted", carol.userId)).toHaveLength(1);
    expect(await logRow("admin_user_demoted", carol.userId)).toHaveLength(1);
  });

  it("deletes an account only with its e-mail typed as confirmation", async () => {
    const dave = await env.signUp("dave@example.com");
    const wrong = await failure(admin.api.admin.deleteUser({ userId: dave.userId, confirmEmail: "alice@example.com" }));
    expect(wrong.message).toMatch(/^confirmEmail: /);
    await admin.api.admin.deleteUser({ userId: dave.userId, confirmEmail: "Dave@Example.com" });
    expect(await env.services.db.select().from(users).where(eq(users.id, dave.userId))).toEqual([]);
    expect(await dave.api.auth.me()).toBeNull();
    // the account is gone, so its row keeps the admin as actor and loses the user id
    expect((await logRow("admin_user_deleted")).at(-1)).toMatchObject({ actorId: admin.userId, userId: null });
  });

  it("never lets the last admin be demoted, disabled or deleted, also by themselves", async () => {
    expect((await failure(admin.api.admin.setRole({ userId: admin.userId, role: "user" }))).code).toBe("CONFLICT");
    expect((await failure(admin.api.admin.disableUser({ userId: admin.userId }))).code).toBe("CONFLICT");
    expect((await failure(admin.api.admin.deleteUser({ userId: admin.userId, confirmEmail: "root@example.com" }))).code).toBe("CONFLICT");
    expect(await setUserRole(env.services, "root@example.com", "user")).toEqual({ ok: false, reason: "last-admin" });
    // nor by deleting their own account from the account page
    expect((await failure(admin.api.auth.deleteAccount({ password: TEST_PASSWORD }))).code).toBe("CONFLICT");
    expect((await admin.api.auth.me())?.role).toBe("admin");

    // with a second admin, two demotions racing: exactly one succeeds
    await admin.api.admin.setRole({ userId: alice.userId, role: "admin" });
    const results = await Promise.allSettled([
      admin.api.admin.setRole({ userId: alice.userId, role: "user" }),
      alice.api.admin.setRole({ userId: admin.userId, role: "user" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const admins = await env.services.db.select().from(users).where(eq(users.role, "admin"));
    expect(admins).toHaveLength(1);
    if (admins[0]!.id !== admin.userId) await setUserRole(env.services, "root@example.com", "admin");
  });

  it("filters the auth log and downloads it as CSV with formula cells defused", async () => {
    await alice.api.auth.login({ email: "alice@example.com", password: "wrong password entirely" }).catch(() => {});
    const failed = await admin.api.admin.authLog({ user: "alice@example.com", eventType: "failed_login", success: false });
    expect(failed.items.length).toBeGreaterThan(0);
    expect(failed.items.every((r) => r.userEmail === "alice@example.com" && !r.success && r.eventType === "failed_login")).toBe(true);
    const byIp = await admin.api.admin.authLog({ ip: failed.items[0]!.ipAddress! });
    expect(byIp.items.every((r) => r.ipAddress === failed.items[0]!.ipAddress)).toBe(true);
    const future = await admin.api.admin.authLog({ from: new Date(env.clock.now().getTime() + 3_600_000) });
    expect(future.items).toEqual([]);

    const { csv, rows } = await admin.api.admin.authLogCsv({ user: alice.userId });
    expect(rows).toBeGreaterThan(0);
    expect(csv.split("\r\n")[0]).toBe("timestamp,eventType,success,userEmail,userId,actorEmail,ipAddress,userAgent,errorMessage");
    expect(csv).toContain('"alice@example.com"');
    expect(await logRow("admin_log_exported")).toHaveLength(1);

    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell("+1")).toBe(`"'+1"`);
    expect(csvCell("-1")).toBe(`"'-1"`);
    expect(csvCell("@SUM(A1)")).toBe(`"'@SUM(A1)"`);
    expect(csvCell("plain")).toBe(`"plain"`);
  });

  it("lists jobs with their next run, and runs one now exactly once", async () => {
    const before = await admin.api.admin.jobs();
    expect(before.map((j) => j.name)).toEqual(expect.arrayContaining(["cleanup", "prices", "alerts", "token-sync"]));
    expect(before.every((j) => j.nextRunAt.getTime() > env.clock.now().getTime())).toBe(true);

    const { tickKey } = await admin.api.admin.runJob({ job: "cleanup" });
    // the run is claimed in job_runs; wait for it to finish
    for (let i = 0; i < 200; i++) {
      const [run] = await env.services.db.select().from(jobRuns).where(eq(jobRuns.tickKey, tickKey));
      if (run?.finishedAt) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const cleanup = (await admin.api.admin.jobs()).find((j) => j.name === "cleanup")!;
    expect(cleanup.runs[0]).toMatchObject({ tickKey, manual: true, error: null });
    expect(cleanup.runs[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect((await logRow("admin_job_run")).at(-1)).toMatchObject({ actorId: admin.userId, errorMessage: "cleanup" });
    expect((await failure(admin.api.admin.runJob({ job: "nope" }))).code).toBe("NOT_FOUND");
  });

  it("shows table sizes, sources and the cache hit rate counted across instances", async () => {
    env.services.telemetry.cache("technical", "hit");
    env.services.telemetry.cache("technical", "miss");
    env.services.telemetry.upstream("coingecko", "rate_limited", "429");
    const health = await admin.api.admin.health();
    expect(health.tables.map((t) => t.table)).toEqual(expect.arrayContaining(["users", "auth_logs", "metric_counters"]));
    expect(health.tables.every((t) => t.bytes > 0)).toBe(true);
    expect(health.cache).toEqual([
      { type: "technical", hour: { hits: 1, misses: 1, hitRate: 0.5 }, day: { hits: 1, misses: 1, hitRate: 0.5 } },
    ]);
    const cg = health.sources.find((s) => s.source === "coingecko")!;
    expect(cg.hour.rateLimited).toBe(1);
    expect(cg.lastError).toBe("429");
    expect(health.openStreams).toBe(0);
  });
});

describe.each(testDbKinds())("first registrations on %s", (kind) => {
  it("make exactly one admin when they race", async () => {
    const database = await createTestDb(kind);
    const env = await createAuthTestEnv(database);
    try {
      const codes = await createAccessCodes(env.services.db, 4);
      await Promise.all(
        codes.map((code, i) =>
          env
            .browser({ ip: `198.51.100.${i + 1}` })
            .api.auth.register({ email: `racer${i}@example.com`, password: TEST_PASSWORD, accessCode: code }),
        ),
      );
      const roles = await env.services.db.select({ role: users.role }).from(users);
      expect(roles.map((r) => r.role).sort()).toEqual(["admin", "user", "user", "user"]);
    } finally {
      await env.close();
      await database.close();
    }
  });
});
