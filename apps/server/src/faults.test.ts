import { createDb } from "@ucie/db";
import { createTestDb, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";
import { startTestServer, type TestServer } from "./testing";

// A database restart needs a real Postgres server (PGlite lives inside the process).
describe.skipIf(!process.env.TEST_DATABASE_URL)("database restart while serving (Postgres)", () => {
  let direct: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;

  beforeAll(async () => {
    direct = await createTestDb("postgres");
    const target = new URL(direct.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(direct.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const database = await createDb({ url: viaProxy.toString(), poolMax: 4 });
    server = await startTestServer({ database: { ...database, url: viaProxy.toString() } });
  });
  afterAll(async () => {
    await server?.close();
    await server?.database.close();
    await proxy?.close();
    await direct?.close();
  });

  // a session cookie makes auth.me read the database (no token is valid, so nothing is cached)
  const me = () => fetch(`${server.url}/trpc/auth.me`, { headers: { cookie: `ucie_session=${"x".repeat(32)}-${Math.random()}` } });

  it("turns /readyz 503 and fails requests fast with a clear error, then recovers by itself", async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await me()).status).toBe(200);

    await proxy.stop();

    const started = Date.now();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, database: "down" });
    const res = await me();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json.data.code).toBe("SERVICE_UNAVAILABLE");
    expect(body.error.json.message).toMatch(/database is unavailable/i);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await proxy.start();

    await expect.poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 20_000, interval: 250 }).toBe(200);
    await expect.poll(async () => (await me()).status, { timeout: 20_000, interval: 250 }).toBe(200);
  });
});
