import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ucieCoinLogos } from "@ucie/db";
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

describe("static files", () => {
  let server: TestServer;
  let dist: string;
  const js = `export const answer = "${"forty-two ".repeat(300)}";\n`;
  beforeAll(async () => {
    // a built SPA as the web build leaves it: each asset beside its .br and .gz
    dist = mkdtempSync(path.join(os.tmpdir(), "ucie-dist-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>UCIE</title>");
    writeFileSync(path.join(dist, "assets/app-abc123.js"), js);
    writeFileSync(path.join(dist, "assets/app-abc123.js.br"), brotliCompressSync(js));
    writeFileSync(path.join(dist, "assets/app-abc123.js.gz"), gzipSync(js));
    server = await startTestServer({ webDist: dist });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  const get = (p: string, acceptEncoding: string) => request(`${server.url}${p}`, acceptEncoding);

  it("sends the precompressed file the browser accepts, with Vary and a long cache life", async () => {
    const br = await get("/assets/app-abc123.js", "gzip, deflate, br, zstd");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["vary"]).toContain("Accept-Encoding");
    expect(br.headers["content-type"]).toMatch(/javascript/);
    expect(br.headers["cache-control"]).toContain("immutable");
    expect(brotliDecompressSync(br.body).toString()).toBe(js);

    const gz = await get("/assets/app-abc123.js", "gzip");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).toString()).toBe(js);

    const plain = await get("/assets/app-abc123.js", "identity");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(js);
  });

  it("serves a stored coin logo from our own origin with a year of caching and an ETag; 404 for none", async () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    await server.services.db
      .insert(ucieCoinLogos)
      .values({ coinId: "bitcoin", contentType: "image/png", body: png.toString("base64"), etag: "abc123", sourceUrl: "http://x/1.png" });
    const res = await fetch(`${server.url}/logos/bitcoin?v=abc123`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(png);
    const again = await fetch(`${server.url}/logos/bitcoin?v=abc123`, { headers: { "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${server.url}/logos/ethereum`)).status).toBe(404);
    expect((await fetch(`${server.url}/logos/..%2F..%2Fetc`)).status).toBe(404);
  });

  it("never compresses an SSE stream, and forbids images from other origins", async () => {
    const { token } = await server.signedInClient();
    const stream = await request(`${server.url}/trpc/alerts.onTriggered`, "gzip, deflate, br", {
      accept: "text/event-stream",
      cookie: `ucie_session=${token}`,
    });
    expect(stream.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(stream.headers["content-encoding"]).toBeUndefined();
    expect(stream.headers["content-security-policy"]).toContain("img-src 'self' data:;");
  });
});

/** A raw GET (fetch would decompress and hide the encoding); an event stream is cut after its headers. */
function request(
  url: string,
  acceptEncoding: string,
  headers: Record<string, string> = {},
): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { "accept-encoding": acceptEncoding, ...headers } }, (res) => {
        if (String(res.headers["content-type"]).startsWith("text/event-stream")) {
          res.destroy();
          return resolve({ headers: res.headers, body: Buffer.alloc(0) });
        }
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}
