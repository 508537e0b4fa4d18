/**
 * tRPC set-up: context type, initialisation (superjson, zod-aware error shape, SSE settings) and the
 * procedure builders every router uses.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Context } from "./context";
import { databaseUnavailableError, isDatabaseUnavailable } from "./lib/db-errors";

// ---- initialisation --------------------------------------------------------------------------------
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const fieldErrors = zodError ? z.flattenError(zodError).fieldErrors : null;
    if (zodError) {
      // "accessCode: Too small ..." rather than a JSON dump: the field is named in the message itself
      const first = zodError.issues[0];
      const field = first?.path.length ? first.path.join(".") : "input";
      shape.message = `${field}: ${first?.message ?? "invalid value"}`;
    }
    return { ...shape, data: { ...shape.data, stack: undefined, fieldErrors } };
  },
  sse: {
    // keep proxies from dropping idle streams, and make clients reconnect if pings stop arriving
    ping: { enabled: true, intervalMs: 10_000 },
    maxDurationMs: 30 * 60_000,
    client: { reconnectAfterInactivityMs: 25_000 },
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

// ---- procedures ------------------------------------------------------------------------------------
/** A database outage answers 503 with a clear message, not a 500 with a driver error. */
const databaseErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isDatabaseUnavailable(result.error.cause ?? result.error)) throw databaseUnavailableError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(databaseErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session || !ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in to continue." });
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.user } });
});
