import type { TRPCRouterRecord } from "@trpc/server";

export const tokensRouter = {} satisfies TRPCRouterRecord;
