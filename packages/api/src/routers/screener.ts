import type { TRPCRouterRecord } from "@trpc/server";
import { screenerInput } from "../schemas";
import { runScreener } from "../screener/screener";
import { publicProcedure } from "../trpc";

export const screenerRouter = {
  /** `{ rows, nextCursor, asOf }`: the stored signal rows, filtered and sorted in SQL */
  run: publicProcedure.input(screenerInput).query(({ ctx, input }) =>
    runScreener(ctx.services.db, {
      filters: input?.filters,
      sort: input?.sort,
      limit: input?.limit ?? 100,
      cursor: input?.cursor ?? 0,
    }),
  ),
} satisfies TRPCRouterRecord;
