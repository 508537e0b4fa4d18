/**
 * Attempt throttling in fixed windows, counted in the `auth_throttle` table so every server instance
 * sees the same numbers (Postgres or PGlite alike). One atomic upsert per attempt: the row's window
 * restarts when it is over, otherwise its hit count goes up. A key over its limit is refused until its
 * window ends, never longer: a user is slowed down, never locked out for good (ASVS 6.3.1).
 *
 * rate-limiter-flexible has no PGlite store, and its Postgres store would need a second connection
 * pool; the single statement below is all the mechanism there is.
 */
import { createHash } from "node:crypto";
import { isIPv6 } from "node:net";
import { eq, sql } from "drizzle-orm";
import { authThrottle, type DbOrTx } from "@ucie/db";

export interface ThrottleRule {
  /** the bucket family, e.g. "login:account" */
  name: string;
  limit: number;
  windowMs: number;
}

const MINUTE = 60_000;

/** Limits for one window. Failed and successful attempts both count; a successful login clears its account bucket. */
export const THROTTLE_RULES = {
  loginAccount: { name: "login:account", limit: 10, windowMs: 15 * MINUTE },
  loginIp: { name: "login:ip", limit: 100, windowMs: 15 * MINUTE },
  registerIp: { name: "register:ip", limit: 30, windowMs: 60 * MINUTE },
  /** e-mails we send on request (verification resend, password reset), per address and per IP */
  mailAddress: { name: "mail:address", limit: 5, windowMs: 60 * MINUTE },
  mailIp: { name: "mail:ip", limit: 30, windowMs: 60 * MINUTE },
  /** single-use token submissions (verify, reset): 192-bit tokens, so this only bounds the noise */
  tokenIp: { name: "token:ip", limit: 60, windowMs: 15 * MINUTE },
} satisfies Record<string, ThrottleRule>;

export interface ThrottleResult {
  allowed: boolean;
  hits: number;
  /** whole seconds until the window ends (0 when allowed) */
  retryAfterSeconds: number;
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
    })
    .returning({ hits: authThrottle.hits, windowStart: authThrottle.windowStart });
  const hits = row?.hits ?? 1;
  if (hits <= rule.limit) return { allowed: true, hits, retryAfterSeconds: 0 };
  const endsAt = (row?.windowStart ?? now).getTime() + rule.windowMs;
  return { allowed: false, hits, retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000)) };
}

/** Forget a bucket (a successful login clears its account's failures). */
export async function clearThrottle(db: DbOrTx, rule: ThrottleRule, subject: string | null | undefined): Promise<void> {
  await db.delete(authThrottle).where(eq(authThrottle.key, throttleKey(rule, subject)));
}

/** Hit several buckets; refused if any refuses, with the longest wait. */
export async function hitThrottles(
  db: DbOrTx,
  checks: Array<[ThrottleRule, string | null | undefined]>,
  now: Date,
): Promise<ThrottleResult> {
  const results: ThrottleResult[] = [];
  for (const [rule, subject] of checks) results.push(await hitThrottle(db, rule, subject, now));
  const refused = results.filter((r) => !r.allowed).sort((a, b) => b.retryAfterSeconds - a.retryAfterSeconds);
  return refused[0] ?? { allowed: true, hits: Math.max(0, ...results.map((r) => r.hits)), retryAfterSeconds: 0 };
}
