import type { TRPCRouterRecord } from "@trpc/server";
import { tracked, TRPCError } from "@trpc/server";
import { z } from "zod";
import { readCachedAnalysis } from "../analysis/cache";
import { phaseFromLastEventId, streamAnalysis } from "../analysis/engine";
import { admitAnalysis } from "../analysis/limits";
import { loadStoredPhases } from "../analysis/phase-store";
import { analysisSessionId, ANALYSIS_TYPES, symbol } from "../schemas";
import { resolveCoin } from "../market/resolve";
import { SessionEndedError } from "../auth/revocation";
import { watchCredential } from "../auth/access-tokens";
import { protectedProcedure } from "../trpc";

const unknownCoin = (s: string) => new TRPCError({ code: "NOT_FOUND", message: `No coin '${s}' in the catalogue` });

export const analysisRouter = {
  /**
   * The four phases of one coin's analysis, each as `tracked("<sessionId>:<phase>", event)`, then the
   * end of the stream. Reconnects (lastEventId) get only later phases; a stored session replays first.
   */
  stream: protectedProcedure
    .input(
      z.strictObject({
        symbol,
        sessionId: analysisSessionId,
        refresh: z.boolean().optional(),
        lastEventId: z.string().max(100).nullish(),
      }),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const found = await resolveCoin(ctx.services.db, input.symbol);
      if (!found) throw unknownCoin(input.symbol);
      const admission = await admitAnalysis(ctx.services, ctx.user.id, {
        refresh: input.refresh ?? false,
        // a resume is free only when there is something stored to resume: a made-up lastEventId counts in full
        resuming:
          phaseFromLastEventId(input.lastEventId, input.sessionId) > 0 &&
          (await loadStoredPhases(ctx.services.db, input.sessionId, found.coingeckoId, ctx.services.clock.now())).size > 0,
      });
      if (!admission.ok) {
        const wait =
          admission.retryAfterSeconds < 90
            ? `${admission.retryAfterSeconds} seconds`
            : `${Math.ceil(admission.retryAfterSeconds / 60)} minutes`;
        throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many ${admission.what} at once: try again in ${wait}` });
      }
      // a coin outside the top 250 is priced on demand before its analysis reads the catalogue
      const coin = await ctx.services.caches.onDemand.freshen(found);
      // a revoked or logged-out session ends its streams on every instance
      const watch = await watchCredential(ctx.services, ctx);
      const stop = signal ? AbortSignal.any([signal, watch.signal]) : watch.signal;
      try {
        const phases = streamAnalysis(ctx.services, {
          coin,
          sessionId: input.sessionId,
          refresh: input.refresh ?? false,
          afterPhase: phaseFromLastEventId(input.lastEventId, input.sessionId),
          signal: stop,
        });
        try {
          for await (const event of phases) yield tracked(`${input.sessionId}:${event.phase}`, event);
        } catch (err) {
          if (!stop.aborted) throw err;
        }
        if (watch.signal.aborted) {
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

  /** The cached analysis of one type for a coin, or null when there is none (or it expired). */
  get: protectedProcedure.input(z.strictObject({ symbol, type: z.enum(ANALYSIS_TYPES) })).query(async ({ ctx, input }) => {
    const coin = await resolveCoin(ctx.services.db, input.symbol);
    if (!coin) throw unknownCoin(input.symbol);
    const row = await readCachedAnalysis(ctx.services.db, coin.coingeckoId, input.type, ctx.services.clock.now());
    ctx.services.telemetry.cache(input.type, row ? "hit" : "miss");
    return row ? { id: coin.coingeckoId, symbol: coin.symbol, type: input.type, ...row } : null;
  }),
} satisfies TRPCRouterRecord;
