/**
 * Password login. Throttled before any password work, so guessing stays expensive, but never in a way
 * that lets a stranger lock the owner out (ASVS 6.3.1, OWASP "device cookies"):
 * - attempts per (account, address) and per address are refused past their limits (429, Retry-After);
 * - failures at an account from everywhere only slow it down: past `loginAccount` an unrecognised browser
 *   gets one try per 30 s, while a browser holding the account's device cookie is not held up at all;
 * - the owner is e-mailed once per window when that happens.
 * One answer ("wrong e-mail or password") and the same argon2 cost whether or not the account exists; a
 * fresh session token on success, so a cookie planted before login is worth nothing after it (ASVS 7.2.4).
 */
import { eq } from "drizzle-orm";
import { users } from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";
import { tryWriteAuthLog } from "./audit";
import { newDeviceCookie, readDeviceCookie } from "./device-cookie";
import { loginAlertEmail, sendInBackground } from "./emails";
import { verifyDummyPassword, verifyPasswordHash, warmDummyHash } from "./password";
import { createSession, type ValidSession } from "./session";
import { clearThrottle, hitThrottle, hitThrottles, ipBucket, THROTTLE_RULES, throttleHits } from "./throttle";
import { createTwoFactorChallenge } from "./two-factor";

export type LoginResult =
  | {
      ok: true;
      user: { id: string; email: string };
      token: string;
      session: ValidSession;
      /** a fresh device cookie for this browser, and when it expires */
      device: { value: string; expires: Date };
    }
  | { ok: false; reason: "credentials" }
  | { ok: false; reason: "unverified" }
  | { ok: false; reason: "disabled" }
  /** the password was right; the second factor is still to come (two-factor.ts) */
  | { ok: "two-factor"; user: { id: string; email: string }; challenge: { token: string; expiresAt: Date } }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** The (account, address) bucket's subject: hashed like every subject holding an e-mail address. */
function accountFromIp(email: string, ip: string | null): string {
  return `${email}|${ipBucket(ip ?? "unknown")}`;
}

export async function attemptLogin(
  services: Services,
  input: { email: string; password: string },
  meta: RequestMeta,
  deviceCookie: string | null = null,
): Promise<LoginResult> {
  const { db, clock } = services;
  const now = clock.now();
  warmDummyHash(); // runs on the thread pool while the throttle and user queries run
  const refused = async (retryAfterSeconds: number, firstRefusal: boolean, reason: string): Promise<LoginResult> => {
    // one log row per window and bucket: a client hammering a closed door writes nothing more
    if (firstRefusal) await tryWriteAuthLog(services, meta, { type: "rate_limited", success: false, reason });
    return { ok: false, reason: "throttled", retryAfterSeconds };
  };

  const gate = await hitThrottles(
    db,
    [
      [THROTTLE_RULES.loginIp, meta.ip],
      [THROTTLE_RULES.loginAccountIp, accountFromIp(input.email, meta.ip)],
    ],
    now,
  );
  if (!gate.allowed) return refused(gate.retryAfterSeconds, gate.firstRefusal, "login");

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

  const key = await services.deviceKey();
  const device = user ? readDeviceCookie(key, deviceCookie) : null;
  const recognised =
    !!device &&
    device.userId === user!.id &&
    (await throttleHits(db, THROTTLE_RULES.loginDevice, device.nonce, now)) < THROTTLE_RULES.loginDevice.limit;
  if (!recognised && (await throttleHits(db, THROTTLE_RULES.loginAccount, input.email, now)) > THROTTLE_RULES.loginAccount.limit) {
    const slow = await hitThrottle(db, THROTTLE_RULES.loginAccountSlow, input.email, now);
    if (!slow.allowed) return refused(slow.retryAfterSeconds, slow.firstRefusal, "login: account slowed down");
  }

  const valid = user ? await verifyPasswordHash(user.passwordHash, input.password) : await verifyDummyPassword(input.password);
  if (!user || !valid) {
    const failures = await hitThrottle(db, THROTTLE_RULES.loginAccount, input.email, now);
    if (recognised) await hitThrottle(db, THROTTLE_RULES.loginDevice, device.nonce, now);
    await tryWriteAuthLog(services, meta, {
      type: "failed_login",
      userId: user?.id ?? null,
      success: false,
      reason: user ? "wrong password" : "unknown e-mail",
    });
    if (user && failures.firstRefusal) {
      // once per window: the failure that starts the slow-down
      await tryWriteAuthLog(services, meta, { type: "security_alert", userId: user.id, success: true, reason: "many failed logins" });
      void sendInBackground(services, loginAlertEmail(services.config.publicUrl, user.email, THROTTLE_RULES.loginAccount));
    }
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

  await clearThrottle(db, THROTTLE_RULES.loginAccountIp, accountFromIp(input.email, meta.ip));
  if (user.totpEnabledAt) {
    const challenge = await createTwoFactorChallenge(services, user.id, meta);
    return { ok: "two-factor", user: { id: user.id, email: user.email }, challenge };
  }
  const { token, session } = await createSession(db, user.id, clock, services.sessionPolicy, {
    ipAddress: meta.ip,
    userAgent: meta.userAgent,
  });
  await tryWriteAuthLog(services, meta, { type: "login", userId: user.id, success: true });
  return {
    ok: true,
    user: { id: user.id, email: user.email },
    token,
    session,
    device: newDeviceCookie(key, user.id, now),
  };
}
