import type { TRPCRouterRecord } from "@trpc/server";

export const analysisRouter = {} satisfies TRPCRouterRecord;
