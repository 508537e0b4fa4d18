import type { TRPCRouterRecord } from "@trpc/server";
import { preferencesPatch } from "../schemas";
import { getPreferences, loadRates, updatePreferences } from "../preferences/preferences";
import { protectedProcedure, publicProcedure } from "../trpc";

export const preferencesRouter = {
  /** `{ currency, timeZone, theme }`; the defaults (usd, UTC, dark) until the user changes them */
  get: protectedProcedure.query(({ ctx }) => getPreferences(ctx.services.db, ctx.user.id)),

  update: protectedProcedure.input(preferencesPatch).mutation(({ ctx, input }) => updatePreferences(ctx.services.db, ctx.user.id, input)),

  /** `{ usdPerUnit, source, asOf }`: what the pages convert USD figures with (offline: the snapshot day's bundled set) */
  rates: publicProcedure.query(({ ctx }) => loadRates(ctx.services)),
} satisfies TRPCRouterRecord;
