/** `admin.*`: the admin area. Every procedure is an adminProcedure (FORBIDDEN to others); domain code in admin/. */
import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { adminCreateCodes, adminRevokeCode, listAdminCodes } from "../admin/access-codes";
import type { AdminActor } from "../admin/audit";
import { authLogCsv, listAuthLog } from "../admin/auth-log";
import { readHealth } from "../admin/health";
import { listJobs, runJobNow } from "../admin/jobs";
import { adminSchemas, authLogPage } from "../admin/schemas";
import { adminDeleteUser, adminEndSessions, adminSetDisabled, adminSetRole, listAdminUsers, type AdminUserResult } from "../admin/users";
import type { Context } from "../context";
import { adminProcedure } from "../trpc";
import { fieldError } from "./errors";

const actor = (ctx: Context & { user: { id: string } }): AdminActor => ({ id: ctx.user.id, meta: ctx.req });

function orThrow(result: AdminUserResult): { ok: true; sessionsEnded?: number } {
  if (result.ok) return result;
  if (result.reason === "unknown") throw new TRPCError({ code: "NOT_FOUND", message: "No such account." });
  if (result.reason === "confirmation") throw fieldError("BAD_REQUEST", "confirmEmail", "Type the account's e-mail address to confirm");
  throw new TRPCError({ code: "CONFLICT", message: "This is the last admin: promote another account first." });
}

export const adminRouter = {
  accessCodes: adminProcedure.input(adminSchemas.page).query(({ ctx, input }) => listAdminCodes(ctx.services, input)),
  createAccessCodes: adminProcedure
    .input(adminSchemas.createCodes)
    .mutation(({ ctx, input }) => adminCreateCodes(ctx.services, actor(ctx), input)),
  revokeAccessCode: adminProcedure.input(adminSchemas.codeId).mutation(async ({ ctx, input }) => {
    const result = await adminRevokeCode(ctx.services, actor(ctx), input.id);
    if (result.ok) return result;
    if (result.reason === "unknown") throw new TRPCError({ code: "NOT_FOUND", message: "No such access code, or it is revoked already." });
    throw new TRPCError({ code: "CONFLICT", message: "This code has been used already." });
  }),

  users: adminProcedure.input(adminSchemas.users).query(({ ctx, input }) => listAdminUsers(ctx.services, input)),
  disableUser: adminProcedure
    .input(adminSchemas.userId)
    .mutation(async ({ ctx, input }) => orThrow(await adminSetDisabled(ctx.services, actor(ctx), input.userId, true))),
  enableUser: adminProcedure
    .input(adminSchemas.userId)
    .mutation(async ({ ctx, input }) => orThrow(await adminSetDisabled(ctx.services, actor(ctx), input.userId, false))),
  endUserSessions: adminProcedure
    .input(adminSchemas.userId)
    .mutation(async ({ ctx, input }) => orThrow(await adminEndSessions(ctx.services, actor(ctx), input.userId))),
  deleteUser: adminProcedure
    .input(adminSchemas.deleteUser)
    .mutation(async ({ ctx, input }) => orThrow(await adminDeleteUser(ctx.services, actor(ctx), input.userId, input.confirmEmail))),
  setRole: adminProcedure
    .input(adminSchemas.setRole)
    .mutation(async ({ ctx, input }) => orThrow(await adminSetRole(ctx.services, actor(ctx), input.userId, input.role))),

  authLog: adminProcedure.input(authLogPage).query(({ ctx, input }) => listAuthLog(ctx.services, input)),
  authLogCsv: adminProcedure.input(adminSchemas.authLogFilter).mutation(({ ctx, input }) => authLogCsv(ctx.services, actor(ctx), input)),

  jobs: adminProcedure.query(({ ctx }) => listJobs(ctx.services)),
  runJob: adminProcedure.input(adminSchemas.job).mutation(async ({ ctx, input }) => {
    const result = await runJobNow(ctx.services, actor(ctx), input.job);
    if (!result.ok) throw new TRPCError({ code: "NOT_FOUND", message: `No job named ${input.job}.` });
    return { tickKey: result.tickKey };
  }),

  health: adminProcedure.query(({ ctx }) => readHealth(ctx.services)),
} satisfies TRPCRouterRecord;
