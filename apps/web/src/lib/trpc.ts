/**
 * The typed tRPC client. Queries and mutations go over httpBatchLink (not the streaming batch link: the
 * login and logout responses set cookies); subscriptions over SSE with httpSubscriptionLink, which
 * resumes with `lastEventId` after a drop.
 */
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, retryLink, splitLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@ucie/api";
import { MAX_BATCH_CALLS } from "@ucie/api/limits";
import superjson from "superjson";
import { reconnectDelayMs } from "./backoff";
import { NoAutoReconnectEventSource } from "./event-source";

const FINAL_CODES = ["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"];

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** A tRPC error with the router's error shape (`data.code`, `data.fieldErrors`), as the links produce it. */
export function isApiError(err: unknown): err is TRPCClientError<AppRouter> {
  return err instanceof TRPCClientError;
}

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (count, err) => {
          const code = errorCode(err);
          if (code && FINAL_CODES.includes(code)) return false;
          return count < 2;
        },
      },
    },
  });
}

export function makeTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: [
          // a dropped stream comes back after a jittered backoff, resuming from the last event id
          retryLink({
            retry: ({ error }) => !FINAL_CODES.includes(String(error.data?.code)),
            retryDelayMs: reconnectDelayMs,
          }),
          httpSubscriptionLink({ url: "/trpc", transformer: superjson, EventSource: NoAutoReconnectEventSource }),
        ],
        // the server refuses a batch of more calls than this: the link splits larger ones
        false: httpBatchLink({ url: "/trpc", transformer: superjson, maxItems: MAX_BATCH_CALLS }),
      }),
    ],
  });
}

/** The tRPC error code of an error, if it is one. */
export function errorCode(err: unknown): string | undefined {
  return isApiError(err) ? err.data?.code : undefined;
}

/** Field errors from zod issues checked in the page (the same schema as the server's), keyed by top-level field. */
export function issueErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const key = String(i.path[0] ?? "input");
    out[key] ??= i.message;
  }
  return out;
}

/** Field errors from a zod-validated input, keyed by field name. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!isApiError(err)) return {};
  const fe = err.data?.fieldErrors;
  if (!fe) return {};
  return Object.fromEntries(Object.entries(fe).flatMap(([k, v]) => (v?.[0] ? [[k, v[0]]] : [])));
}
