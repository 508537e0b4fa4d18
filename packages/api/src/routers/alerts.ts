import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError, tracked } from "@trpc/server";
import { freshenCoin } from "../market/on-demand";
import { z } from "zod";
import { createAlert, deleteAlert, listAlerts, listTriggers, updateAlert, type AlertFailure } from "../alerts/alerts";
import { alertInput, alertPatch } from "../schemas";
import { alertTriggerStream } from "../alerts/stream";
import { SessionEndedError, watchSession } from "../auth/revocation";
import { protectedProcedure } from "../trpc";

function fail(f: AlertFailure): never {
  if (f.error === "invalid") {
    const first = f.issues.issues[0];
    // a ZodRealError is an Error, so it survives as the cause and the error formatter names the field
    throw new TRPCError({ code: "BAD_REQUEST", message: first?.message ?? "Invalid alert", cause: new z.ZodRealError(f.issues.issues) });
  }
  throw new TRPCError({ code: f.error === "not_found" ? "NOT_FOUND" : "BAD_REQUEST", message: f.message });
}

const id = z.uuid({ error: "Not an alert id" });

export const alertsRouter = {
  list: protectedProcedure.query(({ ctx }) => listAlerts(ctx.services.db, ctx.user.id, ctx.services.clock.now())),

  /** the alert and `warnings` when its rule is already true or can never be */
  create: protectedProcedure.input(alertInput).mutation(async ({ ctx, input }) => {
    // a coin outside the top 250 is priced now: thresholds are checked against its current price
    await freshenCoin(ctx.services, input.symbol);
    const r = await createAlert(ctx.services, ctx.user.id, input);
    if ("error" in r) fail(r);
    return { ...r.alert, warnings: r.warnings };
  }),

  update: protectedProcedure.input(alertPatch).mutation(async ({ ctx, input }) => {
    const r = await updateAlert(ctx.services, ctx.user.id, input);
    if ("error" in r) fail(r);
    return { ...r.alert, warnings: r.warnings };
  }),

  delete: protectedProcedure.input(z.strictObject({ id })).mutation(async ({ ctx, input }) => {
    if (!(await deleteAlert(ctx.services.db, ctx.user.id, input.id)))
      throw new TRPCError({ code: "NOT_FOUND", message: `No alert ${input.id}` });
    return { ok: true as const };
  }),

  /** the user's recent firings, newest first */
  triggers: protectedProcedure
    .input(
      z.strictObject({ limit: z.number().int().min(1).max(100).default(20), before: z.number().int().positive().optional() }).optional(),
    )
    .query(({ ctx, input }) => listTriggers(ctx.services.db, ctx.user.id, input?.limit ?? 20, input?.before)),

  /**
   * The user's own firings, live, from whichever instance found them; `lastEventId` (a trigger seq)
   * resumes after a drop. Ends when the session is revoked or expires.
   */
  onTriggered: protectedProcedure
    .input(
      z
        .strictObject({
          lastEventId: z
            .string()
            .regex(/^\d{1,15}$/, "Not an event id")
            .nullish(),
        })
        .optional(),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const watch = await watchSession(ctx.services, ctx.session.id);
      const stop = signal ? AbortSignal.any([signal, watch.signal]) : watch.signal;
      try {
        const lastEventId = input?.lastEventId ? Number(input.lastEventId) : null;
        for await (const t of alertTriggerStream(ctx.services, ctx.user.id, { lastEventId, signal: stop })) {
          yield tracked(String(t.seq), {
            alertId: t.alertId,
            symbol: t.symbol,
            type: t.type,
            value: t.value,
            description: t.description,
            triggeredAt: t.triggeredAt,
          });
        }
        if (watch.signal.aborted) {
          // tells the client not to reconnect with this session
          const reason = watch.signal.reason;
          throw new TRPCError({
            code: "UNAUTHORIZED",
            message: reason instanceof SessionEndedError ? reason.message : "The session ended.",
          });
        }
      } finally {
        watch.stop();
      }
    }),
} satisfies TRPCRouterRecord;
