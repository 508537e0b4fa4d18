/**
 * Sessions after the Lucia guide (lucia-auth.com): a random token lives only in the user's cookie; the
 * database keeps its SHA-256 (`sessions.token_hash`). Validation hashes the cookie, loads the row by that
 * hash, compares in constant time, enforces the idle timeout and the absolute lifetime, and slides the
 * idle expiry forward at most once an hour.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { sessions, users, type Db, type DbOrTx } from "@ucie/db";
import type { Clock } from "../lib/clock";
import type { Services } from "../services";
import { publishSessionsRevoked, sessionCacheFor } from "./revocation";
import type { SessionPolicy, SessionUser, ValidSession } from "./session-types";

export type { SessionPolicy, SessionUser, ValidSession };

const HOUR = 3_600_000;

export type SessionValidation = { session: ValidSession; user: SessionUser } | { session: null; user: null };

/** 192 random bits (node's CSPRNG, the same source as crypto.getRandomValues), base64url: well past the 128-bit minimum. */
export function generateSessionToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Tokens longer than this are not ours: refuse them before hashing. */
const MAX_TOKEN_LENGTH = 200;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(
  db: DbOrTx,
  userId: string,
  clock: Clock,
  policy: SessionPolicy,
  meta: { ipAddress?: string | null; userAgent?: string | null } = {},
): Promise<{ token: string; session: ValidSession }> {
  const token = generateSessionToken();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + Math.min(policy.idleTimeoutMs, policy.absoluteLifetimeMs));
  const [row] = await db
    .insert(sessions)
    .values({
      userId,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt,
      ipAddress: meta.ipAddress ?? null,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
    })
    .returning({ id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt, createdAt: sessions.createdAt });
  return { token, session: row! };
}

export interface ValidationHooks {
  /** called after an expired session's row was deleted (revocation.ts tells the other instances) */
  onExpired?(session: { id: string; userId: string }): Promise<void> | void;
}

export async function validateSessionToken(
  db: Db,
  token: string,
  clock: Clock,
  policy: SessionPolicy,
  hooks: ValidationHooks = {},
): Promise<SessionValidation> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return { session: null, user: null };
  const tokenHash = hashToken(token);
  const rows = await db
    .select({
      id: sessions.id,
      userId: sessions.userId,
      tokenHash: sessions.tokenHash,
      expiresAt: sessions.expiresAt,
      createdAt: sessions.createdAt,
      email: users.email,
      emailVerified: users.emailVerified,
      userCreatedAt: users.createdAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    // a disabled account's sessions are deleted when it is disabled; this also covers one made in between
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(users.disabledAt)))
    .limit(1);
  const row = rows[0];
  if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(tokenHash))) return { session: null, user: null };

  const now = clock.now().getTime();
  const absoluteEnd = row.createdAt.getTime() + policy.absoluteLifetimeMs;
  if (now >= row.expiresAt.getTime() || now >= absoluteEnd) {
    const deleted = await db.delete(sessions).where(eq(sessions.id, row.id)).returning({ id: sessions.id });
    if (deleted.length) await hooks.onExpired?.({ id: row.id, userId: row.userId });
    return { session: null, user: null };
  }
  let expiresAt = row.expiresAt;
  const slid = Math.min(now + policy.idleTimeoutMs, absoluteEnd);
  // extend at most once an hour: only when the stored expiry is more than an hour behind the slid one
  if (slid - expiresAt.getTime() >= HOUR) {
    expiresAt = new Date(slid);
    await db
      .update(sessions)
      .set({ expiresAt })
      .where(and(eq(sessions.id, row.id)));
  }
  return {
    session: { id: row.id, userId: row.userId, expiresAt, createdAt: row.createdAt },
    user: { id: row.userId, email: row.email, emailVerified: row.emailVerified, createdAt: row.userCreatedAt },
  };
}

/**
 * Validate a session cookie the cheap way: a recent validation of the same token on this instance is
 * reused (session-cache.ts: at most 30 s, never past the expiry, evicted at once on revocation);
 * otherwise the database decides, and an expired session is deleted and announced.
 */
export async function validateSession(services: Services, token: string | null | undefined): Promise<SessionValidation> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return { session: null, user: null };
  const tokenHash = hashToken(token);
  const cache = await sessionCacheFor(services);
  const now = services.clock.now().getTime();
  const hit = cache?.get(tokenHash, now);
  if (hit) return { session: hit.session, user: hit.user };
  const generation = cache?.generation ?? 0;
  const result = await validateSessionToken(services.db, token, services.clock, services.sessionPolicy, {
    onExpired: (s) => publishSessionsRevoked(services, { userId: s.userId, sessionIds: [s.id], reason: "expired" }),
  });
  if (result.session) cache?.set(tokenHash, result.session, result.user, now, generation);
  return result;
}

/** Delete one session of a user; returns whether it existed (and was theirs). */
export async function invalidateSession(db: DbOrTx, sessionId: string, userId?: string): Promise<boolean> {
  const where = userId ? and(eq(sessions.id, sessionId), eq(sessions.userId, userId)) : eq(sessions.id, sessionId);
  const deleted = await db.delete(sessions).where(where).returning({ id: sessions.id });
  return deleted.length > 0;
}

/** Delete every session of a user; returns their ids (to announce the revocation). */
export async function invalidateUserSessions(db: DbOrTx, userId: string): Promise<string[]> {
  const deleted = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return deleted.map((r) => r.id);
}
