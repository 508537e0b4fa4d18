import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { and, desc, eq, gt } from "drizzle-orm";
import { sessions } from "@ucie/db";
import { z } from "zod";
import { normaliseAccessCode } from "../auth/access-codes";
import { tryWriteAuthLog } from "../auth/audit";
import { resendVerification, verifyEmailToken } from "../auth/email-verification";
import { attemptLogin } from "../auth/login";
import { changePassword, deleteAccount, exportAccountData, type PasswordCheck } from "../auth/account";
import { emailForResetToken, requestPasswordReset, resetPassword } from "../auth/password-reset";
import { PASSWORD_PROBLEM_MESSAGES } from "../auth/password-strength";
import { registerUser } from "../auth/registration";
import { publishSessionsRevoked } from "../auth/revocation";
import { invalidateSession, invalidateUserSessions } from "../auth/session";
import { hitThrottles, ipBucket, THROTTLE_RULES, type ThrottleRule } from "../auth/throttle";
import { CHALLENGE_COOKIE_PREFIX, verifyTwoFactor } from "../auth/two-factor";
import type { Context } from "../context";
import { accessCode, anyPassword, email, emailToken, newPasswordLength, recoveryCode, totpCode } from "../schemas";
import { protectedProcedure, publicProcedure } from "../trpc";
import { fieldError, tooManyRequests } from "./errors";
import { twoFactorRouter } from "./two-factor";
import { accessTokensRouter } from "./access-tokens";

// ---- inputs --------------------------------------------------------------------------------------
// the shared schemas (../schemas, also used by the web forms)
/**
 * A new password: the length rules here, no composition rules; the breached list and the strength
 * estimate come after parsing (requireStrongPassword), since they know the e-mail and load lazily.
 */
const newPassword = newPasswordLength;

// ---- helpers -------------------------------------------------------------------------------------
async function throttle(ctx: Context, what: string, checks: Array<[ThrottleRule, string | null | undefined]>): Promise<void> {
  const result = await hitThrottles(ctx.services.db, checks, ctx.services.clock.now());
  if (result.allowed) return;
  if (result.firstRefusal) await tryWriteAuthLog(ctx.services, ctx.req, { type: "rate_limited", success: false, reason: what });
  throw tooManyRequests(ctx, result.retryAfterSeconds);
}

/** Refuse a breached or easily guessed password, naming the field it came in. */
async function requireStrongPassword(ctx: Context, field: string, password: string, email: string | null): Promise<void> {
  const problem = await ctx.services.passwords.check(password, email ? [email] : []);
  if (problem) throw fieldError("BAD_REQUEST", field, PASSWORD_PROBLEM_MESSAGES[problem]);
}

/** A wrong password re-entered inside a session: the error names the field; too many tries, 429. */
function refuseReauth(ctx: Context, check: Exclude<PasswordCheck, { ok: true }>, field: string): TRPCError {
  if (check.reason === "throttled") return tooManyRequests(ctx, check.retryAfterSeconds);
  return fieldError("BAD_REQUEST", field, "This is not your current password");
}

/**
 * May we send the mail asked for? Asking is never refused (the answer is `{ ok: true }` either way), so
 * nobody can stop the owner from asking; what is capped is the mail sent, per address and per address
 * from one place, so a stranger cannot flood an inbox or use up the owner's own requests from elsewhere.
 */
async function mayMail(ctx: Context, what: string, email: string): Promise<boolean> {
  const ip = ctx.req.ip ? ipBucket(ctx.req.ip) : "unknown";
  const result = await hitThrottles(
    ctx.services.db,
    [
      [THROTTLE_RULES.mailIp, ctx.req.ip],
      [THROTTLE_RULES.mailAddressIp, `${email}|${ip}`],
      [THROTTLE_RULES.mailAddress, email],
    ],
    ctx.services.clock.now(),
  );
  if (!result.allowed && result.firstRefusal) {
    await tryWriteAuthLog(ctx.services, ctx.req, { type: "rate_limited", success: false, reason: `${what}: not sent` });
  }
  return result.allowed;
}

/** The cookie lives as long as the session could (its absolute end); the server enforces the idle timeout. */
function cookieExpiry(ctx: Context, createdAt: Date): Date {
  return new Date(createdAt.getTime() + ctx.services.sessionPolicy.absoluteLifetimeMs);
}

// ---- procedures ----------------------------------------------------------------------------------
export const authRouter = {
  me: publicProcedure.query(({ ctx }) =>
    ctx.user
      ? {
          id: ctx.user.id,
          email: ctx.user.email,
          emailVerified: ctx.user.emailVerified,
          createdAt: ctx.user.createdAt,
          role: ctx.user.role,
        }
      : null,
  ),

  register: publicProcedure
    .input(
      z.object({
        email,
        password: newPassword,
        accessCode,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await throttle(ctx, "register", [[THROTTLE_RULES.registerIp, ctx.req.ip]]);
      await requireStrongPassword(ctx, "password", input.password, input.email);
      const result = await registerUser(
        ctx.services,
        { email: input.email, password: input.password, accessCode: normaliseAccessCode(input.accessCode) },
        ctx.req,
      );
      // an address that already has an account gets the same answer as a new one (its owner is e-mailed)
      if (!result.ok) throw fieldError("BAD_REQUEST", "accessCode", "This access code is not valid or has already been used");
      return result.user;
    }),

  verifyEmail: publicProcedure.input(z.object({ token: emailToken })).mutation(async ({ ctx, input }) => {
    await throttle(ctx, "verify", [[THROTTLE_RULES.tokenIp, ctx.req.ip]]);
    const userId = await verifyEmailToken(ctx.services, input.token, ctx.req);
    if (!userId) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "This confirmation link has expired or was already used. Log in, or ask for a new link.",
      });
    }
    return { verified: true as const };
  }),

  resendVerification: publicProcedure.input(z.object({ email })).mutation(async ({ ctx, input }) => {
    if (await mayMail(ctx, "resend verification", input.email)) await resendVerification(ctx.services, input.email, ctx.req);
    return { ok: true as const };
  }),

  login: publicProcedure.input(z.object({ email, password: anyPassword })).mutation(async ({ ctx, input }) => {
    const result = await attemptLogin(ctx.services, input, ctx.req, ctx.device.value);
    if (!result.ok) {
      if (result.reason === "throttled") throw tooManyRequests(ctx, result.retryAfterSeconds);
      if (result.reason === "unverified") {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: "Confirm your e-mail address first: open the link we sent you, or ask for a new one.",
        });
      }
      if (result.reason === "disabled") throw new TRPCError({ code: "FORBIDDEN", message: "This account is disabled" });
      throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong e-mail or password" });
    }
    // whatever session this browser had before is ended: one cookie, one fresh session
    if (ctx.session) {
      await invalidateSession(ctx.services.db, ctx.session.id);
      await publishSessionsRevoked(ctx.services, { userId: ctx.session.userId, sessionIds: [ctx.session.id], reason: "logout" });
    }
    if (result.ok === "two-factor") {
      // no session yet: the cookie holds the pending login until verifyTwoFactor completes it
      ctx.cookie.set(CHALLENGE_COOKIE_PREFIX + result.challenge.token, result.challenge.expiresAt);
      return { twoFactorRequired: true as const };
    }
    ctx.cookie.set(result.token, cookieExpiry(ctx, result.session.createdAt));
    ctx.device.set(result.device.value, result.device.expires);
    return result.user;
  }),

  verifyTwoFactor: publicProcedure
    .input(
      z
        .object({
          code: totpCode.optional(),
          recoveryCode: recoveryCode.optional(),
        })
        .refine((i) => (i.code === undefined) !== (i.recoveryCode === undefined), {
          message: "Enter either a code or a recovery code",
          path: ["code"],
        }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await verifyTwoFactor(ctx.services, ctx.twoFactorChallenge, input, ctx.req);
      if (!result.ok) {
        if (result.reason === "throttled") throw tooManyRequests(ctx, result.retryAfterSeconds);
        if (result.reason === "expired") {
          if (ctx.twoFactorChallenge) ctx.cookie.clear();
          throw new TRPCError({ code: "UNAUTHORIZED", message: "This sign-in has expired: log in again with your password" });
        }
        throw input.code !== undefined
          ? fieldError("BAD_REQUEST", "code", "This code is not right, or was already used: wait for the next one")
          : fieldError("BAD_REQUEST", "recoveryCode", "This recovery code is not right, or was already used");
      }
      ctx.cookie.set(result.token, cookieExpiry(ctx, result.session.createdAt));
      ctx.device.set(result.device.value, result.device.expires);
      return result.user;
    }),

  twoFactor: twoFactorRouter,
  tokens: accessTokensRouter,

  changePassword: protectedProcedure.input(z.object({ currentPassword: anyPassword, newPassword })).mutation(async ({ ctx, input }) => {
    await requireStrongPassword(ctx, "newPassword", input.newPassword, ctx.user.email);
    const result = await changePassword(
      ctx.services,
      { userId: ctx.user.id, keepSessionId: ctx.session.id, currentPassword: input.currentPassword, newPassword: input.newPassword },
      ctx.req,
    );
    if (!result.ok) throw refuseReauth(ctx, result, "currentPassword");
    return { ok: true as const };
  }),

  deleteAccount: protectedProcedure.input(z.object({ password: anyPassword })).mutation(async ({ ctx, input }) => {
    const result = await deleteAccount(ctx.services, { userId: ctx.user.id, password: input.password }, ctx.req);
    if (!result.ok && result.reason === "last-admin")
      throw new TRPCError({ code: "CONFLICT", message: "You are the only admin: make another account admin before deleting yours." });
    if (!result.ok) throw refuseReauth(ctx, result, "password");
    ctx.cookie.clear();
    return { ok: true as const };
  }),

  exportData: protectedProcedure.query(({ ctx }) => exportAccountData(ctx.services, ctx.user.id, ctx.req)),

  logout: protectedProcedure.mutation(async ({ ctx }) => {
    await invalidateSession(ctx.services.db, ctx.session.id);
    await publishSessionsRevoked(ctx.services, { userId: ctx.user.id, sessionIds: [ctx.session.id], reason: "logout" });
    ctx.cookie.clear();
    await tryWriteAuthLog(ctx.services, ctx.req, { type: "logout", userId: ctx.user.id, success: true });
    return { ok: true as const };
  }),

  /** "Log out everywhere": every session of the account, this one included. */
  logoutAll: protectedProcedure.mutation(async ({ ctx }) => {
    const sessionIds = await invalidateUserSessions(ctx.services.db, ctx.user.id);
    await publishSessionsRevoked(ctx.services, { userId: ctx.user.id, sessionIds, reason: "revoked" });
    ctx.cookie.clear();
    await tryWriteAuthLog(ctx.services, ctx.req, {
      type: "logout",
      userId: ctx.user.id,
      success: true,
      reason: `all sessions (${sessionIds.length})`,
    });
    return { ok: true as const, ended: sessionIds.length };
  }),

  sessions: protectedProcedure.query(async ({ ctx }) => {
    const rows = await ctx.services.db
      .select({
        id: sessions.id,
        createdAt: sessions.createdAt,
        expiresAt: sessions.expiresAt,
        userAgent: sessions.userAgent,
        ip: sessions.ipAddress,
      })
      .from(sessions)
      .where(and(eq(sessions.userId, ctx.user.id), gt(sessions.expiresAt, ctx.services.clock.now())))
      .orderBy(desc(sessions.createdAt))
      .limit(200);
    return rows.map((r) => ({ ...r, current: r.id === ctx.session.id }));
  }),

  revokeSession: protectedProcedure.input(z.object({ id: z.uuid("Not a session id") })).mutation(async ({ ctx, input }) => {
    // the user id is part of the delete itself: another user's session id is simply not found
    const found = await invalidateSession(ctx.services.db, input.id, ctx.user.id);
    if (!found) throw new TRPCError({ code: "NOT_FOUND", message: `No session '${input.id}'` });
    await publishSessionsRevoked(ctx.services, { userId: ctx.user.id, sessionIds: [input.id], reason: "revoked" });
    if (input.id === ctx.session.id) ctx.cookie.clear();
    await tryWriteAuthLog(ctx.services, ctx.req, { type: "session_revoked", userId: ctx.user.id, success: true });
    return { ok: true as const };
  }),

  requestPasswordReset: publicProcedure.input(z.object({ email })).mutation(async ({ ctx, input }) => {
    if (await mayMail(ctx, "password reset request", input.email)) await requestPasswordReset(ctx.services, input.email, ctx.req);
    return { ok: true as const };
  }),

  resetPassword: publicProcedure.input(z.object({ token: emailToken, password: newPassword })).mutation(async ({ ctx, input }) => {
    await throttle(ctx, "password reset", [[THROTTLE_RULES.tokenIp, ctx.req.ip]]);
    await requireStrongPassword(ctx, "password", input.password, await emailForResetToken(ctx.services, input.token));
    const ok = await resetPassword(ctx.services, input, ctx.req);
    if (!ok) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "This reset link has expired or was already used. Ask for a new one.",
      });
    }
    // the browser that reset the password logs in afresh like every other
    ctx.cookie.clear();
    return { ok: true as const };
  }),
} satisfies TRPCRouterRecord;
