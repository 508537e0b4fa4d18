/**
 * Every coin CoinGecko lists, through a real server on both databases with the fake upstream (the real
 * snapshot's 100 coins ranked, 17,000 generated coins in /coins/list): a coin outside the top 250 is found,
 * opened, analysed, watched and alerted on; twenty users opening twenty unranked coins at once stay within
 * the CoinGecko call budget (one batched /coins/markets?ids= call); offline, the snapshot's coins are all.
 */
import { syncCatalogue, syncCoinList } from "@ucie/api";
import { generatedCoin, startFakeUpstream, type FakeUpstream } from "@ucie/api/testing";
import { ucieTokens } from "@ucie/db";
import { testDbKinds } from "@ucie/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "./testing";

/** the CoinGecko calls a minute this server may make (the client waits rather than exceed it) */
const BUDGET = 30;

describe.each(testDbKinds())("every coin on %s", (kind) => {
  let up: FakeUpstream;
  let server: TestServer;
  let alice: TestClient;

  beforeAll(async () => {
    up = await startFakeUpstream();
    server = await startTestServer({
      kind,
      env: { MARKET_DATA: "live", UPSTREAM_TIMEOUT_MS: "3000", COINGECKO_CALLS_PER_MINUTE: String(BUDGET), ...up.env },
    });
    await syncCatalogue(server.services);
    const list = await syncCoinList(server.services);
    expect(list).toMatchObject({ source: "live", listed: 17_100, added: 17_000, delisted: 0 });
    alice = await server.signedInClient();
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await up?.close();
  });

  it("loads the whole list unranked, leaving the top coins ranked and priced", async () => {
    const [counts] = await server.services.db
      .select({ ranked: sql<number>`count(*) filter (where ranked)::int`, unranked: sql<number>`count(*) filter (where not ranked)::int` })
      .from(ucieTokens);
    expect(counts).toEqual({ ranked: 100, unranked: 17_000 });
    const btc = await alice.trpc.tokens.get.query({ symbol: "BTC" });
    expect(btc).toMatchObject({ id: "bitcoin", ranked: true, rank: 1 });
    // the next daily run changes nothing
    expect(await syncCoinList(server.services)).toMatchObject({ added: 0, delisted: 0 });
  });

  it("finds, opens, analyses, watches and alerts on a coin outside the top 250", async () => {
    const coin = generatedCoin(4321);
    const hits = await alice.trpc.tokens.search.query({ query: coin.name });
    expect(hits[0]).toMatchObject({ id: coin.id, name: coin.name, rank: null });

    const before = up.callsTo("/coins/markets");
    const opened = await alice.trpc.tokens.get.query({ symbol: coin.id });
    expect(opened).toMatchObject({ id: coin.id, ranked: false, priceUsd: coin.current_price, source: "live" });
    expect(up.callsTo("/coins/markets")).toBe(before + 1);
    expect(up.requests.at(-1)?.query.ids ?? up.requests.filter((r) => r.path === "/coins/markets").at(-1)!.query.ids).toBe(coin.id);
    // within the TTL the catalogue answers
    await alice.trpc.tokens.get.query({ symbol: coin.id });
    expect(up.callsTo("/coins/markets")).toBe(before + 1);

    const events: {
      data: { phase: number; data: { sections: Record<string, { status: string; data: { priceUsd?: number } | null }> } };
    }[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = alice.trpc.analysis.stream.subscribe(
        { symbol: coin.id, sessionId: `every-coin-${kind}` },
        {
          onData: (ev) => void events.push(ev as unknown as (typeof events)[number]),
          onError: (err) => reject(err),
          onComplete: () => resolve(),
        },
      );
      setTimeout(() => {
        sub.unsubscribe();
        reject(new Error("analysis did not finish"));
      }, 60_000).unref();
    });
    expect(events.map((e) => e.data.phase)).toEqual([1, 2, 3, 4]);
    expect(events[0]!.data.data.sections.market!.data!.priceUsd).toBe(coin.current_price);
    expect(events[2]!.data.data.sections.technical!.status).toBe("ok");

    const watched = await alice.trpc.watchlist.add.mutate({ symbol: coin.id });
    expect(watched).toMatchObject({ id: coin.id });
    const alert = await alice.trpc.alerts.create.mutate({ symbol: coin.id, type: "price_above", threshold: coin.current_price! * 2 });
    expect(alert).toMatchObject({ coinId: coin.id });
  }, 90_000);

  it("twenty users opening twenty unranked coins at once share one or two batched calls, within the budget", async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => server.signedInClient()));
    const coins = Array.from({ length: 20 }, (_, i) => generatedCoin(10_000 + i));
    const before = up.callsTo("/coins/markets");
    const got = await Promise.all(users.map((u, i) => u.trpc.tokens.get.query({ symbol: coins[i]!.id })));
    got.forEach((t, i) => expect(t).toMatchObject({ id: coins[i]!.id, priceUsd: coins[i]!.current_price }));
    const calls = up.callsTo("/coins/markets") - before;
    // requests gather until 100 ms pass without a new one (at most 500 ms), and calls never overlap
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(2);
    // every CoinGecko call this minute, whatever the path, stayed within the configured budget
    const minuteAgo = Date.now() - 60_000;
    expect(up.requests.filter((r) => r.provider === "coingecko" && r.at >= minuteAgo).length).toBeLessThanOrEqual(BUDGET);
    const [row] = await server.services.db.select().from(ucieTokens).where(eq(ucieTokens.coingeckoId, coins[0]!.id));
    expect(row).toMatchObject({ ranked: false, currentPriceUsd: coins[0]!.current_price });
  }, 60_000);
});

describe("every coin offline", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("writes nothing: the snapshot's coins are all there is", async () => {
    const r = await syncCoinList(server.services);
    expect(r).toMatchObject({ source: "snapshot", added: 0, note: expect.stringMatching(/snapshot's coins are all there is/) });
  });
});
