import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError, tracked } from "@trpc/server";
import { freshenCoin } from "../market/on-demand";
import { z } from "zod";
import { createAlert, deleteAlert, listAlerts, listTriggers, updateAlert, type AlertFailure, type AlertView } from "../alerts/alerts";
import { alertInput, alertPatch, alertPreviewInput } from "../schemas";
import { previewAlert } from "../alerts/preview";
import { fieldError } from "./errors";
import { alertTriggerStream } from "../alerts/stream";
import { SessionEndedError } from "../auth/revocation";
import { watchCredential } from "../auth/access-tokens";
import { converterForUser, moneyText, withPrice, type Converter } from "../preferences/preferences";
import { describeRule } from "../alerts/rules";
import { protectedProcedure } from "../trpc";

function fail(f: AlertFailure): never {
  if (f.error === "invalid") {
    const first = f.issues.issues[0];
    // a ZodRealError is an Error, so it survives as the cause and the error formatter names the field
    throw new TRPCError({ code: "BAD_REQUEST", message: first?.message ?? "Invalid alert", cause: new z.ZodRealError(f.issues.issues) });
  }
  const code = f.error === "not_found" ? "NOT_FOUND" : f.error === "conflict" ? "CONFLICT" : "BAD_REQUEST";
  throw new TRPCError({ code, message: f.message });
}

const id = z.uuid({ error: "Not an alert id" });

/** `price` and `currency` beside `priceUsd`; a price rule described in the user's currency (its line stays stored in USD) */
function shownIn<A extends AlertView>(a: A, c: Converter) {
  const description =
    a.unit === "usd" && a.threshold !== null && c.currency !== "usd"
      ? describeRule(a.type, a.symbol, a.threshold, a.condition, moneyText(c))
      : a.description;
  return { ...withPrice(a, c), description };
}

export const alertsRouter = {
  /** alerts carry `price` and `currency` (the user's) beside `priceUsd`; thresholds stay in USD */
  list: protectedProcedure.query(async ({ ctx }) => {
    const [alerts, c] = await Promise.all([
      listAlerts(ctx.services.db, ctx.user.id, ctx.services.clock.now()),
      converterForUser(ctx.services, ctx.user.id),
    ]);
    return alerts.map((a) => shownIn(a, c));
  }),

  /** the alert and `warnings` when its rule is already true or can never be */
  create: protectedProcedure.input(alertInput).mutation(async ({ ctx, input }) => {
    // a coin outside the top 250 is priced now: thresholds are checked against its current price (market-wide rules have no coin)
    if (input.symbol) await freshenCoin(ctx.services, input.symbol);
    const r = await createAlert(ctx.services, ctx.user.id, input);
    if ("error" in r) fail(r);
    return { ...shownIn(r.alert, await converterForUser(ctx.services, ctx.user.id)), warnings: r.warnings };
  }),

  update: protectedProcedure.input(alertPatch).mutation(async ({ ctx, input }) => {
    const r = await updateAlert(ctx.services, ctx.user.id, input);
    if ("error" in r) fail(r);
    return { ...shownIn(r.alert, await converterForUser(ctx.services, ctx.user.id)), warnings: r.warnings };
  }),

  /** how often the rule would have fired over the last `days` of daily history, replayed with the evaluator's decision */
  preview: protectedProcedure.input(alertPreviewInput).query(async ({ ctx, input, signal }) => {
    const r = await previewAlert(ctx.services, input, signal);
    if ("error" in r) {
      if (r.error === "invalid") throw fieldError("BAD_REQUEST", r.field, r.message);
      throw new TRPCError({ code: "NOT_FOUND", message: r.message });
    }
    return r;
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
    .query(async ({ ctx, input }) => {
      const money = moneyText(await converterForUser(ctx.services, ctx.user.id));
      return listTriggers(ctx.services.db, ctx.user.id, input?.limit ?? 20, input?.before, money);
    }),

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
      const watch = await watchCredential(ctx.services, ctx);
      const stop = signal ? AbortSignal.any([signal, watch.signal]) : watch.signal;
      try {
        const lastEventId = input?.lastEventId ? Number(input.lastEventId) : null;
        const money = moneyText(await converterForUser(ctx.services, ctx.user.id));
        for await (const t of alertTriggerStream(ctx.services, ctx.user.id, { lastEventId, signal: stop, money })) {
          yield tracked(String(t.seq), {
            alertId: t.alertId,
            symbol: t.symbol,
            type: t.type,
            value: t.value,
            source: t.source,
            valueLabel: t.valueLabel,
            description: t.description,
            triggeredAt: t.triggeredAt,
          });
        }
        if (watch.signal.aborted) {
          // tells the client not to reconnect with this session
          const reason: unknown = watch.signal.reason;
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
