/**
 * Attempt throttling in fixed windows, counted in the `auth_throttle` table so every server instance
 * sees the same numbers (Postgres or PGlite alike). One atomic upsert per attempt: the row's window
 * restarts when it is over, otherwise its hit count goes up. A key over its limit is refused until its
 * window ends, never longer: a user is slowed down, never locked out for good (ASVS 6.3.1).
 *
 * A key that is already refused is not written again: the upsert's WHERE leaves its row alone and one
 * read says how long is left, so a client hammering a closed door costs no writes, and its refusal is
 * reported once per window (`firstRefusal`, for the one `rate_limited` log row).
 *
 * rate-limiter-flexible has no PGlite store, and its Postgres store would need a second connection
 * pool; the statements below are all the mechanism there is.
 */
import { createHash } from "node:crypto";
import { isIPv6 } from "node:net";
import { and, eq, gt, sql } from "drizzle-orm";
import { authThrottle, type DbOrTx } from "@ucie/db";

export interface ThrottleRule {
  /** the bucket family, e.g. "login:account" */
  name: string;
  limit: number;
  windowMs: number;
}

const MINUTE = 60_000;

/** Limits for one window (README "Limits"). */
export const THROTTLE_RULES = {
  /** login attempts at one account from one address; a successful login clears it */
  loginAccountIp: { name: "login:account-ip", limit: 10, windowMs: 15 * MINUTE },
  /** login attempts from one address, whatever the account */
  loginIp: { name: "login:ip", limit: 100, windowMs: 15 * MINUTE },
  /**
   * failed logins at one account from anywhere. Past the limit the account is slowed down, not closed:
   * browsers it does not recognise share `loginAccountSlow`, and the owner is e-mailed once per window.
   */
  loginAccount: { name: "login:account", limit: 20, windowMs: 15 * MINUTE },
  /** while an account is over `loginAccount`: one attempt per 30 s from browsers without its device cookie */
  loginAccountSlow: { name: "login:account-slow", limit: 1, windowMs: 30_000 },
  /** failed logins through one device cookie: past this the cookie no longer exempts its browser */
  loginDevice: { name: "login:device", limit: 10, windowMs: 15 * MINUTE },
  registerIp: { name: "register:ip", limit: 30, windowMs: 60 * MINUTE },
  /**
   * e-mails sent on request (verification resend, password reset). Asking is never refused: past a limit
   * the answer is the same `{ ok: true }` and nothing is sent. Per address and address-from-one-IP, so a
   * stranger asking for your address from one place cannot use up what you may ask for from another.
   */
  mailAddressIp: { name: "mail:address-ip", limit: 3, windowMs: 60 * MINUTE },
  mailAddress: { name: "mail:address", limit: 10, windowMs: 60 * MINUTE },
  mailIp: { name: "mail:ip", limit: 30, windowMs: 60 * MINUTE },
  /** single-use token submissions (verify, reset): 192-bit tokens, so this only bounds the noise */
  tokenIp: { name: "token:ip", limit: 60, windowMs: 15 * MINUTE },
} satisfies Record<string, ThrottleRule>;

export interface ThrottleResult {
  allowed: boolean;
  hits: number;
  /** whole seconds until the window ends (0 when allowed) */
  retryAfterSeconds: number;
  /** this attempt is the one that went over the limit: the first refusal of the window */
  firstRefusal: boolean;
}

/**
 * The client an IP address stands for. One IPv6 host or home line holds a whole /64 (often more), so
 * counting each address apart would give it 2^64 fresh per-IP buckets; an IPv4-mapped address is its IPv4.
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.split("%")[0]!.toLowerCase().split("::") as [string, string?];
  // an embedded IPv4 tail (::1.2.3.4) fills two groups of the low 64 bits, which are dropped anyway
  const split = (part: string) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const left = split(head);
  const right = ip.includes("::") ? split(tail) : [];
  const groups = ip.includes("::") ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || "0", 16).toString(16))
    .join(":")}::/64`;
}

/** Bucket key for a rule and a subject; e-mail addresses are hashed so the table holds none. */
export function throttleKey(rule: ThrottleRule, subject: string | null | undefined): string {
  const s = subject && rule.name.endsWith(":ip") ? ipBucket(subject) : (subject ?? "unknown");
  const shown = s.includes("@") ? createHash("sha256").update(s).digest("hex").slice(0, 32) : s.slice(0, 100);
  return `${rule.name}:${shown}`;
}

/** Count one attempt against a bucket and say whether it may proceed. */
export async function hitThrottle(db: DbOrTx, rule: ThrottleRule, subject: string | null | undefined, now: Date): Promise<ThrottleResult> {
  const key = throttleKey(rule, subject);
  const nowIso = now.toISOString();
  const windowStartsAfter = new Date(now.getTime() - rule.windowMs).toISOString();
  const expired = sql`auth_throttle.window_start <= ${windowStartsAfter}::timestamptz`;
  const [row] = await db
    .insert(authThrottle)
    .values({ key, hits: 1, windowStart: now })
    .onConflictDoUpdate({
      target: authThrottle.key,
      set: {
        hits: sql`CASE WHEN ${expired} THEN 1 ELSE auth_throttle.hits + 1 END`,
        windowStart: sql`CASE WHEN ${expired} THEN ${nowIso}::timestamptz ELSE auth_throttle.window_start END`,
        blockedUntil: sql`CASE WHEN ${expired} THEN NULL
          WHEN auth_throttle.hits + 1 > ${rule.limit} THEN auth_throttle.window_start + ${`${rule.windowMs} milliseconds`}::interval
          ELSE NULL END`,
      },
      // already over the limit in a live window: leave the row as it is
      setWhere: sql`${expired} OR auth_throttle.hits <= ${rule.limit}`,
    })
    .returning({ hits: authThrottle.hits, windowStart: authThrottle.windowStart });
  if (!row) {
    const [held] = await db
      .select({ hits: authThrottle.hits, windowStart: authThrottle.windowStart })
      .from(authThrottle)
      .where(eq(authThrottle.key, key));
    return refusal(rule, held?.hits ?? rule.limit + 1, held?.windowStart ?? now, now, false);
  }
  if (row.hits <= rule.limit) return { allowed: true, hits: row.hits, retryAfterSeconds: 0, firstRefusal: false };
  return refusal(rule, row.hits, row.windowStart, now, true);
}

function refusal(rule: ThrottleRule, hits: number, windowStart: Date, now: Date, firstRefusal: boolean): ThrottleResult {
  const endsAt = windowStart.getTime() + rule.windowMs;
  return { allowed: false, hits, retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000)), firstRefusal };
}

/** The hits a bucket holds in its live window (0 when it has none), without counting one. */
export async function throttleHits(db: DbOrTx, rule: ThrottleRule, subject: string | null | undefined, now: Date): Promise<number> {
  const [row] = await db
    .select({ hits: authThrottle.hits })
    .from(authThrottle)
    .where(and(eq(authThrottle.key, throttleKey(rule, subject)), gt(authThrottle.windowStart, new Date(now.getTime() - rule.windowMs))));
  return row?.hits ?? 0;
}

/** Forget a bucket (a successful login clears its account's failures). */
export async function clearThrottle(db: DbOrTx, rule: ThrottleRule, subject: string | null | undefined): Promise<void> {
  await db.delete(authThrottle).where(eq(authThrottle.key, throttleKey(rule, subject)));
}

/**
 * Hit several buckets in order; the first that refuses ends it (the later ones are not counted, so a
 * refused request writes nothing more).
 */
export async function hitThrottles(
  db: DbOrTx,
  checks: Array<[ThrottleRule, string | null | undefined]>,
  now: Date,
): Promise<ThrottleResult> {
  let hits = 0;
  for (const [rule, subject] of checks) {
    const result = await hitThrottle(db, rule, subject, now);
    if (!result.allowed) return result;
    hits = Math.max(hits, result.hits);
  }
  return { allowed: true, hits, retryAfterSeconds: 0, firstRefusal: false };
}
