/**
 * analysis.stream and analysis.get through a real UCIE server and the real tRPC client over SSE, with
 * the market APIs served by the local fake upstream (their real wire formats). The engine's calls into
 * the market service are counted by wrapping `services.market` in place.
 */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { SESSION_REVOKED_CHANNEL, type RouterOutputs } from "@ucie/api";
import { startFakeUpstream, type FakeUpstream } from "@ucie/api/testing";
import { ucieAnalysisCache, uciePhaseData } from "@ucie/db";
import { createTestDb, testDbKinds } from "@ucie/db/testing";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countSubscriptions, startTestServer, type TestClient, type TestServer } from "./testing";

type StreamInput = { symbol: string; sessionId: string; refresh?: boolean; lastEventId?: string | null };
/** One phase of the stream, as the router types it: a union on `phase`. */
type PhaseEvent = RouterOutputs["analysis"]["stream"] extends AsyncIterable<{ data: infer E }, void> ? E : never;

/** The event of phase `p` (asserting that it is that phase), with that phase's sections typed. */
function phaseOf<P extends PhaseEvent["phase"]>(r: StreamResult, p: P): Extract<PhaseEvent, { phase: P }> {
  const e = r.events.find((x) => x.data.phase === p)?.data;
  expect(e?.phase).toBe(p);
  return e as Extract<PhaseEvent, { phase: P }>;
}
interface StreamResult {
  events: { id: string; data: PhaseEvent }[];
  completed: boolean;
  error?: { message: string; data?: { code?: string } };
}

/** Subscribe and gather events until the stream ends, fails, or (when asked) right after one phase. */
function runStream(client: TestClient, input: StreamInput, opts: { stopAfterPhase?: number } = {}): Promise<StreamResult> {
  return new Promise((resolve) => {
    const events: StreamResult["events"] = [];
    const sub = client.trpc.analysis.stream.subscribe(input, {
      onData(ev) {
        const e = ev;
        events.push(e);
        if (opts.stopAfterPhase === e.data.phase) {
          sub.unsubscribe();
          resolve({ events, completed: false });
        }
      },
      onError(err) {
        resolve({ events, completed: false, error: err as unknown as StreamResult["error"] });
      },
      onComplete() {
        resolve({ events, completed: true });
      },
    });
  });
}

/** Count the engine's calls into the market service, by method and first argument. */
function countCalls(server: TestServer): { calls: string[]; count(prefix: string): number } {
  const inner = server.services.market;
  const calls: string[] = [];
  server.services.market = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const first = args[0];
        const key =
          typeof first === "object" && first && "id" in first
            ? (first as { id: string }).id
            : Array.isArray(first)
              ? first.join(",")
              : String(first);
        calls.push(`${String(prop)}:${key}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { calls, count: (prefix) => calls.filter((c) => c.startsWith(prefix)).length };
}

const sid = (label: string) => `${label}-${Math.random().toString(36).slice(2, 12)}`;
const phasesOf = (r: StreamResult) => r.events.map((e) => e.data.phase);

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.each(testDbKinds())("analysis stream on %s", (kind) => {
  let up: FakeUpstream;
  let server: TestServer;
  let counter: ReturnType<typeof countCalls>;
  let alice: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    up = await startFakeUpstream();
    server = await startTestServer({ kind, env: { MARKET_DATA: "live", UPSTREAM_TIMEOUT_MS: "1500", ...up.env } });
    counter = countCalls(server);
    alice = await server.signedInClient();
    bob = await server.signedInClient();
  });
  afterAll(async () => {
    await server?.close();
    await up?.close();
  });

  it("streams the four phases in order, ids <sessionId>:<phase>, each stored before it is sent, then ends", async () => {
    up.setPrice("bitcoin", 43_210);
    const sessionId = sid("order");
    const r = await runStream(alice, { symbol: "BTC", sessionId });
    expect(r.error).toBeUndefined();
    expect(r.completed).toBe(true);
    expect(phasesOf(r)).toEqual([1, 2, 3, 4]);
    expect(r.events.map((e) => e.id)).toEqual([1, 2, 3, 4].map((n) => `${sessionId}:${n}`));
    const [p1, p2, p3, p4] = [phaseOf(r, 1), phaseOf(r, 2), phaseOf(r, 3), phaseOf(r, 4)];
    expect(p1.label).toBe("Market snapshot");
    expect(p1.data.coin).toMatchObject({ id: "bitcoin", symbol: "BTC" });
    expect(p1.data.sections.market).toMatchObject({ status: "ok", source: "live", fromCache: false });
    expect(p1.data.sections.market!.data!.priceUsd).toBe(43_210);
    expect(p2.data.sections.sentiment!.data!.value).toEqual(expect.any(Number));
    expect(p2.data.sections.news!.data!.headlines.length).toBeGreaterThan(0);
    const tech = p3.data.sections.technical!.data!;
    expect(tech.rsi14).toBeGreaterThanOrEqual(0);
    expect(tech.rsi14).toBeLessThanOrEqual(100);
    expect(tech.series.t.length).toBeGreaterThan(100);
    expect(p3.data.sections.risk!.data!.betaBtc).toBeCloseTo(1, 10); // Bitcoin against itself
    expect(p3.data.sections.onchain!.status).toBe("ok");
    expect(p4.data.sections.synthesis!.data!.reasons.length).toBeGreaterThan(3);
    expect(p4.data.sections.synthesis!.data!.outlook!.ranges.map((x) => x.days)).toEqual([7, 30]);
    for (const e of r.events) expect(e.data.qualityScore).toBeGreaterThan(0);
    const rows = await server.database.db
      .select({ phase: uciePhaseData.phaseNumber, expiresAt: uciePhaseData.expiresAt, createdAt: uciePhaseData.createdAt })
      .from(uciePhaseData)
      .where(eq(uciePhaseData.sessionId, sessionId))
      .orderBy(asc(uciePhaseData.phaseNumber));
    expect(rows.map((x) => x.phase)).toEqual([1, 2, 3, 4]);
    expect(rows[0]!.expiresAt.getTime() - rows[0]!.createdAt.getTime()).toBe(60 * 60_000);
  });

  it("one price per page: phase 3's last close and the synthesis use phase 1's price (one source)", async () => {
    up.setPrice("chainlink", 23.4567);
    const r = await runStream(alice, { symbol: "chainlink", sessionId: sid("one-price") });
    expect(r.completed).toBe(true);
    const [p1, p3, p4] = [phaseOf(r, 1), phaseOf(r, 3), phaseOf(r, 4)];
    const price = p1.data.sections.market!.data!.priceUsd;
    expect(price).toBe(23.4567);
    const tech = p3.data.sections.technical!.data!;
    expect(tech.lastClose).toBe(price);
    expect(tech.series.close.at(-1)).toBe(price);
    expect(p4.data.sections.synthesis!.data!.outlook?.priceUsd).toBe(price);
    const vsSma = p4.data.sections.synthesis!.data!.reasons.find((x) => x.factor === "price_vs_sma200");
    expect(vsSma!.text).toContain(`${((price! / tech.sma200! - 1) * 100).toFixed(1)}%`);
  });

  it("recomputes a cached technical section drawn at another price than phase 1's", async () => {
    const first = await runStream(alice, { symbol: "polkadot", sessionId: sid("stale-a") });
    const price = phaseOf(first, 1).data.sections.market!.data!.priceUsd;
    // as if the technical section had been cached at an earlier price
    await server.database.db
      .update(ucieAnalysisCache)
      .set({ data: sql`jsonb_set(${ucieAnalysisCache.data}, '{data,lastClose}', '1')` })
      .where(and(eq(ucieAnalysisCache.coinId, "polkadot"), eq(ucieAnalysisCache.analysisType, "technical")));
    const again = await runStream(alice, { symbol: "polkadot", sessionId: sid("stale-b") });
    const technical = phaseOf(again, 3).data.sections.technical!;
    expect(phaseOf(again, 1).data.sections.market!.fromCache).toBe(true);
    expect(technical.fromCache).toBe(false);
    expect(technical.data!.lastClose).toBe(price);
  });

  it("a second request within the TTL is served from the cache without touching the upstream", async () => {
    const before = up.requests.length;
    const beforeCalls = counter.calls.length;
    const r = await runStream(bob, { symbol: "bitcoin", sessionId: sid("cached") });
    expect(phasesOf(r)).toEqual([1, 2, 3, 4]);
    expect(r.events.every((e) => e.data.fromCache)).toBe(true);
    expect(up.requests.length).toBe(before);
    expect(counter.calls.length).toBe(beforeCalls);
    // and analysis.get shows the cached rows with their TTLs
    const market = await bob.trpc.analysis.get.query({ symbol: "BTC", type: "market" });
    const technical = await bob.trpc.analysis.get.query({ symbol: "bitcoin", type: "technical" });
    expect(market!.expiresAt.getTime() - market!.createdAt.getTime()).toBe(6 * 60_000);
    expect(technical!.expiresAt.getTime() - technical!.createdAt.getTime()).toBe(15 * 60_000);
    expect(market!.qualityScore).toBeGreaterThan(0);
    expect(await bob.trpc.analysis.get.query({ symbol: "ethereum", type: "synthesis" })).toBeNull();
  });

  it("refresh recomputes instead of using the cache", async () => {
    const before = counter.count("prices:bitcoin");
    const r = await runStream(alice, { symbol: "bitcoin", sessionId: sid("refresh"), refresh: true });
    expect(r.events.every((e) => !e.data.fromCache)).toBe(true);
    expect(counter.count("prices:bitcoin")).toBe(before + 1);
  });

  it("two users asking for one coin at once cause one fetch per source", async () => {
    const upstreamBefore = up.callsTo("/coins/ethereum/market_chart");
    const [a, b] = await Promise.all([
      runStream(alice, { symbol: "ETH", sessionId: sid("sf-a") }),
      runStream(bob, { symbol: "ethereum", sessionId: sid("sf-b") }),
    ]);
    expect(phasesOf(a)).toEqual([1, 2, 3, 4]);
    expect(phasesOf(b)).toEqual([1, 2, 3, 4]);
    expect(counter.count("prices:ethereum")).toBe(1);
    // history is read by two sections of each run (technical, risk): whether those reads overlap in time depends on
    // the machine's load, so what is asserted is what reaches the upstream: one market_chart call (below)
    expect(counter.count("news:ethereum")).toBe(1);
    expect(counter.count("derivatives:ethereum")).toBe(1);
    expect(counter.count("defiTvl:ethereum")).toBe(1);
    expect(up.callsTo("/coins/ethereum/market_chart") - upstreamBefore).toBe(1);
    // both saw the same figures
    expect(phaseOf(b, 3).data.sections.technical!.data!.rsi14).toBe(phaseOf(a, 3).data.sections.technical!.data!.rsi14);
  });

  it("a connection cut after phase 2 resumes with lastEventId: phases 3 and 4 exactly once", async () => {
    const sessionId = sid("cut");
    const first = await runStream(alice, { symbol: "solana", sessionId }, { stopAfterPhase: 2 });
    expect(phasesOf(first)).toEqual([1, 2]);
    const second = await runStream(alice, { symbol: "solana", sessionId, lastEventId: first.events.at(-1)!.id });
    expect(second.completed).toBe(true);
    expect(phasesOf(second)).toEqual([3, 4]);
    expect(second.events.map((e) => e.id)).toEqual([`${sessionId}:3`, `${sessionId}:4`]);
  });

  it("a reload with the same sessionId replays the stored phases at once and computes only the rest", async () => {
    const sessionId = sid("reload");
    // a slowish history keeps phase 3 running while the client goes away
    up.fail("/coins/cardano/market_chart", "slow", { delayMs: 1_000 });
    const first = await runStream(alice, { symbol: "cardano", sessionId }, { stopAfterPhase: 2 });
    expect(phasesOf(first)).toEqual([1, 2]);
    // the abandoned run's phase 3 goes on in the background (and fills the cache) but is never stored
    await expect.poll(() => alice.trpc.analysis.get.query({ symbol: "cardano", type: "risk" }), { timeout: 10_000 }).not.toBeNull();
    const stored = await server.database.db
      .select({ phase: uciePhaseData.phaseNumber })
      .from(uciePhaseData)
      .where(eq(uciePhaseData.sessionId, sessionId));
    expect(stored.map((x) => x.phase).sort()).toEqual([1, 2]);
    up.clearFailures();
    // refresh bypasses the cache, so only the stored phases can explain 1 and 2 arriving without new calls
    const pricesBefore = counter.count("prices:cardano");
    const fgBefore = counter.count("fearGreed:");
    const historyBefore = counter.count("history:cardano");
    const second = await runStream(alice, { symbol: "cardano", sessionId, refresh: true });
    expect(phasesOf(second)).toEqual([1, 2, 3, 4]);
    expect(second.events[0]!.data).toEqual(first.events[0]!.data);
    expect(second.events[1]!.data).toEqual(first.events[1]!.data);
    expect(counter.count("prices:cardano")).toBe(pricesBefore);
    expect(counter.count("fearGreed:")).toBe(fgBefore);
    expect(counter.count("history:cardano")).toBe(historyBefore + 1);
  });

  it("a slow source makes its section partial with the reason, and the phase still completes in bounded time", async () => {
    up.fail("/cryptocompare", "slow", { delayMs: 8_000 });
    try {
      const started = Date.now();
      const r = await runStream(alice, { symbol: "XRP", sessionId: sid("slow") });
      expect(Date.now() - started).toBeLessThan(7_000);
      expect(phasesOf(r)).toEqual([1, 2, 3, 4]);
      const p2 = phaseOf(r, 2);
      expect(p2.status).toBe("partial");
      expect(p2.data.sections.news!.status).toBe("failed");
      expect(p2.data.sections.news!.reason).toMatch(/in time|timed out|timeout/i);
      expect(p2.data.sections.sentiment!.status).toBe("ok");
      expect(phaseOf(r, 4).data.sections.synthesis!.data!.missing).toContain("news headlines");
    } finally {
      up.clearFailures();
    }
  });

  it("refuses bad input by field, unknown coins and visitors", async () => {
    await expect(alice.trpc.analysis.get.query({ symbol: "bitcoin", type: "astrology" as "market" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
    const bad = await runStream(alice, { symbol: "bitcoin", sessionId: "short" });
    expect(bad.error?.data?.code).toBe("BAD_REQUEST");
    expect(bad.error?.message).toMatch(/^sessionId:/);
    const unknown = await runStream(alice, { symbol: "no-such-coin-xyz", sessionId: sid("nf") });
    expect(unknown.error?.data?.code).toBe("NOT_FOUND");
    const visitor = await runStream(server.client(), { symbol: "bitcoin", sessionId: sid("anon") });
    expect(visitor.error?.data?.code).toBe("UNAUTHORIZED");
  });

  it("logging out closes the session's open stream", async () => {
    const carol = await server.signedInClient();
    up.fail("/simple/price", "slow", { delayMs: 3_000 });
    try {
      const asked = up.callsTo("/simple/price");
      const pending = runStream(carol, { symbol: "dogecoin", sessionId: sid("revoke"), refresh: true });
      // the stream is running (it watches the session first, then asks for the price)
      await expect.poll(() => up.callsTo("/simple/price")).toBeGreaterThan(asked);
      await carol.trpc.auth.logout.mutate();
      const r = await pending;
      expect(r.completed).toBe(false);
      expect(r.error?.data?.code).toBe("UNAUTHORIZED");
      expect(r.events).toHaveLength(0);
    } finally {
      up.clearFailures();
    }
  });
});

describe("analysis offline", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("closes the running day at the snapshot's price, and has 7 and 30 day changes from the history", async () => {
    const r = await runStream(await server.signedInClient(), { symbol: "bitcoin", sessionId: sid("offline") });
    expect(r.completed).toBe(true);
    const [p1, p3] = [phaseOf(r, 1), phaseOf(r, 3)];
    const market = p1.data.sections.market!.data!;
    expect(market.priceUsd).toBe(32_797);
    // the bundled history's 2021-06-24 closes at that day's end (34,662): the page shows one price
    expect(p3.data.sections.technical!.data!.lastClose).toBe(32_797);
    // the snapshot has no 7 or 30 day change; the history loaded for phase 3 gives them
    expect(market.change7dPct).toBeNull();
    const tech = p3.data.sections.technical!.data!;
    const closes: number[] = tech.series.close;
    expect(tech.change7dPct).toBeCloseTo((32_797 / closes.at(-8)! - 1) * 100, 9);
    expect(tech.change30dPct).toBeCloseTo((32_797 / closes.at(-31)! - 1) * 100, 9);
  });
});

describe("analysis with the upstream gone", () => {
  let server: TestServer;
  beforeAll(async () => {
    const port = await closedPort();
    const dead = `http://127.0.0.1:${port}`;
    server = await startTestServer({
      env: {
        MARKET_DATA: "live",
        UPSTREAM_TIMEOUT_MS: "300",
        COINGECKO_API_BASE: dead,
        FEAR_GREED_API_BASE: dead,
        NEWS_API_BASE: dead,
        DEFILLAMA_API_BASE: dead,
        DERIVATIVES_API_BASE: dead,
        MEMPOOL_API_BASE: `${dead}/api`,
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("yields partial or failed phases with reasons, never a hang", async () => {
    const client = await server.signedInClient();
    const r = await runStream(client, { symbol: "bitcoin", sessionId: sid("dead") });
    expect(r.completed).toBe(true);
    expect(phasesOf(r)).toEqual([1, 2, 3, 4]);
    const [p1, p2, p3, p4] = [phaseOf(r, 1), phaseOf(r, 2), phaseOf(r, 3), phaseOf(r, 4)];
    // the catalogue still knows the last price: shown, marked partial, with the reason
    expect(p1.status).toBe("partial");
    expect(p1.data.sections.market!.reason).toMatch(
      /(could not be reached|did not answer in time).* Showing the catalogue's last known figures/,
    );
    expect(p1.data.sections.market!.data!.priceUsd).toBeGreaterThan(0);
    expect(p2.status).toBe("failed");
    expect(p3.status).toBe("failed");
    expect(p3.data.sections.technical!.reason).toMatch(/could not be reached|did not answer in time/i);
    expect(p4.status).toBe("partial");
    expect(p4.data.sections.synthesis!.data!.outlook).toBeNull();
    // failures are not cached: nothing but the partial market row
    const rows = await server.database.db.select({ type: ucieAnalysisCache.analysisType }).from(ucieAnalysisCache);
    expect(rows.map((x) => x.type).sort()).toEqual(["market", "synthesis"]);
  });
});

describe("a server that dies mid-analysis", () => {
  it("leaves stored phases that a request to another server on the same database reuses", async () => {
    const up = await startFakeUpstream();
    const env = { MARKET_DATA: "live", UPSTREAM_TIMEOUT_MS: "1500", ...up.env };
    const database = await createTestDb();
    const a = await startTestServer({ database, env });
    const subsA = countSubscriptions(a);
    let b: TestServer | undefined;
    try {
      const userA = await a.signedInClient();
      const sessionId = sid("crash");
      // phase 3 is still fetching when the client goes away: the run stops there, never storing it
      up.fail("/coins/bitcoin/market_chart", "slow", { delayMs: 1_000 });
      const first = await runStream(userA, { symbol: "bitcoin", sessionId }, { stopAfterPhase: 2 });
      expect(phasesOf(first)).toEqual([1, 2]);
      // the run has ended (its session watch let go), so phase 3 was stored then or never
      await expect.poll(() => subsA.closed(SESSION_REVOKED_CHANNEL), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      await a.close();
      up.clearFailures();
      const stored = await database.db
        .select({ phase: uciePhaseData.phaseNumber })
        .from(uciePhaseData)
        .where(eq(uciePhaseData.sessionId, sessionId));
      expect(stored.map((x) => x.phase).sort()).toEqual([1, 2]);
      b = await startTestServer({ database, env });
      const counter = countCalls(b);
      const userB = await b.signedInClient();
      const r = await runStream(userB, { symbol: "bitcoin", sessionId, refresh: true });
      expect(phasesOf(r)).toEqual([1, 2, 3, 4]);
      expect(r.events[0]!.data).toEqual(first.events[0]!.data);
      expect(r.events[1]!.data).toEqual(first.events[1]!.data);
      expect(counter.count("prices:")).toBe(0);
      expect(counter.count("fearGreed:")).toBe(0);
      expect(counter.count("history:bitcoin")).toBe(1);
    } finally {
      await b?.close();
      await a.close();
      await database.close();
      await up.close();
    }
  });
});
