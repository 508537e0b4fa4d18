/**
 * `@ucie/client`: the typed way for scripts, bots and notebooks to use a UCIE server with a personal
 * access token. Node 22+ and browsers alike.
 *
 * Only TYPES come from the server's packages (`import type`): this module carries no server code, which
 * client.test.ts checks by walking its runtime imports.
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, retryLink, splitLink, TRPCClientError } from "@trpc/client";
import type { AppRouter, RouterInputs, RouterOutputs } from "@ucie/api";
import { EventSource } from "eventsource";
import superjson from "superjson";

export type { AppRouter, RouterInputs, RouterOutputs };
export { TRPCClientError };

/** The server refuses a request batching more calls than this (packages/api limits.ts MAX_BATCH_CALLS; client.test.ts keeps them equal). */
export const SERVER_BATCH_LIMIT = 10;

/** Answers that retrying cannot change: a subscription that ends with one of these stays ended. */
const FINAL_CODES = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST", "METHOD_NOT_SUPPORTED"]);

export interface UcieClientOptions {
  /** the server's address, e.g. "https://ucie.example.com" (with or without a trailing /trpc) */
  url: string;
  /** a personal access token (`ucie_pat_…`), made on the account page */
  token: string;
  /** the fetch to use (default: the global one) */
  fetch?: typeof fetch;
  /** delay before the n-th reconnect of a dropped subscription (default: jittered exponential backoff) */
  reconnectDelayMs?: (attempt: number) => number;
}

export type UcieClient = ReturnType<typeof createTRPCClient<AppRouter>>;
/** An API error, with the router's error shape (`data.code`, `data.fieldErrors`, `data.httpStatus`). */
export type UcieClientError = TRPCClientError<AppRouter>;

export function isUcieClientError(err: unknown): err is UcieClientError {
  return err instanceof TRPCClientError;
}

/** 0.5 s, 1 s, 2 s … capped at 30 s, each with full jitter in [d/2, d], so many clients do not return at once after a restart. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.min(Math.max(attempt - 1, 0), 6));
  return Math.round(base / 2 + random() * (base / 2));
}

/**
 * The `eventsource` package (fetch based, so it can send the Authorization header, which a native
 * EventSource cannot) without its own fixed-delay reconnect: a dropped stream becomes an error, and
 * retryLink comes back after a jittered delay with the last event id.
 */
class OneShotEventSource extends EventSource {
  constructor(url: string | URL, init?: ConstructorParameters<typeof EventSource>[1]) {
    super(url, init);
    this.addEventListener("error", () => {
      if (this.readyState === this.CONNECTING) this.close();
    });
  }
}

export function createUcieClient(options: UcieClientOptions): UcieClient {
  const base = options.url.replace(/\/+$/, "").replace(/\/trpc$/, "");
  const url = `${base}/trpc`;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const authorization = `Bearer ${options.token}`;
  const authedFetch: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", authorization);
    return baseFetch(input, { ...init, headers });
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: [
          retryLink({
            retry: ({ error }) => !FINAL_CODES.has(String(error.data?.code)),
            retryDelayMs: options.reconnectDelayMs ?? reconnectDelayMs,
          }),
          httpSubscriptionLink({
            url,
            transformer: superjson,
            EventSource: OneShotEventSource,
            eventSourceOptions: () => ({ fetch: authedFetch }),
          }),
        ],
        false: httpBatchLink({ url, transformer: superjson, maxItems: SERVER_BATCH_LIMIT, fetch: authedFetch }),
      }),
    ],
  });
}
