import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { accessCodes, authLogs, execute, passwordResetTokens, sessions, users } from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createAccessCodes, hashAccessCode } from "../auth/access-codes";
import { sessionCacheFor, watchSession, SessionEndedError } from "../auth/revocation";
import { generateSessionToken, hashToken } from "../auth/session";
import { createAuthTestEnv, TEST_PASSWORD, type AuthTestEnv, type TestBrowser } from "../testing/auth-env";
import { THROTTLE_RULES } from "../auth/throttle";
import { failure } from "../testing/failure";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The input field an error is about: zod failures carry it in their cause, our own field errors in both. */
function field(err: TRPCError): string | undefined {
  if (err.cause instanceof ZodError) return String(err.cause.issues[0]?.path[0]);
  return /^(\w+): /.exec(err.message)?.[1];
}

async function dump(db: AuthTestEnv["services"]["db"], table: "sessions" | "auth_logs" | "users" | "password_reset_tokens") {
  return JSON.stringify((await execute(db, sql.raw(`select * from ${table}`))).rows);
}

describe.each(testDbKinds())("auth router on %s", (kind) => {
  let database: TestDatabase;
  let env: AuthTestEnv;
  let db: AuthTestEnv["services"]["db"];

  beforeAll(async () => {
    database = await createTestDb(kind);
    env = await createAuthTestEnv(database);
    db = env.services.db;
  });
  afterAll(async () => {
    await env?.close();
    await database?.close();
  });

  describe("register", () => {
    it("normalises the e-mail, hashes with argon2id, redeems the code for the new user and mails a link", async () => {
      const [code] = await createAccessCodes(db, 1);
      const b = env.browser({ ip: "192.0.2.7", userAgent: "Test UA/1.0" });
      const sent = env.mail.length;
      const user = await b.api.auth.register({
        email: "  Alice@Example.COM ",
        password: TEST_PASSWORD,
        accessCode: ` ${code!.toLowerCase()} `,
      });
      expect(user).toMatchObject({ email: "alice@example.com", emailVerified: false });

      const [row] = await db.select().from(users).where(eq(users.id, user.id));
      expect(row!.passwordHash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$")).toBe(true);
      const [redeemed] = await db
        .select()
        .from(accessCodes)
        .where(eq(accessCodes.codeHash, hashAccessCode(code!)));
      expect(redeemed).toMatchObject({ redeemed: true, redeemedBy: user.id });

      const token = await env.tokenFromMail("alice@example.com", "verify", sent);
      expect(env.mail.at(-1)!.text).toContain(`http://ucie.test/verify?token=${token}`);
      // only the hash of the link's token is kept, with a 24 h expiry
      expect(row!.verificationToken).toBe(hashToken(token));
      expect(row!.verificationExpiresAt!.getTime() - env.clock.now().getTime()).toBe(DAY);

      const logs = await db.select().from(authLogs).where(eq(authLogs.userId, user.id));
      expect(logs.find((l) => l.eventType === "register")).toMatchObject({
        success: true,
        ipAddress: "192.0.2.7",
        userAgent: "Test UA/1.0",
      });
      await expect
        .poll(async () => (await db.select().from(authLogs).where(eq(authLogs.userId, user.id))).map((l) => l.eventType))
        .toContain("verification_sent");
    });

    it("applies the password rules: 8 minimum, long ones accepted, no composition rules, common ones refused", async () => {
      const [code] = await createAccessCodes(db, 1);
      const b = env.browser();
      const tooShort = await failure(b.api.auth.register({ email: "short@example.com", password: "abcdefg", accessCode: code! }));
      expect(tooShort.code).toBe("BAD_REQUEST");
      expect(field(tooShort)).toBe("password");
      const common = await failure(b.api.auth.register({ email: "common@example.com", password: "password123", accessCode: code! }));
      expect(common.code).toBe("BAD_REQUEST");
      expect(common.message).toMatch(/common passwords from data breaches/);
      // found in the bundled breached-password list (ASVS 6.2.4), whatever their case
      for (const breached of ["qwer1234", "12341234", "QWER1234"]) {
        const err = await failure(b.api.auth.register({ email: "breached@example.com", password: breached, accessCode: code! }));
        expect([err.code, field(err), err.message]).toEqual(["BAD_REQUEST", "password", expect.stringMatching(/data breaches/)]);
      }
      // not on any list, but zxcvbn-ts sees through it: a pattern, or the user's own address (ASVS 6.2.12)
      for (const [email, guessable] of [
        ["pattern@example.com", "abcdabcdabcd"],
        ["ownname@example.com", "ownname@example.com"],
      ] as const) {
        const err = await failure(b.api.auth.register({ email, password: guessable, accessCode: code! }));
        expect([field(err), err.message]).toEqual(["password", expect.stringMatching(/too easy to guess/)]);
      }
      expect(await failure(b.api.auth.register({ email: "caps@example.com", password: "Password123", accessCode: code! }))).toMatchObject({
        code: "BAD_REQUEST",
      });
      const huge = await failure(b.api.auth.register({ email: "huge@example.com", password: "x".repeat(5000), accessCode: code! }));
      expect(huge.code).toBe("BAD_REQUEST");
      // none of the refusals used the code
      expect(
        (
          await db
            .select()
            .from(accessCodes)
            .where(eq(accessCodes.codeHash, hashAccessCode(code!)))
        )[0]!.redeemed,
      ).toBe(false);

      // random lower-case letters and nothing else are fine: no composition rules. (Since zxcvbn-ts joined
      // the checks, 8 random letters score 2, "guessable": 9 make it.)
      expect(await b.api.auth.register({ email: "plain@example.com", password: "qzjvmtrkw", accessCode: code! })).toMatchObject({
        email: "plain@example.com",
      });
      for (const length of [64, 128]) {
        const password = "correct horse ".repeat(20).slice(0, length);
        const [c] = await createAccessCodes(db, 1);
        await env.browser().api.auth.register({ email: `len${length}@example.com`, password, accessCode: c! });
      }
    });

    it("never truncates: a 100-character password without its last character does not log in", async () => {
      const password = "a long passphrase, ".repeat(6).slice(0, 99) + "!";
      expect(password).toHaveLength(100);
      const b = await env.signUp("long@example.com", password);
      expect(await b.api.auth.me()).toMatchObject({ email: "long@example.com" });
      const wrong = await failure(env.browser().api.auth.login({ email: "long@example.com", password: password.slice(0, 99) }));
      expect(wrong.code).toBe("UNAUTHORIZED");
    });

    it("refuses unknown and used codes; a duplicate e-mail answers as a new one, leaves the code unredeemed and tells the owner", async () => {
      const b = env.browser();
      const unknown = await failure(
        b.api.auth.register({ email: "nocode@example.com", password: TEST_PASSWORD, accessCode: "UCIE-AAAA-BBBB-CCCC" }),
      );
      expect(unknown).toMatchObject({ code: "BAD_REQUEST" });
      expect(field(unknown)).toBe("accessCode");

      const [code] = await createAccessCodes(db, 1);
      await b.api.auth.register({ email: "first@example.com", password: TEST_PASSWORD, accessCode: code! });
      const used = await failure(b.api.auth.register({ email: "second@example.com", password: TEST_PASSWORD, accessCode: code! }));
      expect(field(used)).toBe("accessCode");
      expect(await db.select().from(users).where(eq(users.email, "second@example.com"))).toHaveLength(0);

      const [fresh] = await createAccessCodes(db, 1);
      const dup = await b.api.auth.register({ email: " FIRST@example.com", password: TEST_PASSWORD, accessCode: fresh! });
      expect(dup).toMatchObject({ email: "first@example.com", emailVerified: false });
      await expect.poll(() => env.mail.filter((m) => m.to === "first@example.com" && /already has one/.test(m.text)).length).toBe(1);
      const [codeRow] = await db
        .select()
        .from(accessCodes)
        .where(eq(accessCodes.codeHash, hashAccessCode(fresh!)));
      expect(codeRow).toMatchObject({ redeemed: false, redeemedBy: null, redeemedAt: null });
      expect(await db.select().from(users).where(eq(users.email, "first@example.com"))).toHaveLength(1);

      const failures = await db.select().from(authLogs).where(eq(authLogs.eventType, "register"));
      expect(failures.filter((l) => !l.success).length).toBeGreaterThanOrEqual(3);
    });

    it("answers bad input with BAD_REQUEST naming the field", async () => {
      const b = env.browser();
      const err = await failure(b.api.auth.register({ email: "not an e-mail", password: TEST_PASSWORD, accessCode: "UCIE-AAAA" }));
      expect(err.code).toBe("BAD_REQUEST");
      expect(field(err)).toBe("email");
      const wrongType = await failure(b.api.auth.login({ email: 42, password: null } as never));
      expect(wrongType.code).toBe("BAD_REQUEST");
    });
  });

  describe("e-mail verification", () => {
    it("verifies once; a used, unknown or expired token is BAD_REQUEST; login before it is FORBIDDEN", async () => {
      const [code] = await createAccessCodes(db, 1);
      const b = env.browser();
      const sent = env.mail.length;
      await b.api.auth.register({ email: "verify@example.com", password: TEST_PASSWORD, accessCode: code! });
      const token = await env.tokenFromMail("verify@example.com", "verify", sent);

      const forbidden = await failure(b.api.auth.login({ email: "verify@example.com", password: TEST_PASSWORD }));
      expect(forbidden.code).toBe("FORBIDDEN");
      expect(forbidden.message).toMatch(/new one/);
      expect(b.token).toBeNull();

      expect(await b.api.auth.verifyEmail({ token })).toEqual({ verified: true });
      expect((await failure(b.api.auth.verifyEmail({ token }))).code).toBe("BAD_REQUEST");
      expect((await failure(b.api.auth.verifyEmail({ token: generateSessionToken() }))).code).toBe("BAD_REQUEST");
      await b.api.auth.login({ email: "verify@example.com", password: TEST_PASSWORD });
      expect(await b.api.auth.me()).toMatchObject({ email: "verify@example.com", emailVerified: true });
    });

    it("expires after 24 hours; a resend issues a new link and kills the old one", async () => {
      const [code] = await createAccessCodes(db, 1);
      const b = env.browser();
      let sent = env.mail.length;
      await b.api.auth.register({ email: "late@example.com", password: TEST_PASSWORD, accessCode: code! });
      const first = await env.tokenFromMail("late@example.com", "verify", sent);

      sent = env.mail.length;
      expect(await b.api.auth.resendVerification({ email: "LATE@example.com" })).toEqual({ ok: true });
      const second = await env.tokenFromMail("late@example.com", "verify", sent);
      expect(second).not.toBe(first);
      expect((await failure(b.api.auth.verifyEmail({ token: first }))).code).toBe("BAD_REQUEST");

      env.clock.advance(DAY + 1000);
      try {
        expect((await failure(b.api.auth.verifyEmail({ token: second }))).code).toBe("BAD_REQUEST");
      } finally {
        env.clock.advance(-(DAY + 1000));
      }
    });

    it("resendVerification answers { ok: true } for an unknown address and sends nothing", async () => {
      const sent = env.mail.length;
      const refusals = () =>
        db
          .select()
          .from(authLogs)
          .where(and(eq(authLogs.eventType, "verification_sent"), eq(authLogs.success, false)))
          .then((rows) => rows.length);
      const before = await refusals();
      expect(await env.browser().api.auth.resendVerification({ email: "nobody@example.com" })).toEqual({ ok: true });
      // the request took the "no unverified account" path (logged), which is the one that never sends
      expect(await refusals()).toBe(before + 1);
      expect(env.mail.slice(sent).filter((m) => m.to === "nobody@example.com")).toHaveLength(0);
    });
  });

  describe("login", () => {
    it("gives one answer for an unknown e-mail and a wrong password, and logs both", async () => {
      await env.signUp("bob@example.com");
      const unknown = await failure(env.browser().api.auth.login({ email: "nobody@example.com", password: TEST_PASSWORD }));
      const wrong = await failure(env.browser().api.auth.login({ email: "bob@example.com", password: "not the password" }));
      expect(unknown.code).toBe("UNAUTHORIZED");
      expect(wrong.code).toBe("UNAUTHORIZED");
      expect(unknown.message).toBe(wrong.message);
      expect(unknown.message).toBe("Wrong e-mail or password");
      const failed = await db.select().from(authLogs).where(eq(authLogs.eventType, "failed_login"));
      expect(failed.some((l) => l.userId === null)).toBe(true);
      const [bob] = await db.select().from(users).where(eq(users.email, "bob@example.com"));
      expect(failed.some((l) => l.userId === bob!.id)).toBe(true);
    });

    it("issues a fresh token: a cookie planted before login is useless, and the old session of the browser ends", async () => {
      await env.signUp("fix@example.com");
      const planted = generateSessionToken();
      const b = env.browser();
      b.token = planted;
      await b.api.auth.login({ email: "fix@example.com", password: TEST_PASSWORD });
      expect(b.token).not.toBe(planted);
      expect(b.token.length).toBeGreaterThanOrEqual(22); // >= 128 bits of base64url
      const attacker = env.browser();
      attacker.token = planted;
      expect(await attacker.api.auth.me()).toBeNull();

      // logging in again from the same browser replaces its session
      const before = b.token;
      await b.api.auth.login({ email: "fix@example.com", password: TEST_PASSWORD });
      expect(b.token).not.toBe(before);
      const old = env.browser();
      old.token = before;
      expect(await old.api.auth.me()).toBeNull();
    });

    it("throttles an account from one address after 10 tries with Retry-After, leaves the owner elsewhere and other accounts alone, and lifts after the window", async () => {
      await env.signUp("victim@example.com");
      await env.signUp("bystander@example.com");
      const attacker = env.browser({ ip: "198.18.0.1" });
      for (let i = 0; i < THROTTLE_RULES.loginAccountIp.limit; i++) {
        expect((await failure(attacker.api.auth.login({ email: "victim@example.com", password: `guess ${i}` }))).code).toBe("UNAUTHORIZED");
      }
      const limited = await failure(attacker.api.auth.login({ email: "victim@example.com", password: TEST_PASSWORD }));
      expect(limited.code).toBe("TOO_MANY_REQUESTS");
      const retryAfter = Number(attacker.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      // the right password from another place is not held up: a stranger cannot lock the owner out
      expect(
        await env.browser({ ip: "198.18.0.2" }).api.auth.login({ email: "victim@example.com", password: TEST_PASSWORD }),
      ).toMatchObject({
        email: "victim@example.com",
      });
      // another account from the same IP is unaffected
      const other = env.browser({ ip: "198.18.0.1" });
      expect(await other.api.auth.login({ email: "bystander@example.com", password: TEST_PASSWORD })).toMatchObject({
        email: "bystander@example.com",
      });
      expect((await db.select().from(authLogs).where(eq(authLogs.eventType, "rate_limited"))).length).toBeGreaterThan(0);

      // never a permanent lock-out: once the window has passed the same address may try again
      env.clock.advance(retryAfter * 1000);
      expect(await attacker.api.auth.login({ email: "victim@example.com", password: TEST_PASSWORD })).toMatchObject({
        email: "victim@example.com",
      });
    });

    it("counts attempts in the database, so the limits hold across server instances", async () => {
      const other = await createAuthTestEnv(database, { clock: env.clock, instanceId: "throttle-b" });
      try {
        await env.signUp("shared-limit@example.com");
        const limit = THROTTLE_RULES.loginAccountIp.limit;
        for (let i = 0; i < limit; i++) {
          const instance = i % 2 === 0 ? env : other; // alternate between the two instances
          const b = instance.browser({ ip: "198.18.1.1" });
          expect((await failure(b.api.auth.login({ email: "shared-limit@example.com", password: `nope ${i}` }))).code).toBe("UNAUTHORIZED");
        }
        const b = other.browser({ ip: "198.18.1.1" });
        expect((await failure(b.api.auth.login({ email: "shared-limit@example.com", password: TEST_PASSWORD }))).code).toBe(
          "TOO_MANY_REQUESTS",
        );
        expect(Number(b.headers["retry-after"])).toBeGreaterThan(0);
      } finally {
        await other.close();
      }
    });

    it("slows an account down across addresses for browsers it does not know, never for the owner's own", async () => {
      const owner = await env.signUp("slow@example.com");
      expect(owner.device).toBeTruthy();
      for (let i = 0; i <= THROTTLE_RULES.loginAccount.limit; i++) {
        const b = env.browser({ ip: `198.18.2.${i}` });
        expect((await failure(b.api.auth.login({ email: "slow@example.com", password: `nope ${i}` }))).code).toBe("UNAUTHORIZED");
      }
      // one try per 30 s for unknown browsers: the first takes it, the next waits
      await failure(env.browser({ ip: "198.18.2.200" }).api.auth.login({ email: "slow@example.com", password: "still guessing" }));
      const stranger = env.browser({ ip: "198.18.2.201" });
      expect((await failure(stranger.api.auth.login({ email: "slow@example.com", password: TEST_PASSWORD }))).code).toBe(
        "TOO_MANY_REQUESTS",
      );
      expect(Number(stranger.headers["retry-after"])).toBeLessThanOrEqual(30);
      const again = env.browser({ ip: "198.18.2.202" });
      again.device = owner.device;
      expect(await again.api.auth.login({ email: "slow@example.com", password: TEST_PASSWORD })).toMatchObject({
        email: "slow@example.com",
      });
      // and the unknown browser gets its turn once the 30 s are over
      env.clock.advance(30_000);
      expect(await stranger.api.auth.login({ email: "slow@example.com", password: TEST_PASSWORD })).toMatchObject({
        email: "slow@example.com",
      });
    });

    it("throttles one IP across many accounts", async () => {
      const ip = "198.18.0.99";
      const b = env.browser({ ip });
      for (let i = 0; i < THROTTLE_RULES.loginIp.limit; i++) {
        expect((await failure(b.api.auth.login({ email: `spray${i}@example.com`, password: "password guess" }))).code).toBe("UNAUTHORIZED");
      }
      expect((await failure(b.api.auth.login({ email: "spray-last@example.com", password: "password guess" }))).code).toBe(
        "TOO_MANY_REQUESTS",
      );
      expect(Number(b.headers["retry-after"])).toBeGreaterThan(0);
      // another address is not held up
      await failure(env.browser({ ip: "198.18.0.100" }).api.auth.login({ email: "spray-last@example.com", password: "x" })).then((e) =>
        expect(e.code).toBe("UNAUTHORIZED"),
      );
    }, 60_000);

    it("counts an IPv6 /64 as one address: rotating the low 64 bits does not escape the per-IP limit", async () => {
      // one host or home line owns a whole /64; were each address its own bucket, the limit would be 2^64 times too loose
      for (let i = 0; i < THROTTLE_RULES.loginIp.limit; i++) {
        const b = env.browser({ ip: `2001:db8:77:1:${i.toString(16)}::${(i + 1).toString(16)}` });
        expect((await failure(b.api.auth.login({ email: `v6spray${i}@example.com`, password: "password guess" }))).code).toBe(
          "UNAUTHORIZED",
        );
      }
      const rotated = env.browser({ ip: "2001:db8:77:1:ffff:ffff:ffff:fffe" });
      expect((await failure(rotated.api.auth.login({ email: "v6spray-last@example.com", password: "password guess" }))).code).toBe(
        "TOO_MANY_REQUESTS",
      );
      expect(Number(rotated.headers["retry-after"])).toBeGreaterThan(0);
      // the neighbouring /64 is someone else
      await failure(env.browser({ ip: "2001:db8:77:2::1" }).api.auth.login({ email: "v6spray-last@example.com", password: "x" })).then(
        (e) => expect(e.code).toBe("UNAUTHORIZED"),
      );
    }, 60_000);
  });

  describe("sessions", () => {
    it("makes 10k unique tokens of at least 128 bits", () => {
      const tokens = new Set(Array.from({ length: 10_000 }, generateSessionToken));
      expect(tokens.size).toBe(10_000);
      for (const t of [...tokens].slice(0, 100)) expect(Buffer.from(t, "base64url").length).toBeGreaterThanOrEqual(16);
    });

    it("stores only hashes: a dump of the sessions table holds no live token", async () => {
      const a = await env.signUp("dump-a@example.com");
      const b = await env.signUp("dump-b@example.com");
      const text = await dump(db, "sessions");
      expect(text).toContain(hashToken(a.token!));
      expect(text).not.toContain(a.token!);
      expect(text).not.toContain(b.token!);
    });

    it("lists the user's sessions with this one marked, and revokes another user's session id as NOT_FOUND", async () => {
      const laptop = await env.signUp("multi@example.com", TEST_PASSWORD, { userAgent: "Laptop" });
      const phone = env.browser({ userAgent: "Phone" });
      await phone.api.auth.login({ email: "multi@example.com", password: TEST_PASSWORD });
      const mallory = await env.signUp("mallory@example.com");

      const list = await laptop.api.auth.sessions();
      expect(list).toHaveLength(2);
      expect(list.filter((s) => s.current)).toHaveLength(1);
      expect(list.find((s) => s.current)!.userAgent).toBe("Laptop");
      const phoneSession = list.find((s) => !s.current)!;

      const stolen = await failure(mallory.api.auth.revokeSession({ id: phoneSession.id }));
      expect(stolen.code).toBe("NOT_FOUND");
      expect(await phone.api.auth.me()).toMatchObject({ email: "multi@example.com" });
      expect((await mallory.api.auth.sessions()).map((s) => s.id)).not.toContain(phoneSession.id);

      expect(await laptop.api.auth.revokeSession({ id: phoneSession.id })).toEqual({ ok: true });
      expect(await phone.api.auth.me()).toBeNull();
      expect((await failure(phone.api.auth.sessions())).code).toBe("UNAUTHORIZED");
      expect(await laptop.api.auth.sessions()).toHaveLength(1);
      expect((await db.select().from(authLogs).where(eq(authLogs.eventType, "session_revoked"))).length).toBeGreaterThan(0);
    });

    it("logout deletes the row and the old cookie then gets UNAUTHORIZED; logoutAll ends every session", async () => {
      const a = await env.signUp("leave@example.com");
      const token = a.token!;
      await a.api.auth.me(); // now cached on this instance
      expect(await a.api.auth.logout()).toEqual({ ok: true });
      expect(a.token).toBeNull();
      expect(
        await db
          .select()
          .from(sessions)
          .where(eq(sessions.tokenHash, hashToken(token))),
      ).toHaveLength(0);
      const replay = env.browser();
      replay.token = token;
      expect((await failure(replay.api.auth.sessions())).code).toBe("UNAUTHORIZED");
      expect((await failure(replay.api.auth.logout())).code).toBe("UNAUTHORIZED");

      const one = await env.signUp("everywhere@example.com");
      const two = env.browser();
      await two.api.auth.login({ email: "everywhere@example.com", password: TEST_PASSWORD });
      await two.api.auth.me();
      expect(await one.api.auth.logoutAll()).toMatchObject({ ok: true, ended: 2 });
      expect(await two.api.auth.me()).toBeNull();
      expect(await db.select().from(sessions).where(eq(sessions.userId, one.userId))).toHaveLength(0);
    });

    it("slides the idle expiry at most once an hour and ends a session at its idle timeout and absolute lifetime", async () => {
      const policy = env.services.sessionPolicy;
      const start = env.clock.now();
      try {
        const a = await env.signUp("slide@example.com");
        const row = async () =>
          (
            await db
              .select()
              .from(sessions)
              .where(eq(sessions.tokenHash, hashToken(a.token!)))
          )[0];
        const created = (await row())!;
        expect(created.expiresAt.getTime()).toBe(start.getTime() + policy.idleTimeoutMs);

        env.clock.advance(30 * 60_000);
        expect(await a.api.auth.me()).not.toBeNull();
        expect((await row())!.expiresAt.getTime()).toBe(created.expiresAt.getTime()); // under an hour: no write

        env.clock.advance(31 * 60_000);
        expect(await a.api.auth.me()).not.toBeNull();
        const slid = (await row())!.expiresAt.getTime();
        expect(slid).toBe(env.clock.now().getTime() + policy.idleTimeoutMs);

        // idle past the timeout: gone, and the row deleted
        env.clock.set(new Date(slid + 1));
        expect(await a.api.auth.me()).toBeNull();
        expect(await row()).toBeUndefined();

        // active all along, it still ends at the absolute lifetime
        const b = await env.signUp("absolute@example.com");
        const born = env.clock.now().getTime();
        while (env.clock.now().getTime() + policy.idleTimeoutMs / 2 < born + policy.absoluteLifetimeMs) {
          env.clock.advance(policy.idleTimeoutMs / 2);
          expect(await b.api.auth.me()).not.toBeNull();
        }
        env.clock.set(new Date(born + policy.absoluteLifetimeMs));
        expect(await b.api.auth.me()).toBeNull();
      } finally {
        env.clock.set(start);
      }
    });

    it("serves repeat validations from the cache, and a revocation on another instance evicts it at once", async () => {
      const other = await createAuthTestEnv(database, { clock: env.clock, instanceId: "second" });
      try {
        const a = await env.signUp("instances@example.com");
        const onOther = other.browser();
        onOther.token = a.token;
        expect(await onOther.api.auth.me()).toMatchObject({ email: "instances@example.com" });
        const cache = (await sessionCacheFor(other.services))!;
        expect(cache.get(hashToken(a.token!), env.clock.now().getTime())).not.toBeNull();

        // the row is deleted through instance one; instance two's cached copy must not outlive it
        await a.api.auth.logout();
        await expect.poll(() => cache.get(hashToken(onOther.token!), env.clock.now().getTime()), { timeout: 2000, interval: 5 }).toBeNull();
        expect(await onOther.api.auth.me()).toBeNull();
      } finally {
        await other.close();
      }
    });

    it("watchSession ends a stream when its session is revoked from another instance, or is already gone or expired", async () => {
      const other = await createAuthTestEnv(database, { clock: env.clock, instanceId: "third" });
      try {
        const a = await env.signUp("watch@example.com");
        const phone = env.browser();
        await phone.api.auth.login({ email: "watch@example.com", password: TEST_PASSWORD });
        const [current] = (await phone.api.auth.sessions()).filter((s) => s.current);
        const watch = await watchSession(other.services, current!.id);
        expect(watch.signal.aborted).toBe(false);
        await a.api.auth.revokeSession({ id: current!.id });
        await expect.poll(() => watch.signal.aborted, { timeout: 2000, interval: 5 }).toBe(true);
        expect(watch.signal.reason).toBeInstanceOf(SessionEndedError);

        const gone = await watchSession(other.services, current!.id);
        expect(gone.signal.aborted).toBe(true);

        const [mine] = (await a.api.auth.sessions()).filter((s) => s.current);
        env.clock.advance(env.services.sessionPolicy.idleTimeoutMs + 1);
        try {
          const expired = await watchSession(other.services, mine!.id);
          expect(expired.signal.aborted).toBe(true);
        } finally {
          env.clock.advance(-(env.services.sessionPolicy.idleTimeoutMs + 1));
        }
        const live = await watchSession(other.services, mine!.id);
        expect(live.signal.aborted).toBe(false);
        live.stop();
      } finally {
        await other.close();
      }
    });
  });

  describe("password reset", () => {
    it("always answers { ok: true }, mails a single-use link that sets the password and ends every session", async () => {
      const laptop = await env.signUp("reset@example.com");
      const phone = env.browser();
      await phone.api.auth.login({ email: "reset@example.com", password: TEST_PASSWORD });
      await phone.api.auth.me();

      const visitor = env.browser();
      let sent = env.mail.length;
      expect(await visitor.api.auth.requestPasswordReset({ email: "ghost@example.com" })).toEqual({ ok: true });
      expect(await visitor.api.auth.requestPasswordReset({ email: " Reset@Example.com" })).toEqual({ ok: true });
      const token = await env.tokenFromMail("reset@example.com", "reset-password", sent);
      expect(env.mail.slice(sent).filter((m) => m.to === "ghost@example.com")).toHaveLength(0);
      const [stored] = await db.select().from(passwordResetTokens).where(eq(passwordResetTokens.userId, laptop.userId));
      expect(stored!.tokenHash).toBe(hashToken(token));
      expect(stored!.expiresAt.getTime() - env.clock.now().getTime()).toBe(HOUR);

      const weak = await failure(visitor.api.auth.resetPassword({ token, password: "password123" }));
      expect(field(weak)).toBe("password");
      expect(await visitor.api.auth.resetPassword({ token, password: "a brand new passphrase" })).toEqual({ ok: true });
      expect(await laptop.api.auth.me()).toBeNull();
      expect(await phone.api.auth.me()).toBeNull();
      expect(await db.select().from(sessions).where(eq(sessions.userId, laptop.userId))).toHaveLength(0);

      expect((await failure(visitor.api.auth.resetPassword({ token, password: "yet another passphrase" }))).code).toBe("BAD_REQUEST");
      expect((await failure(visitor.api.auth.login({ email: "reset@example.com", password: TEST_PASSWORD }))).code).toBe("UNAUTHORIZED");
      await visitor.api.auth.login({ email: "reset@example.com", password: "a brand new passphrase" });

      // a link older than an hour is dead
      sent = env.mail.length;
      await visitor.api.auth.requestPasswordReset({ email: "reset@example.com" });
      const late = await env.tokenFromMail("reset@example.com", "reset-password", sent);
      env.clock.advance(HOUR + 1000);
      try {
        expect((await failure(visitor.api.auth.resetPassword({ token: late, password: "too late passphrase" }))).code).toBe("BAD_REQUEST");
      } finally {
        env.clock.advance(-(HOUR + 1000));
      }
    });

    it("lets exactly one of two concurrent resets with one token succeed", async () => {
      await env.signUp("race@example.com");
      const sent = env.mail.length;
      await env.browser().api.auth.requestPasswordReset({ email: "race@example.com" });
      const token = await env.tokenFromMail("race@example.com", "reset-password", sent);
      const results = await Promise.allSettled([
        env.browser().api.auth.resetPassword({ token, password: "first racing passphrase" }),
        env.browser().api.auth.resetPassword({ token, password: "second racing passphrase" }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect((lost.reason as TRPCError).code).toBe("BAD_REQUEST");
      const winner = results[0].status === "fulfilled" ? "first racing passphrase" : "second racing passphrase";
      await env.browser().api.auth.login({ email: "race@example.com", password: winner });
    });
  });

  it("writes every kind of auth event, and never a password or raw token", async () => {
    const password = "unique secret passphrase 7731";
    const a = await env.signUp("audit@example.com", password);
    const sent = env.mail.length;
    await a.api.auth.requestPasswordReset({ email: "audit@example.com" });
    const reset = await env.tokenFromMail("audit@example.com", "reset-password", sent);
    await failure(env.browser().api.auth.login({ email: "audit@example.com", password: "wrong " + password }));
    const session = a.token!;
    await a.api.auth.logout();

    const text = await dump(db, "auth_logs");
    for (const secret of [password, session, reset, hashToken(session)]) expect(text).not.toContain(secret);
    const verify = env.mail.filter((m) => m.to === "audit@example.com" && m.text.includes("/verify?token="));
    expect(verify.length).toBeGreaterThan(0);
    expect(text).not.toContain(/token=([\w-]+)/.exec(verify[0]!.text)![1]!);
    const kinds = new Set((await db.select({ t: authLogs.eventType }).from(authLogs)).map((r) => r.t));
    for (const k of [
      "register",
      "login",
      "failed_login",
      "logout",
      "email_verified",
      "verification_sent",
      "password_reset_requested",
      "password_reset",
      "session_revoked",
      "rate_limited",
    ]) {
      expect(kinds).toContain(k);
    }
    const rows = await db.select().from(authLogs).where(eq(authLogs.eventType, "login"));
    expect(rows.every((r) => r.ipAddress && r.userAgent && r.timestamp instanceof Date)).toBe(true);
  });
});

// Twenty registrations with one code, released together against real Postgres with a pool that lets
// them all run at once: one account, the code redeemed by it, and every attempt on record.
describe.skipIf(!process.env.TEST_DATABASE_URL)("registration under concurrency (Postgres)", () => {
  let database: TestDatabase;
  let env: AuthTestEnv;
  beforeAll(async () => {
    database = await createTestDb("postgres", { poolMax: 25 });
    env = await createAuthTestEnv(database);
  });
  afterAll(async () => {
    await env?.close();
    await database?.close();
  });

  it("20 registrations with one code: exactly one succeeds", async () => {
    const [code] = await createAccessCodes(env.services.db, 1);
    const browsers: TestBrowser[] = Array.from({ length: 20 }, (_, i) => env.browser({ ip: `192.0.2.${i + 1}` }));
    const results = await Promise.allSettled(
      browsers.map((b, i) => b.api.auth.register({ email: `racer${i}@example.com`, password: TEST_PASSWORD, accessCode: code! })),
    );
    const won = results.filter(
      (r): r is PromiseFulfilledResult<{ id: string; email: string; emailVerified: boolean }> => r.status === "fulfilled",
    );
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as TRPCError).code).toBe("BAD_REQUEST");

    const db = env.services.db;
    const allUsers = await db.select().from(users);
    expect(allUsers).toHaveLength(1);
    expect(allUsers[0]!.id).toBe(won[0]!.value.id);
    const [codeRow] = await db
      .select()
      .from(accessCodes)
      .where(eq(accessCodes.codeHash, hashAccessCode(code!)));
    expect(codeRow).toMatchObject({ redeemed: true, redeemedBy: won[0]!.value.id });
    const logs = await db.select().from(authLogs).where(eq(authLogs.eventType, "register"));
    expect(logs).toHaveLength(20);
    expect(logs.filter((l) => l.success)).toHaveLength(1);
  });
});
