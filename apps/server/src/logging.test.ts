import { Writable } from "node:stream";
import { createLogger } from "@ucie/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing";

describe("structured logs", () => {
  const lines: Record<string, unknown>[] = [];
  let server: TestServer;
  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    server = await startTestServer({ logger: createLogger({ level: "debug", destination }) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("writes JSON lines carrying the request id and the signed-in user's id", async () => {
    const client = await server.signedInClient();
    const res = await client.fetch("/trpc/auth.me");
    expect(res.status).toBe(200);
    const reqId = res.headers.get("x-request-id");
    expect(reqId).toBeTruthy();
    await expect.poll(() => lines.find((l) => l.reqId === reqId && l.msg === "request")).toBeTruthy();
    const line = lines.find((l) => l.reqId === reqId && l.msg === "request")!;
    expect(line).toMatchObject({ userId: client.userId, method: "GET", path: "/trpc/auth.me", status: 200 });
    expect(typeof line.time).toBe("string");
  });

  it("keeps an incoming X-Request-Id so a proxy's id follows the request", async () => {
    const res = await fetch(`${server.url}/trpc/auth.me`, { headers: { "x-request-id": "edge-42" } });
    expect(res.headers.get("x-request-id")).toBe("edge-42");
    await expect.poll(() => lines.some((l) => l.reqId === "edge-42")).toBe(true);
    expect(lines.find((l) => l.reqId === "edge-42")).not.toHaveProperty("userId");
  });

  it("never writes the session cookie", async () => {
    const client = await server.signedInClient();
    const res = await client.fetch("/trpc/auth.me");
    const reqId = res.headers.get("x-request-id");
    // the request's own access line is out: everything it logged is in `lines`
    await expect.poll(() => lines.some((l) => l.reqId === reqId && l.msg === "request")).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(client.token);
  });
});
