import type { TRPCRouterRecord } from "@trpc/server";

export const watchlistRouter = {} satisfies TRPCRouterRecord;
