import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { disableTwoFactor, enableTwoFactor, setupTwoFactor, twoFactorStatus } from "../auth/two-factor";
import { anyPassword, totpCode } from "../schemas";
import { protectedProcedure } from "../trpc";
import { fieldError, tooManyRequests } from "./errors";

/** auth.twoFactor.*: set-up, enable and disable of TOTP sign-in for the signed-in user. */
export const twoFactorRouter = {
  status: protectedProcedure.query(({ ctx }) => twoFactorStatus(ctx.services, ctx.user.id)),

  setup: protectedProcedure.mutation(async ({ ctx }) => {
    const result = await setupTwoFactor(ctx.services, ctx.user.id, ctx.req);
    if (!result.ok) throw new TRPCError({ code: "CONFLICT", message: "Two-factor sign-in is already on: turn it off first" });
    return { secret: result.secret, uri: result.uri };
  }),

  enable: protectedProcedure.input(z.object({ code: totpCode })).mutation(async ({ ctx, input }) => {
    const result = await enableTwoFactor(ctx.services, ctx.user.id, input.code, ctx.req);
    if (result.ok) return { recoveryCodes: result.recoveryCodes };
    if (result.reason === "throttled") throw tooManyRequests(ctx, result.retryAfterSeconds);
    if (result.reason === "already-enabled") throw new TRPCError({ code: "CONFLICT", message: "Two-factor sign-in is already on" });
    if (result.reason === "not-set-up") throw new TRPCError({ code: "BAD_REQUEST", message: "Start the set-up first" });
    throw fieldError("BAD_REQUEST", "code", "This code is not right: check the time on your phone and try the next one");
  }),

  disable: protectedProcedure
    .input(
      z.object({
        password: anyPassword,
        // a current code, or one unused recovery code when the phone is gone
        code: z.string().trim().min(6, "Enter a code from your authenticator app").max(20, "Enter a code from your authenticator app"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await disableTwoFactor(ctx.services, ctx.user.id, input, ctx.req);
      if (result.ok) return { ok: true as const };
      if (result.reason === "throttled") throw tooManyRequests(ctx, result.retryAfterSeconds);
      if (result.reason === "not-enabled") throw new TRPCError({ code: "BAD_REQUEST", message: "Two-factor sign-in is not on" });
      if (result.reason === "wrong-password") throw fieldError("BAD_REQUEST", "password", "This is not your current password");
      throw fieldError("BAD_REQUEST", "code", "This code is not right, or was already used");
    }),
} satisfies TRPCRouterRecord;
