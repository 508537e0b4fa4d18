import type { TRPCRouterRecord } from "@trpc/server";
import { publicProcedure } from "../trpc";

export const systemRouter = {
  /** touches no database: the baseline the benchmarks compare authenticated calls against */
  ping: publicProcedure.query(() => ({ ok: true as const })),
} satisfies TRPCRouterRecord;
