/**
 * Self-service and operator control of accounts, through the real router on PGlite (and Postgres when
 * TEST_DATABASE_URL is set): change password, delete account, export data, access codes that expire or
 * are revoked, disabled accounts, and two-factor sign-in with TOTP and recovery codes.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq, isNull, sql } from "drizzle-orm";
import {
  accessCodes,
  authLogs,
  notificationChannels,
  notificationDeliveries,
  pushSubscriptions,
  sessions,
  twoFactorRecoveryCodes,
  ucieAlerts,
  ucieWatchlist,
  users,
} from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createAccessCodes, hashAccessCode, revokeAccessCode } from "../auth/access-codes";
import { endUserSessions, listUsers, setUserDisabled } from "../auth/operator";
import { SessionEndedError, watchSession } from "../auth/revocation";
import { createAuthTestEnv, TEST_PASSWORD, type AuthTestEnv, type TestBrowser } from "../testing/auth-env";
import { CHALLENGE_MAX_FAILURES, totpCode, TWO_FACTOR_RULES } from "../auth/two-factor";
import { readDeviceCookie } from "../auth/device-cookie";
import { openTotpSecret, sealPlainTotpSecrets } from "../auth/totp-secret";
import { failure } from "../testing/failure";

const MINUTE = 60_000;

function field(err: TRPCError): string | undefined {
  if (err.cause instanceof ZodError) return String(err.cause.issues[0]?.path[0]);
  return /^(\w+): /.exec(err.message)?.[1];
}

describe.each(testDbKinds())("accounts on %s", (kind) => {
  let database: TestDatabase;
  let env: AuthTestEnv;
  let db: AuthTestEnv["services"]["db"];
  /** the same database seen from a second server instance */
  let other: AuthTestEnv;

  beforeAll(async () => {
    database = await createTestDb(kind);
    env = await createAuthTestEnv(database);
    other = await createAuthTestEnv(database, { clock: env.clock, instanceId: "second" });
    db = env.services.db;
  });
  afterAll(async () => {
    await other?.close();
    await env?.close();
    await database?.close();
  });

  const currentSessionId = async (b: TestBrowser) => (await b.api.auth.sessions()).find((s) => s.current)!.id;
  /** the code an authenticator app shows now (the service clock's time step, plus `offset` steps) */
  const codeNow = (secret: string, offset = 0) => totpCode(secret, Math.floor(env.clock.now().getTime() / 30_000) + offset);

  describe("stronger passwords", () => {
    it("refuses breached and guessable passwords on register, reset and change, and accepts a strong passphrase", async () => {
      const b = await env.signUp("strength@example.com");
      for (const weak of ["qwer1234", "12341234", "password123", "strength@example.com"]) {
        const err = await failure(b.api.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: weak }));
        expect([err.code, field(err)]).toEqual(["BAD_REQUEST", "newPassword"]);
      }
      expect(await b.api.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "marble otter kettle ninety" })).toEqual({
        ok: true,
      });
    });
  });

  describe("access codes", () => {
    it("stores only a hash and refuses an expired or revoked code with the same answer as an unknown one", async () => {
      const now = env.clock.now();
      const [expiring] = await createAccessCodes(db, 1, { now, expiresAt: new Date(now.getTime() + 10 * MINUTE) });
      const [revoked] = await createAccessCodes(db, 1, { now });
      const dump = JSON.stringify(await db.select().from(accessCodes));
      expect(dump).not.toContain(expiring!);
      expect(dump).toContain(hashAccessCode(expiring!));

      expect(await revokeAccessCode(db, revoked!, now)).toBe("revoked");
      expect(await revokeAccessCode(db, "UCIE-NOPE-NOPE-NOPE", now)).toBe("unknown");
      env.clock.advance(11 * MINUTE);
      const answers = [];
      for (const code of [expiring!, revoked!, "UCIE-ZZZZ-ZZZZ-ZZZZ"]) {
        const err = await failure(
          env.browser().api.auth.register({ email: "late@example.com", password: TEST_PASSWORD, accessCode: code }),
        );
        answers.push([err.code, field(err), err.message]);
      }
      expect(answers[0]).toEqual(["BAD_REQUEST", "accessCode", expect.any(String)]);
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      expect(await db.select().from(users).where(eq(users.email, "late@example.com"))).toHaveLength(0);

      // an unexpired code still works, typed in lower case with spaces
      const [fresh] = await createAccessCodes(db, 1, { now: env.clock.now(), expiresAt: new Date(env.clock.now().getTime() + MINUTE) });
      const user = await env
        .browser()
        .api.auth.register({ email: "ontime@example.com", password: TEST_PASSWORD, accessCode: ` ${fresh!.toLowerCase()} ` });
      const [row] = await db
        .select()
        .from(accessCodes)
        .where(eq(accessCodes.codeHash, hashAccessCode(fresh!)));
      expect(row).toMatchObject({ redeemed: true, redeemedBy: user.id, prefix: fresh!.slice(0, 9) });
    });
  });

  describe("auth.changePassword", () => {
    it("names currentPassword when it is wrong; on success ends every other session (streams too) and keeps this one", async () => {
      const laptop = await env.signUp("change@example.com");
      const phone = other.browser({ ip: "192.0.2.50" });
      await phone.api.auth.login({ email: "change@example.com", password: TEST_PASSWORD });
      const phoneStream = await watchSession(other.services, await currentSessionId(phone));

      const wrong = await failure(
        laptop.api.auth.changePassword({ currentPassword: "not my password", newPassword: "violet anchor mosaic" }),
      );
      expect([wrong.code, field(wrong)]).toEqual(["BAD_REQUEST", "currentPassword"]);
      expect(phoneStream.signal.aborted).toBe(false);

      expect(await laptop.api.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "violet anchor mosaic" })).toEqual({
        ok: true,
      });
      await expect.poll(() => phoneStream.signal.aborted, { timeout: 2000, interval: 5 }).toBe(true);
      expect(phoneStream.signal.reason).toBeInstanceOf(SessionEndedError);
      expect((await failure(phone.api.auth.sessions())).code).toBe("UNAUTHORIZED");
      expect(await laptop.api.auth.sessions()).toHaveLength(1);

      expect((await failure(env.browser().api.auth.login({ email: "change@example.com", password: TEST_PASSWORD }))).code).toBe(
        "UNAUTHORIZED",
      );
      await env.browser().api.auth.login({ email: "change@example.com", password: "violet anchor mosaic" });
      const logs = await db
        .select()
        .from(authLogs)
        .where(and(eq(authLogs.userId, laptop.userId), eq(authLogs.eventType, "password_changed")));
      expect(logs.map((l) => l.success).sort()).toEqual([false, true]);
    });
  });

  describe("auth.deleteAccount", () => {
    it("needs the password; deletes the user with the cascades, keeps the auth log without the user id, clears the cookie, ends streams", async () => {
      const b = await env.signUp("leaving@example.com");
      await db.insert(ucieWatchlist).values({ userId: b.userId, symbol: "BTC", coinId: "bitcoin" });
      await db
        .insert(ucieAlerts)
        .values({ userId: b.userId, symbol: "BTC", coinId: "bitcoin", alertType: "price_above", thresholdValue: 1 });
      const elsewhere = other.browser({ ip: "192.0.2.51" });
      await elsewhere.api.auth.login({ email: "leaving@example.com", password: TEST_PASSWORD });
      const stream = await watchSession(other.services, await currentSessionId(elsewhere));

      const wrong = await failure(b.api.auth.deleteAccount({ password: "not it" }));
      expect([wrong.code, field(wrong)]).toEqual(["BAD_REQUEST", "password"]);
      expect(await db.select().from(users).where(eq(users.id, b.userId))).toHaveLength(1);

      expect(await b.api.auth.deleteAccount({ password: TEST_PASSWORD })).toEqual({ ok: true });
      expect(b.token).toBeNull();
      await expect.poll(() => stream.signal.aborted, { timeout: 2000, interval: 5 }).toBe(true);
      expect(await db.select().from(users).where(eq(users.id, b.userId))).toHaveLength(0);
      expect(await db.select().from(sessions).where(eq(sessions.userId, b.userId))).toHaveLength(0);
      expect(await db.select().from(ucieWatchlist).where(eq(ucieWatchlist.userId, b.userId))).toHaveLength(0);
      expect(await db.select().from(ucieAlerts).where(eq(ucieAlerts.userId, b.userId))).toHaveLength(0);
      const orphaned = await db
        .select()
        .from(authLogs)
        .where(and(isNull(authLogs.userId), eq(authLogs.eventType, "account_deleted")));
      expect(orphaned.some((l) => l.success)).toBe(true);
      expect((await failure(env.browser().api.auth.login({ email: "leaving@example.com", password: TEST_PASSWORD }))).code).toBe(
        "UNAUTHORIZED",
      );
    });
  });

  describe("auth.exportData", () => {
    it("gives the user's own rows as one document, with no hash or secret, and nobody else's", async () => {
      const b = await env.signUp("export@example.com");
      const stranger = await env.signUp("stranger@example.com");
      await db.insert(ucieWatchlist).values({ userId: b.userId, symbol: "ETH", coinId: "ethereum", notes: "mine" });
      await db.insert(ucieWatchlist).values({ userId: stranger.userId, symbol: "BTC", coinId: "bitcoin", notes: "not yours" });
      const { secret } = await b.api.auth.twoFactor.setup();
      // a webhook (its URL's path holds a token), a browser and a delivery: exported without secret, token or keys
      const [hook] = await db
        .insert(notificationChannels)
        .values({
          userId: b.userId,
          name: "Team chat",
          url: "https://hooks.example.com/T0/url-token",
          format: "slack",
          secret: "whsec_signing",
        })
        .returning();
      const [browser] = await db
        .insert(pushSubscriptions)
        .values({ userId: b.userId, endpoint: "https://push.example.net/send/endpoint-token", p256dh: "p256dh-key", auth: "auth-key" })
        .returning();
      await db.insert(notificationDeliveries).values({
        userId: b.userId,
        kind: "webhook",
        channelId: hook!.id,
        channelKey: hook!.id,
        payload: { type: "test" },
        status: "delivered",
        attempts: 1,
      });

      const data = await b.api.auth.exportData();
      expect(data.notificationChannels).toEqual([
        { id: "email", kind: "email", target: "export@example.com" },
        { id: browser!.id, kind: "push", target: "https://push.example.net", createdAt: browser!.createdAt },
        expect.objectContaining({ id: hook!.id, kind: "webhook", name: "Team chat", format: "slack", target: "https://hooks.example.com" }),
      ]);
      expect(data.notificationDeliveries).toEqual([
        expect.objectContaining({ kind: "webhook", channelId: hook!.id, status: "delivered", attempts: 1, lastError: null }),
      ]);
      expect(Object.keys(data)).toEqual(expect.arrayContaining(["user", "sessions", "watchlist", "alerts", "alertTriggers", "authLogs"]));
      expect(data.user).toMatchObject({ id: b.userId, email: "export@example.com", emailVerified: true });
      expect(data.watchlist).toEqual([expect.objectContaining({ coinId: "ethereum", notes: "mine" })]);
      expect(data.sessions.length).toBeGreaterThan(0);
      expect(data.authLogs.map((l) => l.eventType)).toEqual(expect.arrayContaining(["register", "login"]));
      const text = JSON.stringify(data);
      const [row] = await db.select().from(users).where(eq(users.id, b.userId));
      for (const secretValue of [
        row!.passwordHash,
        secret,
        b.token!,
        "whsec_signing",
        "url-token",
        "endpoint-token",
        "p256dh-key",
        "auth-key",
      ])
        expect(text).not.toContain(secretValue);
      expect(text).not.toMatch(/tokenHash|passwordHash|totpSecret/);
      expect(text).not.toContain("not yours");
      expect((await failure(env.browser().api.auth.exportData())).code).toBe("UNAUTHORIZED");
    });
  });

  describe("operator control", () => {
    it("a disabled account cannot log in and its sessions and streams end at once on every instance; enable restores it", async () => {
      const b = await env.signUp("disabled@example.com");
      const stream = await watchSession(other.services, await currentSessionId(b));
      const before = await other.browser().api.auth.me(); // the other instance warms nothing for b, but hears the revocation
      expect(before).toBeNull();

      expect(await setUserDisabled(env.services, "Disabled@Example.com", true)).toEqual({ ok: true, sessionsEnded: 1 });
      await expect.poll(() => stream.signal.aborted, { timeout: 2000, interval: 5 }).toBe(true);
      expect((await failure(b.api.auth.sessions())).code).toBe("UNAUTHORIZED");
      const refused = await failure(env.browser().api.auth.login({ email: "disabled@example.com", password: TEST_PASSWORD }));
      expect([refused.code, refused.message]).toEqual(["FORBIDDEN", "This account is disabled"]);
      // a wrong password still gets the usual answer: being disabled is only told to the password's owner
      expect((await failure(env.browser().api.auth.login({ email: "disabled@example.com", password: "wrong one" }))).code).toBe(
        "UNAUTHORIZED",
      );
      expect((await listUsers(env.services)).find((u) => u.email === "disabled@example.com")?.disabledAt).toBeInstanceOf(Date);

      expect(await setUserDisabled(env.services, "disabled@example.com", false)).toEqual({ ok: true, sessionsEnded: 0 });
      await env.browser().api.auth.login({ email: "disabled@example.com", password: TEST_PASSWORD });
      expect(await setUserDisabled(env.services, "nobody@example.com", true)).toEqual({ ok: false, reason: "unknown" });
      const events = await db.select({ t: authLogs.eventType }).from(authLogs).where(eq(authLogs.userId, b.userId));
      expect(events.map((e) => e.t)).toEqual(expect.arrayContaining(["account_disabled", "account_enabled"]));
    });

    it("end-sessions logs the account out everywhere but leaves it usable", async () => {
      const b = await env.signUp("ended@example.com");
      const stream = await watchSession(other.services, await currentSessionId(b));
      expect(await endUserSessions(env.services, "ended@example.com")).toEqual({ ok: true, sessionsEnded: 1 });
      await expect.poll(() => stream.signal.aborted, { timeout: 2000, interval: 5 }).toBe(true);
      expect((await failure(b.api.auth.sessions())).code).toBe("UNAUTHORIZED");
      await b.api.auth.login({ email: "ended@example.com", password: TEST_PASSWORD });
      expect(await b.api.auth.sessions()).toHaveLength(1);
    });
  });

  describe("two-factor sign-in", () => {
    /** set up and enable two-factor for a signed-in browser; returns the secret and recovery codes */
    async function enable(b: TestBrowser) {
      const { secret, uri } = await b.api.auth.twoFactor.setup();
      const { recoveryCodes } = await b.api.auth.twoFactor.enable({ code: codeNow(secret) });
      return { secret, uri, recoveryCodes };
    }
    /** a login that passed the password: the browser now holds a pending challenge, no session */
    async function passwordStep(email: string, ip = "192.0.2.77") {
      const b = env.browser({ ip });
      expect(await b.api.auth.login({ email, password: TEST_PASSWORD })).toEqual({ twoFactorRequired: true });
      return b;
    }

    it("set-up gives a base32 secret and otpauth URI; enable needs a right code and returns 10 recovery codes stored hashed", async () => {
      const b = await env.signUp("totp@example.com");
      const { secret, uri } = await b.api.auth.twoFactor.setup();
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(uri).toMatch(/^otpauth:\/\/totp\/UCIE:totp%40example\.com\?/);
      expect(new URL(uri).searchParams.get("secret")).toBe(secret);
      expect(new URL(uri).searchParams.get("period")).toBe("30");
      expect(await b.api.auth.twoFactor.status()).toEqual({ enabled: false, recoveryCodesLeft: 0 });

      const wrong = await failure(b.api.auth.twoFactor.enable({ code: codeNow(secret, 5) }));
      expect([wrong.code, field(wrong)]).toEqual(["BAD_REQUEST", "code"]);
      const { recoveryCodes } = await b.api.auth.twoFactor.enable({ code: codeNow(secret) });
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      const stored = JSON.stringify(await db.select().from(twoFactorRecoveryCodes).where(eq(twoFactorRecoveryCodes.userId, b.userId)));
      for (const c of recoveryCodes) expect(stored).not.toContain(c);
      expect(await b.api.auth.twoFactor.status()).toEqual({ enabled: true, recoveryCodesLeft: 10 });
      expect((await failure(b.api.auth.twoFactor.setup())).code).toBe("CONFLICT");
    });

    it("login answers twoFactorRequired with no session; a code within 5 minutes completes it, once; drift of one step is allowed", async () => {
      const owner = await env.signUp("2fa-login@example.com");
      const { secret } = await enable(owner);
      env.clock.advance(60_000); // past the step used to enable

      const b = await passwordStep("2fa-login@example.com");
      expect(b.token).toMatch(/^2fa\./);
      expect(await b.api.auth.me()).toBeNull();
      expect((await failure(b.api.auth.sessions())).code).toBe("UNAUTHORIZED");

      const stale = await failure(b.api.auth.verifyTwoFactor({ code: codeNow(secret, -2) }));
      expect([stale.code, field(stale)]).toEqual(["BAD_REQUEST", "code"]);
      const code = codeNow(secret, -1); // the phone runs 30 s behind
      expect(await b.api.auth.verifyTwoFactor({ code })).toEqual({ id: owner.userId, email: "2fa-login@example.com" });
      expect(b.token).not.toMatch(/^2fa\./);
      expect(await b.api.auth.me()).toMatchObject({ email: "2fa-login@example.com" });

      // the same code again, on a fresh password step: refused (a code is accepted once)
      const replay = await passwordStep("2fa-login@example.com", "192.0.2.78");
      expect(field(await failure(replay.api.auth.verifyTwoFactor({ code })))).toBe("code");

      // the pending login lasts 5 minutes
      const slow = await passwordStep("2fa-login@example.com", "192.0.2.79");
      env.clock.advance(5 * MINUTE + 1000);
      const expired = await failure(slow.api.auth.verifyTwoFactor({ code: codeNow(secret) }));
      expect(expired.code).toBe("UNAUTHORIZED");
      expect(slow.token).toBeNull();

      // with no pending login at all, a code gets nowhere
      expect((await failure(env.browser().api.auth.verifyTwoFactor({ code: codeNow(secret) }))).code).toBe("UNAUTHORIZED");

      const steps = await db
        .select({ t: authLogs.eventType, ok: authLogs.success })
        .from(authLogs)
        .where(eq(authLogs.userId, owner.userId));
      expect(steps.map((s) => `${s.t}:${s.ok}`)).toEqual(
        expect.arrayContaining([
          "two_factor_setup:true",
          "two_factor_enabled:true",
          "two_factor_challenge:true",
          "two_factor_verified:true",
          "two_factor_verified:false",
        ]),
      );
    });

    it("a recovery code completes a login once; five wrong codes end the pending login; guesses are throttled per account", async () => {
      const owner = await env.signUp("2fa-recovery@example.com");
      const { secret, recoveryCodes } = await enable(owner);

      const b = await passwordStep("2fa-recovery@example.com");
      await b.api.auth.verifyTwoFactor({ recoveryCode: recoveryCodes[0]!.toLowerCase() });
      expect(await b.api.auth.me()).toMatchObject({ email: "2fa-recovery@example.com" });
      expect(await b.api.auth.twoFactor.status()).toEqual({ enabled: true, recoveryCodesLeft: 9 });
      const again = await passwordStep("2fa-recovery@example.com");
      expect(field(await failure(again.api.auth.verifyTwoFactor({ recoveryCode: recoveryCodes[0]! })))).toBe("recoveryCode");

      // a challenge survives CHALLENGE_MAX_FAILURES - 1 wrong codes, not more
      const guesser = await passwordStep("2fa-recovery@example.com", "192.0.2.90");
      const wrongCode = codeNow(secret) === "000000" ? "111111" : "000000";
      for (let i = 0; i < CHALLENGE_MAX_FAILURES; i++) {
        expect((await failure(guesser.api.auth.verifyTwoFactor({ code: wrongCode }))).code).toBe("BAD_REQUEST");
      }
      expect((await failure(guesser.api.auth.verifyTwoFactor({ code: codeNow(secret) }))).code).toBe("UNAUTHORIZED");

      // fresh challenges do not buy fresh guesses: the account's limit holds across them
      let throttled: TRPCError | null = null;
      for (let i = 0; i < TWO_FACTOR_RULES.account.limit + 2 && !throttled; i++) {
        const attempt = await passwordStep("2fa-recovery@example.com", `192.0.2.${100 + i}`);
        const err = await failure(attempt.api.auth.verifyTwoFactor({ code: wrongCode }));
        if (err.code === "TOO_MANY_REQUESTS") throttled = err;
        else expect(err.code).toBe("BAD_REQUEST");
        if (err.code === "TOO_MANY_REQUESTS") expect(Number(attempt.headers["retry-after"])).toBeGreaterThan(0);
      }
      expect(throttled?.code).toBe("TOO_MANY_REQUESTS");
      env.clock.advance(TWO_FACTOR_RULES.account.windowMs + 1000);
      const later = await passwordStep("2fa-recovery@example.com", "192.0.2.200");
      await later.api.auth.verifyTwoFactor({ code: codeNow(secret) });
      expect(await later.api.auth.me()).toMatchObject({ email: "2fa-recovery@example.com" });
    });

    it("disable needs the password and a code; afterwards login gives a session directly", async () => {
      const owner = await env.signUp("2fa-off@example.com");
      const { secret } = await enable(owner);
      env.clock.advance(60_000);
      const wrongPassword = await failure(owner.api.auth.twoFactor.disable({ password: "nope nope", code: codeNow(secret) }));
      expect(field(wrongPassword)).toBe("password");
      const wrongCode = await failure(owner.api.auth.twoFactor.disable({ password: TEST_PASSWORD, code: codeNow(secret, 4) }));
      expect(field(wrongCode)).toBe("code");
      expect(await owner.api.auth.twoFactor.disable({ password: TEST_PASSWORD, code: codeNow(secret) })).toEqual({ ok: true });
      expect(await owner.api.auth.twoFactor.status()).toEqual({ enabled: false, recoveryCodesLeft: 0 });
      const [row] = await db.select({ secret: users.totpSecret }).from(users).where(eq(users.id, owner.userId));
      expect(row!.secret).toBeNull();
      const b = env.browser({ ip: "192.0.2.99" });
      expect(await b.api.auth.login({ email: "2fa-off@example.com", password: TEST_PASSWORD })).toMatchObject({
        email: "2fa-off@example.com",
      });
    });

    it("a login completed with a code gives the browser its device cookie, which gets it past the account-wide slow-down", async () => {
      const owner = await env.signUp("2fa-device@example.com");
      const { secret } = await enable(owner);
      env.clock.advance(60_000);
      const phone = await passwordStep("2fa-device@example.com", "192.0.2.130");
      expect(phone.device).toBeNull(); // the password alone does not make a browser known
      await phone.api.auth.verifyTwoFactor({ code: codeNow(secret) });
      expect(readDeviceCookie(await env.services.deviceKey(), phone.device)?.userId).toBe(owner.userId);

      // strangers at three addresses pass the account-wide limit, then one uses the slowed account's next slot
      for (let i = 0; i < 21; i++) {
        const guess = env
          .browser({ ip: `198.51.100.${10 + (i % 3)}` })
          .api.auth.login({ email: "2fa-device@example.com", password: `guess ${i}` });
        expect((await failure(guess)).code).toBe("UNAUTHORIZED");
      }
      await failure(env.browser({ ip: "198.51.100.20" }).api.auth.login({ email: "2fa-device@example.com", password: "one more" }));
      const stranger = await failure(
        env.browser({ ip: "198.51.100.21" }).api.auth.login({ email: "2fa-device@example.com", password: TEST_PASSWORD }),
      );
      expect(stranger.code).toBe("TOO_MANY_REQUESTS");
      // the phone, known from its two-factor login, is not held up
      expect(await phone.api.auth.login({ email: "2fa-device@example.com", password: TEST_PASSWORD })).toEqual({ twoFactorRequired: true });
    });

    it("keeps secrets encrypted at rest; a secret stored plain before still signs in and is encrypted, on first use or at start", async () => {
      const column = async (userId: string) =>
        (await db.select({ secret: users.totpSecret }).from(users).where(eq(users.id, userId)))[0]!.secret!;
      const key = await env.services.totpKey();

      const fresh = await env.signUp("2fa-sealed@example.com");
      const { secret } = await enable(fresh);
      const stored = await column(fresh.userId);
      expect(stored).toMatch(/^v1\./);
      expect(stored).not.toContain(secret);
      expect(JSON.stringify(await db.select().from(users).where(eq(users.id, fresh.userId)))).not.toContain(secret);
      expect(openTotpSecret(key, fresh.userId, stored)).toBe(secret);
      // bound to its account: the value copied onto another user does not open
      expect(() => openTotpSecret(key, randomUUID(), stored)).toThrow(/does not decrypt/);
      env.clock.advance(60_000);
      await (await passwordStep("2fa-sealed@example.com", "192.0.2.140")).api.auth.verifyTwoFactor({ code: codeNow(secret) });

      // two accounts whose secrets were written before encryption (as an older version left them)
      const early = await env.signUp("2fa-plain-a@example.com");
      const late = await env.signUp("2fa-plain-b@example.com");
      const plain = { a: (await enable(early)).secret, b: (await enable(late)).secret };
      await db.update(users).set({ totpSecret: plain.a }).where(eq(users.id, early.userId));
      await db.update(users).set({ totpSecret: plain.b }).where(eq(users.id, late.userId));
      env.clock.advance(60_000);
      // first use: the login works, and the column is encrypted on the way
      const a = await passwordStep("2fa-plain-a@example.com", "192.0.2.141");
      expect(await a.api.auth.verifyTwoFactor({ code: codeNow(plain.a) })).toMatchObject({ id: early.userId });
      expect(await column(early.userId)).toMatch(/^v1\./);
      expect(openTotpSecret(key, early.userId, await column(early.userId))).toBe(plain.a);
      // at start (bootstrap): every plain one left, and only those
      expect(await sealPlainTotpSecrets(env.services)).toBe(1);
      expect(await sealPlainTotpSecrets(env.services)).toBe(0);
      expect(await column(late.userId)).not.toContain(plain.b);
      const b = await passwordStep("2fa-plain-b@example.com", "192.0.2.142");
      expect(await b.api.auth.verifyTwoFactor({ code: codeNow(plain.b) })).toMatchObject({ id: late.userId });
      // a second instance (its own key cache) reads them too
      const c = other.browser({ ip: "192.0.2.143" });
      await c.api.auth.login({ email: "2fa-plain-b@example.com", password: TEST_PASSWORD });
      env.clock.advance(30_000);
      expect(await c.api.auth.verifyTwoFactor({ code: codeNow(plain.b) })).toMatchObject({ id: late.userId });
    });

    it("of two concurrent uses of one code, exactly one logs in", async () => {
      const owner = await env.signUp("2fa-race@example.com");
      const { secret } = await enable(owner);
      env.clock.advance(60_000);
      const a = await passwordStep("2fa-race@example.com", "192.0.2.120");
      // a second pending login replaces the first, so race two verifications of one challenge
      const code = codeNow(secret);
      const results = await Promise.allSettled([a.api.auth.verifyTwoFactor({ code }), a.api.auth.verifyTwoFactor({ code })]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const count = await db.execute(sql`select count(*)::int as n from sessions where user_id = ${owner.userId}`);
      const rows = (count as { rows?: { n: number }[] }).rows ?? (count as { n: number }[]);
      expect(Number(rows[0]!.n)).toBe(2); // the sign-up's session and the winner's
    });
  });
});
