/**
 * A real UCIE server for the SPA's component tests: `apps/server/src/testing-process.ts` in a child process
 * (fake upstream, fresh database, one signed-in user, a proxy the test can cut), and a render that talks to it
 * with the app's own tRPC client (`makeTrpcClient`: batching, SSE subscriptions, the reconnect with the last
 * event id) from a page whose origin is the server's, with the user's session cookie.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import type { TestProcessCommand, TestProcessReady } from "../../../server/src/testing-process";
import { makeQueryClient, makeTrpcClient, TRPCProvider } from "../lib/trpc";

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../server/src/testing-process.ts");

export interface ApiServer {
  /** the proxy's origin the page runs on */
  url: string;
  /** the signed-in user's session cookie (`name=value`) */
  cookie: string;
  /** hold the upstream's answers to a path prefix (e.g. `/fng/`) until `release()` */
  hold(prefix: string): Promise<void>;
  release(): Promise<void>;
  /** drop every open connection to the server (streams included); new ones are accepted again */
  drop(): Promise<void>;
  /** how many requests the fake upstream got for a path prefix */
  calls(prefix: string): Promise<number>;
  /** every `analysis.stream` request the server got: its `lastEventId` (null when it started afresh) */
  analysisStreams(): Promise<(string | null)[]>;
  close(): Promise<void>;
}

export async function startApiServer(): Promise<ApiServer> {
  const child: ChildProcess = fork(script, [], {
    cwd: path.dirname(path.dirname(script)),
    execArgv: ["--import", "tsx"],
    env: { ...process.env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = await new Promise<TestProcessReady["ready"]>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`test server exited with ${code} before it was ready`)));
    child.on("message", (raw) => {
      const m = raw as Partial<TestProcessReady> & { id?: number; result?: unknown; error?: string };
      if (m.ready) return resolve(m.ready);
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p) return;
      pending.delete(m.id!);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
  });
  const send = (command: TestProcessCommand) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...command, id });
    });
  return {
    ...ready,
    hold: async (prefix) => void (await send({ cmd: "hold", prefix })),
    release: async () => void (await send({ cmd: "release" })),
    drop: async () => void (await send({ cmd: "drop" })),
    calls: async (prefix) => Number(await send({ cmd: "calls", prefix })),
    analysisStreams: async () => (await send({ cmd: "analysisStreams" })) as (string | null)[],
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.disconnect();
      }),
  };
}

/**
 * Render `ui` as the app does, against the server: the page's origin becomes the server's (so the app's
 * relative `/trpc` URLs reach it and its cookie is sent), signed in as its user unless `signedIn: false`.
 */
export function renderWithServer(ui: ReactNode, server: ApiServer, { signedIn = true } = {}): RenderResult {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${server.url}/`);
  const [name] = server.cookie.split("=");
  document.cookie = signedIn ? `${server.cookie}; path=/` : `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  const queryClient = makeQueryClient();
  return render(
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={makeTrpcClient()} queryClient={queryClient}>
        <MemoryRouter>{ui}</MemoryRouter>
      </TRPCProvider>
    </QueryClientProvider>,
  );
}
