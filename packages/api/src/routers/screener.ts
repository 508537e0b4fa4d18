import type { TRPCRouterRecord } from "@trpc/server";
import { screenerInput } from "../schemas";
import { cachedScreener } from "../screener/screener";
import { converterForUser } from "../preferences/preferences";
import { publicProcedure } from "../trpc";

export const screenerRouter = {
  /** `{ rows, nextCursor, asOf }`: the stored signal rows, filtered and sorted in SQL */
  run: publicProcedure.input(screenerInput).query(async ({ ctx, input }) => {
    const [page, c] = await Promise.all([
      cachedScreener(ctx.services, { filters: input?.filters, sort: input?.sort, limit: input?.limit ?? 100, cursor: input?.cursor ?? 0 }),
      converterForUser(ctx.services, ctx.user?.id),
    ]);
    // `price` in the signed-in user's currency, `priceUsd` beside it (filters and sorting work in USD); strangers get the cached page as is
    if (c.currency === "usd") return page;
    return { ...page, rows: page.rows.map((r) => ({ ...r, price: c.convert(r.priceUsd), currency: c.currency })) };
  }),
} satisfies TRPCRouterRecord;
