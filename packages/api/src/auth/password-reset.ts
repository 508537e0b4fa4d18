/**
 * Password reset: an e-mailed single-use link (1 h, stored hashed). Using it is a claim
 * (`UPDATE ... WHERE used_at IS NULL AND expires_at > now RETURNING`), so of two concurrent uses exactly
 * one wins; the winner's transaction also sets the password and ends every session of the account.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import { passwordResetTokens, users } from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";
import { tryWriteAuthLog } from "./audit";
import { resetEmail, sendInBackground } from "./emails";
import { hashPassword } from "./password";
import { publishSessionsRevoked } from "./revocation";
import { hashToken, invalidateUserSessions } from "./session";
import { generateEmailToken, RESET_TTL_MS } from "./tokens";

/** E-mail a reset link when the address has an account; the caller answers { ok: true } either way. */
export async function requestPasswordReset(services: Services, email: string, meta: RequestMeta): Promise<void> {
  const { db, clock } = services;
  const [user] = await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, email)).limit(1);
  if (!user) {
    await tryWriteAuthLog(services, meta, { type: "password_reset_requested", success: false, reason: "no such account" });
    return;
  }
  const now = clock.now();
  const { token, hash } = generateEmailToken();
  await db.insert(passwordResetTokens).values({
    userId: user.id,
    tokenHash: hash,
    createdAt: now,
    expiresAt: new Date(now.getTime() + RESET_TTL_MS),
  });
  await tryWriteAuthLog(services, meta, { type: "password_reset_requested", userId: user.id, success: true });
  void sendInBackground(services, resetEmail(services.config.publicUrl, user.email, token));
}

/** Set a new password with a reset token. Returns false when the token is unknown, used or expired. */
export async function resetPassword(services: Services, input: { token: string; password: string }, meta: RequestMeta): Promise<boolean> {
  const { db, clock } = services;
  const passwordHash = await hashPassword(input.password);
  const now = clock.now();
  const result = await db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(passwordResetTokens.tokenHash, hashToken(input.token)),
          isNull(passwordResetTokens.usedAt),
          gt(passwordResetTokens.expiresAt, now),
        ),
      )
      .returning({ userId: passwordResetTokens.userId });
    if (!claimed) return null;
    // the link came through the mailbox, so the address is proven too
    await tx.update(users).set({ passwordHash, emailVerified: true, updatedAt: now }).where(eq(users.id, claimed.userId));
    // any other outstanding link of this account dies with this one
    await tx
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordResetTokens.userId, claimed.userId), isNull(passwordResetTokens.usedAt)));
    const sessionIds = await invalidateUserSessions(tx, claimed.userId);
    return { userId: claimed.userId, sessionIds };
  });
  if (!result) {
    await tryWriteAuthLog(services, meta, { type: "password_reset", success: false, reason: "token unknown, used or expired" });
    return false;
  }
  await publishSessionsRevoked(services, { userId: result.userId, sessionIds: result.sessionIds, reason: "password_reset" });
  await tryWriteAuthLog(services, meta, { type: "password_reset", userId: result.userId, success: true });
  return true;
}

/** The address a reset link belongs to, while it is usable (so the new password can be checked against it). */
export async function emailForResetToken(services: Services, token: string): Promise<string | null> {
  const [row] = await services.db
    .select({ email: users.email })
    .from(passwordResetTokens)
    .innerJoin(users, eq(users.id, passwordResetTokens.userId))
    .where(
      and(
        eq(passwordResetTokens.tokenHash, hashToken(token)),
        isNull(passwordResetTokens.usedAt),
        gt(passwordResetTokens.expiresAt, services.clock.now()),
      ),
    )
    .limit(1);
  return row?.email ?? null;
}
