import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { createAccessToken, listAccessTokens, MAX_TOKENS_PER_USER, revokeAccessToken } from "../auth/access-tokens";
import { accessTokenCreate, accessTokenId } from "../schemas";
import { protectedProcedure } from "../trpc";

/** auth.tokens.*: the signed-in user's personal access tokens (cookie session only: token-scopes.ts keeps tokens out). */
export const accessTokensRouter = {
  /** the token itself is in this answer only: the database keeps its hash */
  create: protectedProcedure.input(accessTokenCreate).mutation(async ({ ctx, input }) => {
    const r = await createAccessToken(ctx.services, ctx.req, ctx.user.id, input);
    if (!r.ok) throw new TRPCError({ code: "BAD_REQUEST", message: `At most ${MAX_TOKENS_PER_USER} tokens: revoke one first` });
    return { id: r.id, token: r.token };
  }),

  list: protectedProcedure.query(({ ctx }) => listAccessTokens(ctx.services, ctx.user.id)),

  revoke: protectedProcedure.input(accessTokenId).mutation(async ({ ctx, input }) => {
    if (!(await revokeAccessToken(ctx.services, ctx.req, ctx.user.id, input.id)))
      throw new TRPCError({ code: "NOT_FOUND", message: `No token ${input.id}` });
    return { ok: true as const };
  }),
} satisfies TRPCRouterRecord;
