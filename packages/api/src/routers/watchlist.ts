import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { freshenCoin } from "../market/on-demand";
import { z } from "zod";
import { symbol, watchlistNotes as notes } from "../schemas";
import { converterForUser, withPrice } from "../preferences/preferences";
import { protectedProcedure } from "../trpc";
import { addToWatchlist, listWatchlist, markWatchlistViewed, removeFromWatchlist, updateWatchlistNotes } from "../watchlist/watchlist";

const notOnList = (s: string) => new TRPCError({ code: "NOT_FOUND", message: `${s} is not on your watchlist` });

export const watchlistRouter = {
  /** items carry `price` and `currency` (the user's) beside `priceUsd` */
  list: protectedProcedure.query(async ({ ctx }) => {
    const [items, c] = await Promise.all([listWatchlist(ctx.services.db, ctx.user.id), converterForUser(ctx.services, ctx.user.id)]);
    return items.map((i) => withPrice(i, c));
  }),

  add: protectedProcedure.input(z.strictObject({ symbol, notes: notes.optional() })).mutation(async ({ ctx, input }) => {
    // a coin outside the top 250 is priced now, so the watchlist shows it with figures
    await freshenCoin(ctx.services, input.symbol);
    const r = await addToWatchlist(ctx.services.db, ctx.user.id, input.symbol, input.notes ?? null, ctx.services.clock);
    if (r === "not_found") throw new TRPCError({ code: "NOT_FOUND", message: `No coin '${input.symbol}' in the catalogue` });
    if (r === "conflict") throw new TRPCError({ code: "CONFLICT", message: `${input.symbol} is already on your watchlist` });
    return r;
  }),

  update: protectedProcedure.input(z.strictObject({ symbol, notes: notes.nullable() })).mutation(async ({ ctx, input }) => {
    const item = await updateWatchlistNotes(ctx.services.db, ctx.user.id, input.symbol, input.notes);
    if (!item) throw notOnList(input.symbol);
    return item;
  }),

  remove: protectedProcedure.input(z.strictObject({ symbol })).mutation(async ({ ctx, input }) => {
    if (!(await removeFromWatchlist(ctx.services.db, ctx.user.id, input.symbol))) throw notOnList(input.symbol);
    return { ok: true as const };
  }),

  /** the token page was opened; a no-op (`onWatchlist: false`) when the coin is not on the list */
  markViewed: protectedProcedure
    .input(z.strictObject({ symbol }))
    .mutation(({ ctx, input }) => markWatchlistViewed(ctx.services.db, ctx.user.id, input.symbol, ctx.services.clock)),
} satisfies TRPCRouterRecord;
