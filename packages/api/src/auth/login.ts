/**
 * Password login. Throttled per account and per IP before any password work; one answer ("wrong e-mail
 * or password") and the same argon2 cost whether or not the account exists; a fresh session token on
 * success, so a cookie planted before login is worth nothing after it (ASVS 7.2.4).
 */
import { eq } from "drizzle-orm";
import { users } from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";
import { tryWriteAuthLog } from "./audit";
import { verifyDummyPassword, verifyPasswordHash, warmDummyHash } from "./password";
import { createSession, type ValidSession } from "./session";
import { clearThrottle, hitThrottles, THROTTLE_RULES } from "./throttle";
import { createTwoFactorChallenge } from "./two-factor";

export type LoginResult =
  | { ok: true; user: { id: string; email: string }; token: string; session: ValidSession }
  | { ok: false; reason: "credentials" }
  | { ok: false; reason: "unverified" }
  | { ok: false; reason: "disabled" }
  /** the password was right; the second factor is still to come (two-factor.ts) */
  | { ok: "two-factor"; user: { id: string; email: string }; challenge: { token: string; expiresAt: Date } }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

export async function attemptLogin(
  services: Services,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<LoginResult> {
  const { db, clock } = services;
  warmDummyHash(); // runs on the thread pool while the throttle and user queries run
  const throttle = await hitThrottles(
    db,
    [
      [THROTTLE_RULES.loginAccount, input.email],
      [THROTTLE_RULES.loginIp, meta.ip],
    ],
    clock.now(),
  );
  if (!throttle.allowed) {
    await tryWriteAuthLog(services, meta, { type: "rate_limited", success: false, reason: "login" });
    return { ok: false, reason: "throttled", retryAfterSeconds: throttle.retryAfterSeconds };
  }

  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      passwordHash: users.passwordHash,
      emailVerified: users.emailVerified,
      disabledAt: users.disabledAt,
      totpEnabledAt: users.totpEnabledAt,
    })
    .from(users)
    .where(eq(users.email, input.email))
    .limit(1);
  const valid = user ? await verifyPasswordHash(user.passwordHash, input.password) : await verifyDummyPassword(input.password);
  if (!user || !valid) {
    await tryWriteAuthLog(services, meta, {
      type: "failed_login",
      userId: user?.id ?? null,
      success: false,
      reason: user ? "wrong password" : "unknown e-mail",
    });
    return { ok: false, reason: "credentials" };
  }
  if (!user.emailVerified) {
    await tryWriteAuthLog(services, meta, { type: "failed_login", userId: user.id, success: false, reason: "e-mail not verified" });
    return { ok: false, reason: "unverified" };
  }
  if (user.disabledAt) {
    await tryWriteAuthLog(services, meta, { type: "failed_login", userId: user.id, success: false, reason: "account disabled" });
    return { ok: false, reason: "disabled" };
  }

  await clearThrottle(db, THROTTLE_RULES.loginAccount, input.email);
  if (user.totpEnabledAt) {
    const challenge = await createTwoFactorChallenge(services, user.id, meta);
    return { ok: "two-factor", user: { id: user.id, email: user.email }, challenge };
  }
  const { token, session } = await createSession(db, user.id, clock, services.sessionPolicy, {
    ipAddress: meta.ip,
    userAgent: meta.userAgent,
  });
  await tryWriteAuthLog(services, meta, { type: "login", userId: user.id, success: true });
  return { ok: true, user: { id: user.id, email: user.email }, token, session };
}
