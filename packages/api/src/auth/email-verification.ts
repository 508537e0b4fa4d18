/** E-mail verification: a single-use token (stored hashed in users.verification_token), 24 h. */
import { and, eq, gt } from "drizzle-orm";
import { users } from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";
import { tryWriteAuthLog } from "./audit";
import { sendInBackground, verificationEmail } from "./emails";
import { hashToken } from "./session";
import { generateEmailToken, VERIFICATION_TTL_MS } from "./tokens";

/** Mail the link; the `verification_sent` row is written once the mail is out. */
export function sendVerification(services: Services, user: { id: string; email: string }, token: string, meta: RequestMeta): Promise<void> {
  return sendInBackground(services, verificationEmail(services.config.publicUrl, user.email, token), () =>
    tryWriteAuthLog(services, meta, { type: "verification_sent", userId: user.id, success: true }),
  );
}

/** Use a verification token. Returns the user id, or null when it is unknown, used or expired. */
export async function verifyEmailToken(services: Services, token: string, meta: RequestMeta): Promise<string | null> {
  const now = services.clock.now();
  const [row] = await services.db
    .update(users)
    .set({ emailVerified: true, verificationToken: null, verificationExpiresAt: null, updatedAt: now })
    .where(and(eq(users.verificationToken, hashToken(token)), gt(users.verificationExpiresAt, now)))
    .returning({ id: users.id });
  await tryWriteAuthLog(services, meta, {
    type: "email_verified",
    userId: row?.id ?? null,
    success: !!row,
    reason: row ? undefined : "token unknown, used or expired",
  });
  return row?.id ?? null;
}

/**
 * A fresh link for an unverified account (the old one stops working). Says nothing about whether the
 * address has an account: the caller always answers { ok: true }.
 */
export async function resendVerification(services: Services, email: string, meta: RequestMeta): Promise<void> {
  const now = services.clock.now();
  const fresh = generateEmailToken();
  const [user] = await services.db
    .update(users)
    .set({ verificationToken: fresh.hash, verificationExpiresAt: new Date(now.getTime() + VERIFICATION_TTL_MS), updatedAt: now })
    .where(and(eq(users.email, email), eq(users.emailVerified, false)))
    .returning({ id: users.id, email: users.email });
  if (!user) {
    await tryWriteAuthLog(services, meta, { type: "verification_sent", success: false, reason: "no unverified account" });
    return;
  }
  void sendVerification(services, user, fresh.token, meta);
}
