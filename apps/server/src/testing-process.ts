/**
 * A whole UCIE server for tests that cannot host one in their own process (the SPA's component tests run in a
 * simulated DOM whose `fetch`, `URL` and `AbortController` are the DOM's, not Node's). Run it with
 * `fork(thisFile, { execArgv: ["--import", "tsx"] })`: it starts the fake upstream (live market data), a test
 * server on a fresh database with one signed-in user, and a TCP proxy in front of the server that the test can
 * cut. It sends `{ ready: { url, cookie } }` (the proxy's URL, the user's session cookie) and answers
 * `{ id, cmd }` messages with `{ id, result }`. It exits when its parent disconnects.
 */
import { startFakeUpstream } from "@ucie/api/testing";
import { startTcpProxy } from "./tcp-proxy";
import { startTestServer } from "./testing";

export type TestProcessCommand =
  /** hold requests to the upstream path prefix until `release` */
  | { cmd: "hold"; prefix: string }
  | { cmd: "release" }
  /** drop every open connection through the proxy (streams included), then accept new ones again */
  | { cmd: "drop" }
  /** how many requests the upstream got for the path prefix */
  | { cmd: "calls"; prefix: string }
  /** every `analysis.stream` request the server got so far: its `lastEventId` (null for a fresh start) */
  | { cmd: "analysisStreams" };

export interface TestProcessReady {
  ready: { url: string; cookie: string };
}

const upstream = await startFakeUpstream();
const server = await startTestServer({
  env: { MARKET_DATA: "live", ...upstream.env, UPSTREAM_TIMEOUT_MS: "60000" },
});
const user = await server.signedInClient();
const target = new URL(server.url);
const analysisStreams: (string | null)[] = [];
// first, before Express rewrites req.url for its mounted router
server.server.prependListener("request", (req: { url?: string }) => {
  const url = new URL(req.url ?? "/", server.url);
  if (!url.pathname.startsWith("/trpc/analysis.stream")) return;
  const input = JSON.parse(url.searchParams.get("input") ?? "{}") as { json?: { lastEventId?: string | null } };
  analysisStreams.push(input.json?.lastEventId ?? url.searchParams.get("lastEventId") ?? null);
});
const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });

function run(command: TestProcessCommand): unknown {
  switch (command.cmd) {
    case "hold":
      return upstream.fail(command.prefix, "hold");
    case "release":
      return upstream.release();
    case "drop":
      return proxy.stop().then(() => proxy.start());
    case "calls":
      return upstream.callsTo(command.prefix);
    case "analysisStreams":
      return analysisStreams;
  }
}

process.on("message", (message: TestProcessCommand & { id: number }) => {
  void Promise.resolve(run(message)).then(
    (result) => process.send?.({ id: message.id, result: result ?? null }),
    (err: unknown) => process.send?.({ id: message.id, error: String(err) }),
  );
});

process.once("disconnect", () => {
  void Promise.allSettled([proxy.close(), server.close(), upstream.close()]).then(() => process.exit(0));
});

const ready: TestProcessReady = {
  ready: { url: `http://127.0.0.1:${proxy.port}`, cookie: [...user.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
};
process.send?.(ready);
