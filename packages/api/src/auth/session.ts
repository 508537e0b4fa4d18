/**
 * Sessions after the Lucia guide (lucia-auth.com): a random token lives only in the user's cookie; the
 * database keeps its SHA-256 (`sessions.token_hash`). Validation hashes the cookie, loads the row by that
 * hash, compares in constant time, enforces the idle timeout and the absolute lifetime, and slides the
 * idle expiry forward at most once an hour.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { sessions, users, type Db } from "@ucie/db";
import type { Clock } from "../lib/clock";

const HOUR = 3_600_000;

export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteLifetimeMs: number;
}

export interface SessionUser {
  id: string;
  email: string;
  emailVerified: boolean;
  createdAt: Date;
}

export interface ValidSession {
  id: string;
  userId: string;
  expiresAt: Date;
  createdAt: Date;
}

export type SessionValidation = { session: ValidSession; user: SessionUser } | { session: null; user: null };

/** 192 random bits, base64url: well past the 128-bit minimum. */
export function generateSessionToken(): string {
  return randomBytes(24).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(
  db: Db,
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

export async function validateSessionToken(
  db: Db,
  token: string,
  clock: Clock,
  policy: SessionPolicy,
): Promise<SessionValidation> {
  if (!token || token.length > 200) return { session: null, user: null };
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
    .where(eq(sessions.tokenHash, tokenHash))
    .limit(1);
  const row = rows[0];
  if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(tokenHash))) return { session: null, user: null };

  const now = clock.now().getTime();
  const absoluteEnd = row.createdAt.getTime() + policy.absoluteLifetimeMs;
  if (now >= row.expiresAt.getTime() || now >= absoluteEnd) {
    await db.delete(sessions).where(eq(sessions.id, row.id));
    return { session: null, user: null };
  }
  let expiresAt = row.expiresAt;
  const slid = Math.min(now + policy.idleTimeoutMs, absoluteEnd);
  // extend at most once an hour: only when the stored expiry is more than an hour behind the slid one
  if (slid - expiresAt.getTime() >= HOUR) {
    expiresAt = new Date(slid);
    await db.update(sessions).set({ expiresAt }).where(and(eq(sessions.id, row.id)));
  }
  return {
    session: { id: row.id, userId: row.userId, expiresAt, createdAt: row.createdAt },
    user: { id: row.userId, email: row.email, emailVerified: row.emailVerified, createdAt: row.userCreatedAt },
  };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}
