/**
 * Two-factor sign-in with TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps, one step of drift either
 * way), computed with @oslojs/otp at the service clock's time. A code works once: the last accepted step
 * is stored, and a conditional UPDATE (`... WHERE totp_last_step < $step`) lets only one of two
 * concurrent uses through. Ten recovery codes, stored as SHA-256, each claimed with a conditional UPDATE.
 *
 * A login whose password is right but whose account has two-factor on gets no session: it gets a
 * challenge (a random token, its hash stored, 5 minutes, 5 wrong codes) that `verifyTwoFactor` turns
 * into a session. Guesses are throttled per account and per IP with the login throttle (throttle.ts).
 */
import { randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import { and, count, eq, gt, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { twoFactorChallenges, twoFactorRecoveryCodes, users, type DbOrTx } from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";
import { tryWriteAuthLog, writeAuthLog } from "./audit";
import { verifyPasswordHash } from "./password";
import { newDeviceCookie } from "./device-cookie";
import { createSession, generateSessionToken, hashToken, type ValidSession } from "./session";
import { clearThrottle, hitThrottles, type ThrottleRule } from "./throttle";
import { REAUTH_RULE } from "./account";
import { readTotpSecret, sealTotpSecret } from "./totp-secret";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_ISSUER = "UCIE";
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** wrong codes one challenge takes before the password must be entered again */
export const CHALLENGE_MAX_FAILURES = 5;
export const RECOVERY_CODE_COUNT = 10;

export const TWO_FACTOR_RULES = {
  account: { name: "2fa:account", limit: 10, windowMs: 15 * 60_000 },
  ip: { name: "2fa:ip", limit: 100, windowMs: 15 * 60_000 },
} satisfies Record<string, ThrottleRule>;

/** The cookie value that marks a login waiting for its second factor (session tokens never hold a dot). */
export const CHALLENGE_COOKIE_PREFIX = "2fa.";

// ---- TOTP ------------------------------------------------------------------------------------------
function timeStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a secret at a time step (tests and the authenticator app compute the same). */
export function totpCode(secret: string, step: number): string {
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), TOTP_DIGITS);
}

/** The time step whose code this is (now, one before or one after), or null. */
export function matchTotpStep(secret: string, code: string, now: Date): number | null {
  const given = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(given)) return null;
  const current = timeStep(now);
  let matched: number | null = null;
  for (const step of [current - 1, current, current + 1]) {
    // compare all three, in constant time, so timing says nothing about which step matched
    if (timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(given)) && matched === null) matched = step;
  }
  return matched;
}

/** Accept a code for a user at most once: the step must be later than the last one accepted. */
async function claimTotpStep(db: DbOrTx, userId: string, step: number): Promise<boolean> {
  const claimed = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id });
  return claimed.length === 1;
}

// ---- recovery codes --------------------------------------------------------------------------------
const RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** XXXXX-XXXXX: 49 random bits, typed by hand from a printout. */
function generateRecoveryCode(): string {
  const group = () => Array.from({ length: 5 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join("");
  return `${group()}-${group()}`;
}

export function hashRecoveryCode(code: string): string {
  return hashToken(code.replace(/[\s-]/g, "").toUpperCase());
}

async function replaceRecoveryCodes(db: DbOrTx, userId: string, now: Date): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  await db.delete(twoFactorRecoveryCodes).where(eq(twoFactorRecoveryCodes.userId, userId));
  await db.insert(twoFactorRecoveryCodes).values(codes.map((c) => ({ userId, codeHash: hashRecoveryCode(c), createdAt: now })));
  return codes;
}

async function claimRecoveryCode(db: DbOrTx, userId: string, code: string, now: Date): Promise<boolean> {
  const claimed = await db
    .update(twoFactorRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(twoFactorRecoveryCodes.userId, userId),
        eq(twoFactorRecoveryCodes.codeHash, hashRecoveryCode(code)),
        isNull(twoFactorRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: twoFactorRecoveryCodes.id });
  return claimed.length === 1;
}

// ---- set-up, enable, disable -------------------------------------------------------------------------
/** The account's two-factor state; `stored` is the column as it is, `secret` the base32 secret it holds. */
async function loadTotp(services: Services, userId: string) {
  const [row] = await services.db
    .select({ email: users.email, stored: users.totpSecret, enabledAt: users.totpEnabledAt, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) return null;
  return { ...row, secret: row.stored === null ? null : await readTotpSecret(services, userId, row.stored) };
}

export type SetupResult = { ok: true; secret: string; uri: string } | { ok: false; reason: "already-enabled" };

/** A new secret for the authenticator app; it takes effect only once `enableTwoFactor` sees a code from it. */
export async function setupTwoFactor(services: Services, userId: string, meta: RequestMeta): Promise<SetupResult> {
  const current = await loadTotp(services, userId);
  if (!current || current.enabledAt) return { ok: false, reason: "already-enabled" };
  const key = new Uint8Array(randomBytes(20)); // 160 bits, RFC 4226's recommended length for SHA-1
  const secret = encodeBase32UpperCaseNoPadding(key);
  const updated = await services.db
    .update(users)
    .set({ totpSecret: sealTotpSecret(await services.totpKey(), userId, secret), totpLastStep: null })
    .where(and(eq(users.id, userId), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  if (updated.length === 0) return { ok: false, reason: "already-enabled" };
  await tryWriteAuthLog(services, meta, { type: "two_factor_setup", userId, success: true });
  return { ok: true, secret, uri: createTOTPKeyURI(TOTP_ISSUER, current.email, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS) };
}

export type EnableResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: "already-enabled" | "not-set-up" | "wrong-code" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

export async function enableTwoFactor(services: Services, userId: string, code: string, meta: RequestMeta): Promise<EnableResult> {
  const now = services.clock.now();
  const throttle = await hitThrottles(services.db, [[TWO_FACTOR_RULES.account, userId]], now);
  if (!throttle.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: throttle.retryAfterSeconds };
  const current = await loadTotp(services, userId);
  if (current?.enabledAt) return { ok: false, reason: "already-enabled" };
  if (!current?.secret) return { ok: false, reason: "not-set-up" };
  const step = matchTotpStep(current.secret, code, now);
  if (step === null) {
    await tryWriteAuthLog(services, meta, { type: "two_factor_enabled", userId, success: false, reason: "wrong code" });
    return { ok: false, reason: "wrong-code" };
  }
  // the secret the code was checked against is still the one set up (a concurrent set-up replaces it)
  const stored = current.stored!;
  const codes = await services.db.transaction(async (tx) => {
    const enabled = await tx
      .update(users)
      .set({ totpEnabledAt: now, totpLastStep: step, updatedAt: now })
      .where(and(eq(users.id, userId), isNull(users.totpEnabledAt), eq(users.totpSecret, stored)))
      .returning({ id: users.id });
    if (enabled.length === 0) return null;
    const recovery = await replaceRecoveryCodes(tx, userId, now);
    await writeAuthLog(tx, services, meta, { type: "two_factor_enabled", userId, success: true });
    return recovery;
  });
  if (!codes) return { ok: false, reason: "already-enabled" };
  await clearThrottle(services.db, TWO_FACTOR_RULES.account, userId);
  return { ok: true, recoveryCodes: codes };
}

export type DisableResult =
  | { ok: true }
  | { ok: false; reason: "not-enabled" | "wrong-password" | "wrong-code" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** Turn two-factor off: the password and a current code (or an unused recovery code) are both needed. */
export async function disableTwoFactor(
  services: Services,
  userId: string,
  input: { password: string; code: string },
  meta: RequestMeta,
): Promise<DisableResult> {
  const now = services.clock.now();
  const throttle = await hitThrottles(
    services.db,
    [
      [REAUTH_RULE, userId],
      [TWO_FACTOR_RULES.account, userId],
    ],
    now,
  );
  if (!throttle.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: throttle.retryAfterSeconds };
  const current = await loadTotp(services, userId);
  if (!current?.enabledAt || !current.secret) return { ok: false, reason: "not-enabled" };
  if (!(await verifyPasswordHash(current.passwordHash, input.password))) {
    await tryWriteAuthLog(services, meta, { type: "two_factor_disabled", userId, success: false, reason: "wrong password" });
    return { ok: false, reason: "wrong-password" };
  }
  const step = matchTotpStep(current.secret, input.code, now);
  const accepted =
    step !== null ? await claimTotpStep(services.db, userId, step) : await claimRecoveryCode(services.db, userId, input.code, now);
  if (!accepted) {
    await tryWriteAuthLog(services, meta, { type: "two_factor_disabled", userId, success: false, reason: "wrong or used code" });
    return { ok: false, reason: "wrong-code" };
  }
  await services.db.transaction(async (tx) => {
    await tx.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, updatedAt: now }).where(eq(users.id, userId));
    await tx.delete(twoFactorRecoveryCodes).where(eq(twoFactorRecoveryCodes.userId, userId));
    await tx.delete(twoFactorChallenges).where(eq(twoFactorChallenges.userId, userId));
    await writeAuthLog(tx, services, meta, { type: "two_factor_disabled", userId, success: true });
  });
  return { ok: true };
}

export async function twoFactorStatus(services: Services, userId: string): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
  const [row] = await services.db.select({ enabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, userId)).limit(1);
  if (!row?.enabledAt) return { enabled: false, recoveryCodesLeft: 0 };
  const [left] = await services.db
    .select({ n: count() })
    .from(twoFactorRecoveryCodes)
    .where(and(eq(twoFactorRecoveryCodes.userId, userId), isNull(twoFactorRecoveryCodes.usedAt)));
  return { enabled: true, recoveryCodesLeft: left?.n ?? 0 };
}

// ---- the login step ----------------------------------------------------------------------------------
/** Start the second step of a login whose password was right. The token goes into the browser's cookie. */
export async function createTwoFactorChallenge(
  services: Services,
  userId: string,
  meta: RequestMeta,
): Promise<{ token: string; expiresAt: Date }> {
  const now = services.clock.now();
  const token = generateSessionToken();
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
  // one pending login per account at a time is plenty; stale ones go with it
  await services.db.delete(twoFactorChallenges).where(eq(twoFactorChallenges.userId, userId));
  await services.db.insert(twoFactorChallenges).values({ userId, tokenHash: hashToken(token), expiresAt, createdAt: now });
  await tryWriteAuthLog(services, meta, { type: "two_factor_challenge", userId, success: true });
  return { token, expiresAt };
}

export type VerifyResult =
  | {
      ok: true;
      user: { id: string; email: string };
      token: string;
      session: ValidSession;
      /** a fresh device cookie: this browser completed a login, as after a password-only one (login.ts) */
      device: { value: string; expires: Date };
    }
  | { ok: false; reason: "expired" | "wrong-code" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** Finish a login with a TOTP code or a recovery code. */
export async function verifyTwoFactor(
  services: Services,
  challengeToken: string | null,
  input: { code?: string; recoveryCode?: string },
  meta: RequestMeta,
): Promise<VerifyResult> {
  const { db, clock } = services;
  const now = clock.now();
  const byIp = await hitThrottles(db, [[TWO_FACTOR_RULES.ip, meta.ip]], now);
  if (!byIp.allowed) {
    await tryWriteAuthLog(services, meta, { type: "rate_limited", success: false, reason: "two-factor code" });
    return { ok: false, reason: "throttled", retryAfterSeconds: byIp.retryAfterSeconds };
  }
  if (!challengeToken) return { ok: false, reason: "expired" };
  const [challenge] = await db
    .select({
      id: twoFactorChallenges.id,
      userId: twoFactorChallenges.userId,
      email: users.email,
      stored: users.totpSecret,
    })
    .from(twoFactorChallenges)
    .innerJoin(users, eq(users.id, twoFactorChallenges.userId))
    .where(
      and(
        eq(twoFactorChallenges.tokenHash, hashToken(challengeToken)),
        gt(twoFactorChallenges.expiresAt, now),
        isNull(users.disabledAt),
        isNotNull(users.totpEnabledAt),
      ),
    )
    .limit(1);
  if (!challenge?.stored) {
    await tryWriteAuthLog(services, meta, { type: "two_factor_verified", success: false, reason: "no pending login (expired or unknown)" });
    return { ok: false, reason: "expired" };
  }
  const byAccount = await hitThrottles(db, [[TWO_FACTOR_RULES.account, challenge.userId]], now);
  if (!byAccount.allowed) {
    await tryWriteAuthLog(services, meta, { type: "rate_limited", userId: challenge.userId, success: false, reason: "two-factor code" });
    return { ok: false, reason: "throttled", retryAfterSeconds: byAccount.retryAfterSeconds };
  }

  let accepted = false;
  let how = "";
  if (input.code !== undefined) {
    const secret = await readTotpSecret(services, challenge.userId, challenge.stored);
    const step = matchTotpStep(secret, input.code, now);
    accepted = step !== null && (await claimTotpStep(db, challenge.userId, step));
    how = step === null ? "wrong code" : "code already used";
  } else if (input.recoveryCode !== undefined) {
    accepted = await claimRecoveryCode(db, challenge.userId, input.recoveryCode, now);
    how = "wrong or used recovery code";
  }
  if (!accepted) {
    const [after] = await db
      .update(twoFactorChallenges)
      .set({ failures: sql`${twoFactorChallenges.failures} + 1` })
      .where(eq(twoFactorChallenges.id, challenge.id))
      .returning({ failures: twoFactorChallenges.failures });
    if (after && after.failures >= CHALLENGE_MAX_FAILURES)
      await db.delete(twoFactorChallenges).where(eq(twoFactorChallenges.id, challenge.id));
    await tryWriteAuthLog(services, meta, { type: "two_factor_verified", userId: challenge.userId, success: false, reason: how });
    return { ok: false, reason: "wrong-code" };
  }

  // the challenge is single-use: of two concurrent right answers only the one that deletes it logs in
  const claimed = await db
    .delete(twoFactorChallenges)
    .where(eq(twoFactorChallenges.id, challenge.id))
    .returning({ id: twoFactorChallenges.id });
  if (claimed.length === 0) return { ok: false, reason: "expired" };
  await clearThrottle(db, TWO_FACTOR_RULES.account, challenge.userId);
  const { token, session } = await createSession(db, challenge.userId, clock, services.sessionPolicy, {
    ipAddress: meta.ip,
    userAgent: meta.userAgent,
  });
  await tryWriteAuthLog(services, meta, {
    type: "two_factor_verified",
    userId: challenge.userId,
    success: true,
    reason: input.code !== undefined ? "authenticator code" : "recovery code",
  });
  await tryWriteAuthLog(services, meta, { type: "login", userId: challenge.userId, success: true, reason: "with two-factor" });
  return {
    ok: true,
    user: { id: challenge.userId, email: challenge.email },
    token,
    session,
    device: newDeviceCookie(await services.deviceKey(), challenge.userId, now),
  };
}
