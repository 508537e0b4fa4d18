/**
 * tRPC set-up: context type, initialisation (superjson, zod-aware error shape, SSE settings) and the
 * procedure builders every router uses.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { z, ZodError, ZodRealError } from "zod";
import { databaseUnavailableError, type Context } from "./context";
import { isDatabaseUnavailable } from "./lib/db-errors";
import { MAX_BATCH_CALLS } from "./limits";
import { transformer } from "./lib/transformer";

// ---- initialisation --------------------------------------------------------------------------------
const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const fieldErrors: Record<string, string[] | undefined> | null = zodError ? z.flattenError(zodError).fieldErrors : null;
    if (zodError) {
      // "accessCode: Too small ..." rather than a JSON dump: the field is named in the message itself
      const first = zodError.issues[0];
      const field = first?.path.length ? first.path.join(".") : "input";
      shape.message = `${field}: ${first?.message ?? "invalid value"}`;
    }
    // an unexpected failure is logged in full on the server (app.ts); the caller learns only that it
    // happened, never a driver message with the SQL text and its parameters
    if (error.code === "INTERNAL_SERVER_ERROR") shape.message = "Internal error";
    // tRPC's own wording names no number; the caller needs to know how to split its batch
    if (error.message === "Batch call exceeds maximum size") {
      shape.message = `A request may batch at most ${MAX_BATCH_CALLS} calls: send the others in another request`;
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

/** Where in a raw input the first string holding a NUL character is ("notes", "condition.direction"), or null. */
export function findNulString(input: unknown): string | null {
  // iterative, so a deeply nested body cannot exhaust the stack
  const stack: Array<[unknown, string]> = [[input, ""]];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) return path || "input";
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) stack.push([v, path ? `${path}.${k}` : k]);
    }
  }
  return null;
}

/**
 * Postgres text cannot hold a NUL character: such a string would reach the database and fail there as
 * a 500. No input has a use for one, so every procedure refuses it up front, naming the field.
 */
const noNulCharacters = t.middleware(async ({ getRawInput, next }) => {
  let raw: unknown;
  try {
    raw = await getRawInput();
  } catch {
    return next(); // unreadable input: the procedure's own parser answers BAD_REQUEST
  }
  const field = findNulString(raw);
  if (field) {
    const message = "must not contain a NUL character";
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `${field}: ${message}`,
      cause: new ZodRealError([{ code: "custom", path: field === "input" ? [] : field.split("."), message, input: undefined }]),
    });
  }
  return next();
});

export const publicProcedure = t.procedure.use(databaseErrors).use(noNulCharacters);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session || !ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in to continue." });
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.user } });
});
