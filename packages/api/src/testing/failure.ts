import { TRPCError } from "@trpc/server";

/** The TRPCError a call fails with; anything else it throws is rethrown, and a call that succeeds fails the test. */
export async function failure(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}
