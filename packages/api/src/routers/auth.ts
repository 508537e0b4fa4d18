import type { TRPCRouterRecord } from "@trpc/server";
import { publicProcedure } from "../trpc";

export const authRouter = {
  me: publicProcedure.query(({ ctx }) =>
    ctx.user
      ? { id: ctx.user.id, email: ctx.user.email, emailVerified: ctx.user.emailVerified, createdAt: ctx.user.createdAt }
      : null,
  ),
} satisfies TRPCRouterRecord;
