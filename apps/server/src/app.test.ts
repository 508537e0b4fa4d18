import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing";

describe("HTTP shell", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers health and readiness probes", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, database: "up" });
  });

  it("serves auth.me as null to a visitor", async () => {
    expect(await server.client().trpc.auth.me.query()).toBeNull();
  });

  it("refuses a POST from another origin, and one with no origin at all", async () => {
    const body = JSON.stringify({ json: { email: "a@b.co", password: "x" } });
    const evil = await fetch(`${server.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body,
    });
    expect(evil.status).toBe(403);
    const none = await fetch(`${server.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(none.status).toBe(403);
  });

  it("refuses a huge request body with 413", async () => {
    const res = await server.client().fetch("/trpc/auth.login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { email: "a".repeat(200_000) } }),
    });
    expect(res.status).toBe(413);
  });

  it("sets security headers", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-request-id")).toMatch(/[\w-]{8,}/);
  });
});
