/**
 * The typed tRPC client. Queries and mutations go over httpBatchLink (not the streaming batch link: the
 * login and logout responses set cookies); subscriptions over SSE with httpSubscriptionLink, which
 * resumes with `lastEventId` after a drop.
 */
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, retryLink, splitLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@ucie/api";
import superjson from "superjson";
import { reconnectDelayMs } from "./backoff";
import { NoAutoReconnectEventSource } from "./event-source";

const FINAL_CODES = ["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"];

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (count, err) => {
          const code = err instanceof TRPCClientError ? (err.data as { code?: string } | undefined)?.code : undefined;
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
            retry: ({ error }) => !FINAL_CODES.includes(String((error.data as { code?: string } | undefined)?.code)),
            retryDelayMs: reconnectDelayMs,
          }),
          httpSubscriptionLink({ url: "/trpc", transformer: superjson, EventSource: NoAutoReconnectEventSource }),
        ],
        // the server refuses a batch of more than 10 calls (MAX_BATCH_CALLS): the link splits larger ones
        false: httpBatchLink({ url: "/trpc", transformer: superjson, maxItems: 10 }),
      }),
    ],
  });
}

/** The tRPC error code of an error, if it is one. */
export function errorCode(err: unknown): string | undefined {
  return err instanceof TRPCClientError ? (err.data as { code?: string } | undefined)?.code : undefined;
}

/** Field errors from a zod-validated input, keyed by field name. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof TRPCClientError)) return {};
  const fe = (err.data as { fieldErrors?: Record<string, string[] | undefined> } | undefined)?.fieldErrors;
  if (!fe) return {};
  return Object.fromEntries(Object.entries(fe).flatMap(([k, v]) => (v?.[0] ? [[k, v[0]]] : [])));
}
