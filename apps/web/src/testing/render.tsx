/**
 * Render a component as the app does (React Query, the typed tRPC client, a router), with only the network
 * faked: `fetch` answers tRPC's batch wire format (superjson) from per-procedure handlers.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import { createTRPCClient, httpBatchLink, splitLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { AppRouter } from "@ucie/api";
import type { ReactNode } from "react";
// react-router's own RouterProvider: under vitest "react-router/dom" resolves to a second copy of the router's contexts
import { createMemoryRouter, MemoryRouter, Route, RouterProvider, Routes, type RouteObject } from "react-router";
import superjson from "superjson";
import { TRPCProvider } from "../lib/trpc";

/** A procedure's answer: a value, or an `ApiError` to answer with a tRPC error (either may come later, as a promise). */
export type Handler = (input: unknown) => unknown;

export class ApiError {
  constructor(
    readonly code: "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT" | "UNAUTHORIZED",
    readonly message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {}
}

const HTTP_STATUS = { BAD_REQUEST: 400, UNAUTHORIZED: 401, NOT_FOUND: 404, CONFLICT: 409 } as const;

export interface Call {
  path: string;
  input: unknown;
}

function fakeFetch(handlers: Record<string, Handler>, calls: Call[]): typeof fetch {
  return async (url, init) => {
    // httpBatchLink calls fetch with a URL string, and a string body for mutations
    const u = new URL(url as string, "http://localhost");
    const paths = u.pathname.replace(/^\/trpc\//, "").split(",");
    const raw = init?.method === "POST" ? (init.body as string) : (u.searchParams.get("input") ?? "{}");
    const inputs = JSON.parse(raw) as Record<string, { json: unknown; meta?: Parameters<typeof superjson.deserialize>[0]["meta"] }>;
    const results = await Promise.all(
      paths.map(async (path, i) => {
        const wire = inputs[String(i)];
        const input = wire ? superjson.deserialize({ json: wire.json as never, meta: wire.meta }) : undefined;
        calls.push({ path, input });
        const handler = handlers[path];
        const out: unknown = handler ? await handler(input) : new ApiError("NOT_FOUND", `no fake for ${path}`);
        if (out instanceof ApiError) {
          const shape = {
            message: out.message,
            code: -32600,
            data: { code: out.code, httpStatus: HTTP_STATUS[out.code], path, fieldErrors: out.fieldErrors },
          };
          return { error: superjson.serialize(shape) };
        }
        return { result: { data: superjson.serialize(out) } };
      }),
    );
    const status = results.some((r) => "error" in r) ? (results.length === 1 ? 400 : 207) : 200;
    return new Response(JSON.stringify(results), { status, headers: { "content-type": "application/json" } });
  };
}

function makeTestClients(handlers: Record<string, Handler>, calls: Call[]) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const trpcClient = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        // live streams (the header's alert firings) stay open and silent
        condition: (op) => op.type === "subscription",
        true: () => () => observable(() => () => undefined),
        false: httpBatchLink({ url: "http://localhost/trpc", transformer: superjson, fetch: fakeFetch(handlers, calls) }),
      }),
    ],
  });
  return { queryClient, trpcClient };
}

/** The app's own route table in a memory router, as `main.tsx` renders it (providers included). */
export function renderAppWithApi(
  routes: RouteObject[],
  { handlers, route = "/" }: { handlers: Record<string, Handler>; route?: string },
): RenderResult & { calls: Call[] } {
  const calls: Call[] = [];
  const { queryClient, trpcClient } = makeTestClients(handlers, calls);
  const router = createMemoryRouter(routes, { initialEntries: [route] });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <RouterProvider router={router} />
      </TRPCProvider>
    </QueryClientProvider>,
  );
  return Object.assign(result, { calls });
}

export function renderWithApi(
  ui: ReactNode,
  { handlers, route = "/", path = "*" }: { handlers: Record<string, Handler>; route?: string; path?: string },
): RenderResult & { calls: Call[] } {
  const calls: Call[] = [];
  const { queryClient, trpcClient } = makeTestClients(handlers, calls);
  const result = render(
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <MemoryRouter initialEntries={[route]}>
          <Routes>
            <Route path={path} element={ui} />
          </Routes>
        </MemoryRouter>
      </TRPCProvider>
    </QueryClientProvider>,
  );
  return Object.assign(result, { calls });
}
