import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { and, desc, eq, gt } from "drizzle-orm";
import { sessions } from "@ucie/db";
import { z, ZodError } from "zod";
import { normaliseAccessCode } from "../auth/access-codes";
import { tryWriteAuthLog } from "../auth/audit";
import { resendVerification, verifyEmailToken } from "../auth/email-verification";
import { attemptLogin } from "../auth/login";
import { isCommonPassword } from "../auth/password";
import { requestPasswordReset, resetPassword } from "../auth/password-reset";
import { registerUser } from "../auth/registration";
import { publishSessionsRevoked } from "../auth/revocation";
import { invalidateSession, invalidateUserSessions } from "../auth/session";
import { hitThrottles, THROTTLE_RULES, type ThrottleRule } from "../auth/throttle";
import type { Context } from "../context";
import { accessCode, anyPassword, email, emailToken, newPasswordLength } from "../schemas";
import { protectedProcedure, publicProcedure } from "../trpc";

// ---- inputs --------------------------------------------------------------------------------------
// the shared schemas (../schemas, also used by the web forms), and the one rule only the server can check
/** A new password: length rules and the common-password list, and nothing else (no composition rules). */
const newPassword = newPasswordLength.refine((p) => !isCommonPassword(p), "This password is on a list of common passwords: choose another");

// ---- helpers -------------------------------------------------------------------------------------
/** An error the form shows beside one field: the same shape as a zod failure (message and fieldErrors). */
function fieldError(code: "BAD_REQUEST" | "CONFLICT", field: string, message: string): TRPCError {
  return new TRPCError({
    code,
    message: `${field}: ${message}`,
    cause: new ZodError([{ code: "custom", path: [field], message, input: undefined }]),
  });
}

function tooManyRequests(ctx: Context, retryAfterSeconds: number): TRPCError {
  ctx.setHeader("Retry-After", String(retryAfterSeconds));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} seconds` : `${minutes} minutes`;
  return new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many attempts. Try again in ${wait}.` });
}

async function throttle(ctx: Context, what: string, checks: Array<[ThrottleRule, string | null | undefined]>): Promise<void> {
  const result = await hitThrottles(ctx.services.db, checks, ctx.services.clock.now());
  if (result.allowed) return;
  await tryWriteAuthLog(ctx.services, ctx.req, { type: "rate_limited", success: false, reason: what });
  throw tooManyRequests(ctx, result.retryAfterSeconds);
}

/** The cookie lives as long as the session could (its absolute end); the server enforces the idle timeout. */
function cookieExpiry(ctx: Context, createdAt: Date): Date {
  return new Date(createdAt.getTime() + ctx.services.sessionPolicy.absoluteLifetimeMs);
}

// ---- procedures ----------------------------------------------------------------------------------
export const authRouter = {
  me: publicProcedure.query(({ ctx }) =>
    ctx.user ? { id: ctx.user.id, email: ctx.user.email, emailVerified: ctx.user.emailVerified, createdAt: ctx.user.createdAt } : null,
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
      const result = await registerUser(
        ctx.services,
        { email: input.email, password: input.password, accessCode: normaliseAccessCode(input.accessCode) },
        ctx.req,
      );
      if (!result.ok) {
        if (result.reason === "code")
          throw fieldError("BAD_REQUEST", "accessCode", "This access code is not valid or has already been used");
        throw fieldError("BAD_REQUEST", "email", "An account with this e-mail address already exists: log in or reset your password");
      }
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
    await throttle(ctx, "resend verification", [
      [THROTTLE_RULES.mailAddress, input.email],
      [THROTTLE_RULES.mailIp, ctx.req.ip],
    ]);
    await resendVerification(ctx.services, input.email, ctx.req);
    return { ok: true as const };
  }),

  login: publicProcedure.input(z.object({ email, password: anyPassword })).mutation(async ({ ctx, input }) => {
    const result = await attemptLogin(ctx.services, input, ctx.req);
    if (!result.ok) {
      if (result.reason === "throttled") throw tooManyRequests(ctx, result.retryAfterSeconds);
      if (result.reason === "unverified") {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: "Confirm your e-mail address first: open the link we sent you, or ask for a new one.",
        });
      }
      throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong e-mail or password" });
    }
    // whatever session this browser had before is ended: one cookie, one fresh session
    if (ctx.session) {
      await invalidateSession(ctx.services.db, ctx.session.id);
      await publishSessionsRevoked(ctx.services, { userId: ctx.session.userId, sessionIds: [ctx.session.id], reason: "logout" });
    }
    ctx.cookie.set(result.token, cookieExpiry(ctx, result.session.createdAt));
    return result.user;
  }),

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
    await throttle(ctx, "password reset request", [
      [THROTTLE_RULES.mailAddress, input.email],
      [THROTTLE_RULES.mailIp, ctx.req.ip],
    ]);
    await requestPasswordReset(ctx.services, input.email, ctx.req);
    return { ok: true as const };
  }),

  resetPassword: publicProcedure.input(z.object({ token: emailToken, password: newPassword })).mutation(async ({ ctx, input }) => {
    await throttle(ctx, "password reset", [[THROTTLE_RULES.tokenIp, ctx.req.ip]]);
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
