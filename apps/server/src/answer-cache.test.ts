/**
 * Finished anonymous answers reused for a moment (services.caches.answers): the same bytes tRPC wrote, still
 * charged to the caller's address, never given to a signed-in user, never an error, gone when the data
 * behind them changes.
 */
import { AnswerCache, FakeClock, refreshScreener } from "@ucie/api";
import { ucieTokens } from "@ucie/db";
import { eq } from "drizzle-orm";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing";

const url = (procedure: string, input: unknown) => `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
const from = (ip: string) => ({ headers: { "x-forwarded-for": ip } });

describe("reused anonymous answers", () => {
  let server: TestServer;
  beforeAll(async () => {
    // 60 points a minute: 10 per 10-second window
    server = await startTestServer({ env: { TRUST_PROXY: "true", ANON_CALLS_PER_MINUTE: "60" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers a repeated search with the bytes tRPC wrote, and charges every answer to the address", async () => {
    const client = server.client();
    const search = url("tokens.search", { query: "bit", limit: 5 });
    const first = await client.fetch(search, from("203.0.113.1"));
    expect(first.status).toBe(200);
    const body = await first.text();
    expect(server.services.caches.answers.size.entries).toBe(1);
    for (let i = 0; i < 9; i++) {
      const again = await client.fetch(search, from("203.0.113.1"));
      expect(again.status).toBe(200);
      expect(again.headers.get("cache-control")).toBe("public, max-age=30");
      expect(again.headers.get("content-type")).toMatch(/application\/json/);
      expect(await again.text()).toBe(body);
    }
    // what a client reads from it: the hits, best first
    const hits = superjson.deserialize<Array<{ symbol: string; currency: string }>>(
      (JSON.parse(body) as { result: { data: never } }).result.data,
    );
    expect(hits[0]!.symbol.toLowerCase()).toMatch(/^bit|^btc/);
    // the eleventh call in the window is refused, cached answer or not; another address is answered
    const refused = await client.fetch(search, from("203.0.113.1"));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { json: { data: { code: string } } } }).error.json.data.code).toBe("TOO_MANY_REQUESTS");
    expect((await client.fetch(search, from("203.0.113.2"))).status).toBe(200);
  });

  it("never gives a visitor's answer to a signed-in user, who sees prices in their own currency", async () => {
    const list = url("tokens.search", { query: "eth", limit: 3 });
    const visitor = await server.client().fetch(list, from("203.0.113.3"));
    expect(((await visitor.json()) as { result: { data: { json: Array<{ currency: string }> } } }).result.data.json[0]!.currency).toBe(
      "usd",
    );
    const user = await server.signedInClient();
    await user.trpc.preferences.update.mutate({ currency: "eur" });
    const mine = await user.trpc.tokens.search.query({ query: "eth", limit: 3 });
    expect(mine[0]!.currency).toBe("eur");
  });

  it("keeps no error, and forgets answers when the screener job writes", async () => {
    const missing = url("tokens.get", { symbol: "no-such-coin-anywhere" });
    expect((await server.client().fetch(missing, from("203.0.113.4"))).status).toBe(404);
    expect((await server.client().fetch(missing, from("203.0.113.4"))).status).toBe(404);

    // the screener job writes new rows: the pages answered before are not answered again
    await refreshScreener(server.services);
    const page = url("screener.run", { limit: 250 });
    const bitcoin = async () => {
      const res = await server.client().fetch(page, from("203.0.113.5"));
      const rows = superjson.deserialize<{ rows: Array<{ id: string; name: string }> }>(
        (JSON.parse(await res.text()) as { result: { data: never } }).result.data,
      ).rows;
      return rows.find((r) => r.id === "bitcoin")?.name;
    };
    expect(await bitcoin()).toBe("Bitcoin");
    const answers = server.services.caches.answers;
    expect(answers.size.entries).toBeGreaterThan(0); // the page is kept
    await server.services.db.update(ucieTokens).set({ name: "Bitcoin (renamed)" }).where(eq(ucieTokens.coingeckoId, "bitcoin"));
    await refreshScreener(server.services);
    // emptied by the job itself, not by the 2 s expiry
    expect(answers.size.entries).toBe(0);
    expect(await bitcoin()).toBe("Bitcoin (renamed)");
  });
});

describe("the answer cache's bounds", () => {
  const answer = (bytes: number) => ({ status: 200, headers: { "content-type": "application/json" }, body: Buffer.alloc(bytes) });

  it("forgets an answer after its time, and the oldest first when full", () => {
    const clock = new FakeClock(new Date("2026-01-01T00:00:00Z"));
    const cache = new AnswerCache(2_000, { maxEntries: 3, maxBytes: 1_000, maxAnswerBytes: 600 }, () => clock.now().getTime());
    cache.set("a", answer(100));
    clock.advance(1_999);
    expect(cache.get("a")).toBeDefined();
    clock.advance(1);
    expect(cache.get("a")).toBeUndefined();

    for (const k of ["b", "c", "d", "e"]) cache.set(k, answer(100));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.size).toEqual({ entries: 3, bytes: 300 });
    // bytes bound: a big answer pushes out as many old ones as it needs; one over the answer limit is never kept
    cache.set("f", answer(600));
    expect(cache.size).toEqual({ entries: 3, bytes: 800 });
    expect(cache.get("c")).toBeUndefined();
    cache.set("g", answer(601));
    expect(cache.get("g")).toBeUndefined();
  });
});
