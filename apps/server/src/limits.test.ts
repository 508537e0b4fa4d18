/**
 * What a stranger can ask of the HTTP server, each attack as it was reported: big batches, anonymous
 * floods, thousands of open streams, bodies sent one byte at a time, cacheable private answers, and
 * static-file errors that name the server's folders.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { publishSessionsRevoked } from "@ucie/api";
import { sessions, uciePhaseData } from "@ucie/db";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "./testing";

/** GET a batch of `n` calls to one query procedure, as httpBatchLink sends it. */
function batchUrl(procedure: string, inputs: unknown[]): string {
  const input = Object.fromEntries(inputs.map((v, i) => [i, { json: v }]));
  return `/trpc/${inputs.map(() => procedure).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
}

/** Open an alerts stream as EventSource does: its status, and a way to close it. */
async function openStream(client: TestClient): Promise<{ status: number; code?: string; stop(): Promise<void> }> {
  const controller = new AbortController();
  const res = await client.fetch(`/trpc/alerts.onTriggered?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, {
    headers: { accept: "text/event-stream" },
    signal: controller.signal,
  });
  if (res.status !== 200) {
    const body = (await res.json()) as { error: { json: { data: { code: string } } } };
    return { status: res.status, code: body.error.json.data.code, stop: async () => {} };
  }
  const reader = res.body!.getReader();
  await reader.read(); // the "connected" event: tRPC has started the stream
  return {
    status: res.status,
    stop: async () => {
      controller.abort();
      await reader.cancel().catch(() => {});
    },
  };
}

describe("requests a stranger can make", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: "true", ANON_CALLS_PER_MINUTE: "60" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses a batch of 11 calls with 400 and a message saying how many fit, and answers a batch of 10", async () => {
    const client = server.client();
    const inputs = Array.from({ length: 11 }, () => ({ symbol: "bitcoin", days: 3650 }));
    const big = await client.fetch(batchUrl("tokens.history", inputs), { headers: { "x-forwarded-for": "198.51.100.1" } });
    expect(big.status).toBe(400);
    const body = (await big.json()) as Array<{ error: { json: { message: string } } }> | { error: { json: { message: string } } };
    const first = Array.isArray(body) ? body[0]! : body;
    expect(first.error.json.message).toMatch(/at most 10 calls/);

    const ten = await client.fetch(
      batchUrl(
        "tokens.get",
        inputs.slice(1).map(() => ({ symbol: "bitcoin" })),
      ),
      {
        headers: { "x-forwarded-for": "198.51.100.1" },
      },
    );
    expect(ten.status).toBe(200);
  });

  it("answers an anonymous flood from one address with 429 and Retry-After, and not another address or a signed-in user", async () => {
    const client = server.client();
    const from = (ip: string) => ({ headers: { "x-forwarded-for": ip } });
    const ten = batchUrl(
      "tokens.get",
      Array.from({ length: 10 }, () => ({ symbol: "bitcoin" })),
    );
    // 60 calls a minute, counted in 10-second windows of 10: one batch of 10 passes, the next is refused
    expect((await client.fetch(ten, from("198.51.100.7"))).status).toBe(200);
    const refused = await client.fetch(ten, from("198.51.100.7"));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(10);
    const body = (await refused.json()) as Array<{ error: { json: { message: string; data: { code: string } } } }>;
    expect(body[0]!.error.json.data.code).toBe("TOO_MANY_REQUESTS");
    expect(body[0]!.error.json.message).toMatch(/Too many requests from your address/);

    // a 10-year history costs more than a search: from a fresh address, one passes and the next waits
    const history = batchUrl("tokens.history", [{ symbol: "bitcoin", days: 3650 }]);
    expect((await client.fetch(history, from("198.51.100.9"))).status).toBe(200);
    expect((await client.fetch(history, from("198.51.100.9"))).status).toBe(429);
    // and a batch of them, which no address may spend at once, is refused outright
    const batch = await client.fetch(
      batchUrl(
        "tokens.history",
        [1, 2].map(() => ({ symbol: "bitcoin", days: 3650 })),
      ),
      from("198.51.100.10"),
    );
    expect(batch.status).toBe(429);
    expect(((await batch.json()) as Array<{ error: { json: { message: string } } }>)[0]!.error.json.message).toMatch(/one by one/);

    expect((await client.fetch(batchUrl("tokens.get", [{ symbol: "btc" }]), from("198.51.100.8"))).status).toBe(200);
    const user = await server.signedInClient();
    expect((await user.fetch(ten, from("198.51.100.7"))).status).toBe(200);
  });

  it("marks session answers no-store and lets anonymous public data be cached for 30 s", async () => {
    const anonymous = await server.client().fetch("/trpc/tokens.list", { headers: { "x-forwarded-for": "198.51.100.20" } });
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("cache-control")).toBe("public, max-age=30");
    // and never reused once the browser signs in (its answers are in the user's own currency)
    expect(anonymous.headers.get("vary")).toMatch(/Cookie/);

    const user = await server.signedInClient();
    for (const p of ["/trpc/auth.me", "/trpc/tokens.list", "/trpc/auth.sessions", "/trpc/watchlist.list"]) {
      const res = await user.fetch(p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get("cache-control"), p).toBe("no-store");
    }
    // an anonymous answer that depends on the (missing) session, and an error
    expect(
      (await server.client().fetch("/trpc/auth.me", { headers: { "x-forwarded-for": "198.51.100.21" } })).headers.get("cache-control"),
    ).toBe("no-store");
    const missing = await server.client().fetch(batchUrl("tokens.get", [{ symbol: "no-such-coin-at-all" }]), {
      headers: { "x-forwarded-for": "198.51.100.21" },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBe("no-store");
    // a login answer sets a cookie: never cacheable
    const login = await server.client().fetch("/trpc/auth.login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.22" },
      body: JSON.stringify({ json: { email: "nobody@example.com", password: "not the password" } }),
    });
    expect(login.headers.get("cache-control")).toBe("no-store");
  });
});

describe("open streams", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: "true" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("holds at most 10 streams per session: the 11th answers TOO_MANY_REQUESTS, and closing one frees its slot", async () => {
    const user = await server.signedInClient();
    const open = await Promise.all(Array.from({ length: 10 }, () => openStream(user)));
    expect(open.map((s) => s.status)).toEqual(Array(10).fill(200));
    const eleventh = await openStream(user);
    expect(eleventh).toMatchObject({ status: 429, code: "TOO_MANY_REQUESTS" });
    // another user's session is not held up
    const other = await openStream(await server.signedInClient());
    expect(other.status).toBe(200);
    await other.stop();

    await open[0]!.stop();
    await expect
      .poll(async () => {
        const s = await openStream(user);
        await s.stop();
        return s.status;
      })
      .toBe(200);
    for (const s of open) await s.stop();
  });

  it("holds at most 50 streams per address, whatever the sessions", async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => server.signedInClient()));
    const from = (ip: string) =>
      users.map((u) => ({
        ...u,
        fetch: (p: string, init: RequestInit = {}) => u.fetch(p, { ...init, headers: { ...init.headers, "x-forwarded-for": ip } }),
      }));
    const a = from("198.51.100.30");
    const streams = [];
    for (let i = 0; i < 50; i++) streams.push(await openStream(a[i % 6]!));
    expect(streams.filter((s) => s.status !== 200)).toHaveLength(0);
    expect(await openStream(a[5]!)).toMatchObject({ status: 429, code: "TOO_MANY_REQUESTS" });
    // the same user from another address is fine
    const elsewhere = await openStream(from("198.51.100.31")[5]!);
    expect(elsewhere.status).toBe(200);
    await elsewhere.stop();
    for (const s of streams) await s.stop();
  }, 30_000);
});

describe("slow requests", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { REQUEST_TIMEOUT_MS: "1000", HEADERS_TIMEOUT_MS: "800" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Send `head` and keep the socket open; resolves with what the server wrote and how long it held on. */
  function slowRequest(head: string): Promise<{ text: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const socket = connect(server.port, "127.0.0.1", () => socket.write(head));
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("error", reject);
      socket.on("close", () => resolve({ text, ms: performance.now() - started }));
    });
  }

  it("answers 408 and closes a request whose body does not arrive in time, while a stream opened beside it lives on", async () => {
    const user = await server.signedInClient();
    const stream = await user.fetch(`/trpc/alerts.onTriggered?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, {
      headers: { accept: "text/event-stream" },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain("connected");

    const { text, ms } = await slowRequest(
      `POST /trpc/auth.login HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n{`,
    );
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(5000);

    // the stream outlived the timeout: ending the session now reaches it over the same connection
    const [session] = await server.services.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.userId));
    await publishSessionsRevoked(server.services, { userId: user.userId, sessionIds: [session!.id], reason: "revoked" });
    let seen = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
      if (seen.includes("UNAUTHORIZED")) break;
    }
    expect(seen).toContain("UNAUTHORIZED");
    await reader.cancel();
  });

  it("closes a connection whose headers do not arrive in time", async () => {
    const { text, ms } = await slowRequest(`GET /trpc/system.ping HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 408|^$/);
    expect(ms).toBeLessThan(5000);
  });
});

describe("static files", () => {
  let server: TestServer;
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(path.join(os.tmpdir(), "ucie-dist-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>UCIE</title>");
    writeFileSync(path.join(dist, "assets", "app.js"), "console.log(1);\n//# sourceMappingURL=app.js.map");
    writeFileSync(path.join(dist, "assets", "app.js.map"), '{"version":3,"sources":["../src/secret.ts"]}');
    server = await startTestServer({ webDist: dist });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("answers a missing asset with a plain 404 that names no folder of the server", async () => {
    const res = await fetch(`${server.url}/assets/nonexistent.js`);
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).not.toMatch(/ENOENT|stat|\/tmp|dist|assets/);
    expect(text).toContain("Not Found");
    expect((await fetch(`${server.url}/assets/app.js`)).status).toBe(200);
  });

  it("does not serve source maps", async () => {
    const res = await fetch(`${server.url}/assets/app.js.map`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("secret.ts");
  });
});

describe("analysis refresh spam", () => {
  let server: TestServer;
  beforeAll(async () => {
    // streams are not what this test limits: let all 300 in at once
    server = await startTestServer({ env: { STREAMS_PER_SESSION: "1000", STREAMS_PER_IP: "1000", ANALYSIS_SESSIONS_PER_HOUR: "30" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** One analysis stream read to its end, as EventSource would: the text it received. */
  async function analysis(client: TestClient, input: Record<string, unknown>): Promise<string> {
    const res = await client.fetch(`/trpc/analysis.stream?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
      headers: { accept: "text/event-stream" },
    });
    return res.text();
  }

  it("300 refresh streams in a burst: 10 run, the rest answer TOO_MANY_REQUESTS, and at most 40 phase rows are written", async () => {
    const user = await server.signedInClient();
    const bodies = await Promise.all(
      Array.from({ length: 300 }, (_, i) => analysis(user, { symbol: "bitcoin", sessionId: `spam-${i}-abcdef`, refresh: true })),
    );
    const refused = bodies.filter((b) => b.includes("TOO_MANY_REQUESTS"));
    expect(refused.length).toBe(290);
    expect(refused[0]).toMatch(/Too many refreshes/);
    const n = await countPhaseRows();
    expect(n).toBeLessThanOrEqual(40);
    expect(n).toBeGreaterThan(0);
  }, 60_000);

  it("new analysis sessions per user are capped too, and resuming a stored one is free", async () => {
    const user = await server.signedInClient();
    const before = await countPhaseRows();
    const bodies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => analysis(user, { symbol: "ethereum", sessionId: `many-${i}-abcdef` })),
    );
    expect(bodies.filter((b) => b.includes("TOO_MANY_REQUESTS"))).toHaveLength(30);
    expect((await countPhaseRows()) - before).toBeLessThanOrEqual(30 * 4);
    // a session that was admitted resumes, even with the hour's budget spent
    const admitted = bodies.findIndex((b) => !b.includes("TOO_MANY_REQUESTS"));
    const resumed = await analysis(user, {
      symbol: "ethereum",
      sessionId: `many-${admitted}-abcdef`,
      lastEventId: `many-${admitted}-abcdef:2`,
    });
    expect(resumed).not.toContain("TOO_MANY_REQUESTS");
    expect(resumed).toContain(`many-${admitted}-abcdef:4`);
    // a made-up lastEventId for a session that stored nothing is a new session
    const madeUp = await analysis(user, { symbol: "ethereum", sessionId: "never-started-abc", lastEventId: "never-started-abc:3" });
    expect(madeUp).toContain("TOO_MANY_REQUESTS");
  }, 60_000);

  async function countPhaseRows(): Promise<number> {
    const [row] = await server.services.db.select({ n: count() }).from(uciePhaseData);
    return row!.n;
  }
});
