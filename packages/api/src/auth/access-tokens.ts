/**
 * Personal access tokens for scripts and bots (`Authorization: Bearer ucie_pat_…`). Like session tokens
 * (session.ts), only the SHA-256 is stored, with the token's first characters to tell tokens apart.
 * A token acts for its owner within its scopes (token-scopes.ts says which procedure needs which);
 * revoking one publishes its id on the session revocation channel, so open streams end on every
 * instance at once. Validation reads the database on every request (no cache), so a revoked or
 * expired token is refused by the next call everywhere.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { personalAccessTokens, users, type TokenScope } from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";
import { tryWriteAuthLog, writeAuthLog } from "./audit";
import { publishSessionsRevoked, watchSession, type SessionWatch } from "./revocation";
import { hashToken, type SessionUser } from "./session";
import { hitThrottle, type ThrottleResult, type ThrottleRule } from "./throttle";

export const TOKEN_PREFIX = "ucie_pat_";
/** a user may hold this many live tokens */
export const MAX_TOKENS_PER_USER = 50;
export const MAX_TOKEN_DAYS = 366;
/** calls one token may make per minute */
export const TOKEN_CALLS_RULE: ThrottleRule = { name: "pat:calls", limit: 600, windowMs: 60_000 };
/** one `token_refused` log row per token per minute: a script retrying a revoked token writes no flood */
const REFUSAL_LOG_RULE: ThrottleRule = { name: "pat:refused-log", limit: 1, windowMs: 60_000 };
const LAST_USED_EVERY_MS = 60_000;
const DAY = 86_400_000;

export interface AccessToken {
  id: string;
  userId: string;
  scopes: TokenScope[];
  createdAt: Date;
  expiresAt: Date | null;
}

export type TokenValidation = { ok: true; token: AccessToken; user: SessionUser } | { ok: false };

export function looksLikeAccessToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length <= 100;
}

export type CreateTokenResult = { ok: true; id: string; token: string } | { ok: false; error: "too_many" };

export async function createAccessToken(
  services: Services,
  meta: RequestMeta,
  userId: string,
  input: { name: string; scopes: TokenScope[]; expiresInDays?: number | undefined },
): Promise<CreateTokenResult> {
  const now = services.clock.now();
  // 256 random bits, base64url: the prefix lets secret scanners (and people) recognise a leaked one
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return services.db.transaction(async (tx) => {
    // one live count per user at a time: two concurrent creates cannot both squeeze under the limit
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`pat:${userId}`}))`);
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(personalAccessTokens)
      .where(and(eq(personalAccessTokens.userId, userId), isNull(personalAccessTokens.revokedAt)));
    if ((row?.n ?? 0) >= MAX_TOKENS_PER_USER) return { ok: false as const, error: "too_many" as const };
    const [created] = await tx
      .insert(personalAccessTokens)
      .values({
        userId,
        name: input.name,
        scopes: [...new Set(input.scopes)],
        tokenHash: hashToken(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 4),
        createdAt: now,
        expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * DAY) : null,
      })
      .returning({ id: personalAccessTokens.id });
    await writeAuthLog(tx, services, meta, { type: "token_created", userId, success: true });
    return { ok: true as const, id: created!.id, token };
  });
}

/** What a token is and did, shown to its owner (the list, the data export): never its hash. */
export const TOKEN_VIEW_COLUMNS = {
  id: personalAccessTokens.id,
  name: personalAccessTokens.name,
  prefix: personalAccessTokens.prefix,
  scopes: personalAccessTokens.scopes,
  createdAt: personalAccessTokens.createdAt,
  lastUsedAt: personalAccessTokens.lastUsedAt,
  expiresAt: personalAccessTokens.expiresAt,
};

export async function listAccessTokens(services: Services, userId: string) {
  return services.db
    .select(TOKEN_VIEW_COLUMNS)
    .from(personalAccessTokens)
    .where(and(eq(personalAccessTokens.userId, userId), isNull(personalAccessTokens.revokedAt)))
    .orderBy(desc(personalAccessTokens.createdAt))
    .limit(MAX_TOKENS_PER_USER);
}

/** Revoke one of the user's tokens; false when it is not theirs (or already revoked). */
export async function revokeAccessToken(services: Services, meta: RequestMeta, userId: string, id: string): Promise<boolean> {
  const revoked = await services.db.transaction(async (tx) => {
    const rows = await tx
      .update(personalAccessTokens)
      .set({ revokedAt: services.clock.now() })
      .where(and(eq(personalAccessTokens.id, id), eq(personalAccessTokens.userId, userId), isNull(personalAccessTokens.revokedAt)))
      .returning({ id: personalAccessTokens.id });
    if (rows.length) await writeAuthLog(tx, services, meta, { type: "token_revoked", userId, success: true });
    return rows.length > 0;
  });
  // open streams on every instance end (revocation.ts watches token ids like session ids)
  if (revoked) await publishSessionsRevoked(services, { userId, sessionIds: [id], reason: "revoked" });
  return revoked;
}

/**
 * Who a bearer token stands for, or a refusal. A known token that is revoked, expired or whose account
 * is disabled is logged as `token_refused` (at most once a minute per token); an unknown one is not,
 * there being no account to attribute it to.
 */
export async function validateAccessToken(services: Services, meta: RequestMeta, token: string): Promise<TokenValidation> {
  if (!looksLikeAccessToken(token)) return { ok: false };
  const tokenHash = hashToken(token);
  const [row] = await services.db
    .select({
      id: personalAccessTokens.id,
      userId: personalAccessTokens.userId,
      tokenHash: personalAccessTokens.tokenHash,
      scopes: personalAccessTokens.scopes,
      createdAt: personalAccessTokens.createdAt,
      expiresAt: personalAccessTokens.expiresAt,
      revokedAt: personalAccessTokens.revokedAt,
      lastUsedAt: personalAccessTokens.lastUsedAt,
      email: users.email,
      emailVerified: users.emailVerified,
      userCreatedAt: users.createdAt,
      role: users.role,
      disabledAt: users.disabledAt,
    })
    .from(personalAccessTokens)
    .innerJoin(users, eq(users.id, personalAccessTokens.userId))
    .where(eq(personalAccessTokens.tokenHash, tokenHash))
    .limit(1);
  if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(tokenHash))) return { ok: false };
  const now = services.clock.now();
  const reason = row.revokedAt
    ? "token revoked"
    : row.disabledAt
      ? "account disabled"
      : row.expiresAt && now >= row.expiresAt
        ? "token expired"
        : null;
  if (reason) {
    const gate = await hitThrottle(services.db, REFUSAL_LOG_RULE, row.id, now);
    if (gate.allowed) await tryWriteAuthLog(services, meta, { type: "token_refused", userId: row.userId, success: false, reason });
    return { ok: false };
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) {
    await services.db.update(personalAccessTokens).set({ lastUsedAt: now }).where(eq(personalAccessTokens.id, row.id));
  }
  return {
    ok: true,
    token: { id: row.id, userId: row.userId, scopes: row.scopes, createdAt: row.createdAt, expiresAt: row.expiresAt },
    user: { id: row.userId, email: row.email, emailVerified: row.emailVerified, createdAt: row.userCreatedAt, role: row.role },
  };
}

/** Count one call against the token's per-minute budget. */
export function hitTokenThrottle(services: Services, tokenId: string): Promise<ThrottleResult> {
  return hitThrottle(services.db, TOKEN_CALLS_RULE, tokenId, services.clock.now());
}

/** When a token stops being valid (null: it no longer is), for the stream watcher. */
export async function accessTokenEnd(services: Services, tokenId: string): Promise<Date | "never" | null> {
  const [row] = await services.db
    .select({ expiresAt: personalAccessTokens.expiresAt, revokedAt: personalAccessTokens.revokedAt })
    .from(personalAccessTokens)
    .where(eq(personalAccessTokens.id, tokenId))
    .limit(1);
  if (!row || row.revokedAt) return null;
  return row.expiresAt ?? "never";
}

/**
 * Watch whatever authenticated a stream: the session, or the access token (whose revocation is
 * announced on the same channel). Its signal aborts when that credential ends on any instance.
 */
export function watchCredential(services: Services, caller: { session: { id: string }; token: AccessToken | null }): Promise<SessionWatch> {
  return caller.token ? watchSession(services, caller.token.id, accessTokenEnd) : watchSession(services, caller.session.id);
}
