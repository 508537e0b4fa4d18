/** The errors routers throw for expected failures, in the shapes the web forms read. */
import { TRPCError } from "@trpc/server";
import { ZodRealError } from "zod";
import type { Context } from "../context";

/**
 * An error the form shows beside one field: the same shape as a zod failure (message and fieldErrors).
 * ZodRealError, not ZodError: only the former is an Error, and tRPC keeps only an Error as the cause.
 */
export function fieldError(code: "BAD_REQUEST" | "CONFLICT", field: string, message: string): TRPCError {
  return new TRPCError({
    code,
    message: `${field}: ${message}`,
    cause: new ZodRealError([{ code: "custom", path: [field], message, input: undefined }]),
  });
}

export function tooManyRequests(ctx: Context, retryAfterSeconds: number): TRPCError {
  ctx.setHeader("Retry-After", String(retryAfterSeconds));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} seconds` : `${minutes} minutes`;
  return new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many attempts. Try again in ${wait}.` });
}
