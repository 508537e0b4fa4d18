/**
 * The real live providers (HTTP client, CoinGecko client, the analysis sources, the auto fallback)
 * against the fake upstream server speaking their wire formats.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "@ucie/config";
import { createLogger } from "../lib/logger";
import { startFakeUpstream, type FakeUpstream } from "../testing";
import { CoinGeckoClient } from "./coingecko";
import { UpstreamError } from "./errors";
import { CallBudget } from "./http";
import { createMarketService } from "./index";
import { createLiveMarket } from "./live";
import type { Candle } from "./types";

const fastRetry = { maxRetries: 2, baseDelayMs: 30, maxRetryAfterMs: 5_000 };
let up: FakeUpstream;

beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(async () => {
  await up.close();
});
beforeEach(() => up.reset());

function config(env: Record<string, string> = {}) {
  return loadConfig({
    LOG_LEVEL: "silent",
    MARKET_DATA: "live",
    COINGECKO_CALLS_PER_MINUTE: "1000",
    UPSTREAM_TIMEOUT_MS: "2000",
    ...up.env,
    ...env,
  });
}
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines };
}
const market = (env: Record<string, string> = {}, opts = {}) =>
  createLiveMarket(config(env), createLogger({ level: "silent" }), { retry: fastRetry, ...opts });

async function rejection(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error("expected a rejection");
}

describe("CoinGecko client", () => {
  it("reads the top coins from /coins/markets with the catalogue's query, labelled live", async () => {
    const m = market();
    const top = await m.topCoins(250);
    expect(top.source).toBe("live");
    expect(top.data).toHaveLength(100);
    expect(top.data[0]).toMatchObject({ id: "bitcoin", symbol: "btc", current_price: 32797 });
    expect(top.data[0]!.sparkline_in_7d?.price.length).toBeGreaterThan(100);
    expect(Date.now() - top.asOf.getTime()).toBeLessThan(60_000);
    const req = up.requests.find((r) => r.path === "/coins/markets")!;
    expect(req.query).toMatchObject({
      vs_currency: "usd",
      per_page: "250",
      page: "1",
      sparkline: "true",
      price_change_percentage: "1h,24h,7d,30d",
    });
    expect(req.headers["x-cg-demo-api-key"]).toBeUndefined();
    expect(req.headers["x-cg-pro-api-key"]).toBeUndefined();
  });

  it("sends a demo key as x-cg-demo-api-key to the configured base and a pro key as x-cg-pro-api-key", async () => {
    await market({ COINGECKO_API_KEY: "demo-secret" }).prices(["bitcoin"]);
    const demo = up.requests.at(-1)!;
    expect(demo.provider).toBe("coingecko");
    expect(demo.headers["x-cg-demo-api-key"]).toBe("demo-secret");
    expect(demo.headers["x-cg-pro-api-key"]).toBeUndefined();

    await market({ COINGECKO_API_KEY: "pro-secret", COINGECKO_API_PLAN: "pro", COINGECKO_API_BASE: up.env.COINGECKO_PRO_API_BASE }).prices([
      "bitcoin",
    ]);
    const pro = up.requests.at(-1)!;
    expect(pro.provider).toBe("coingecko-pro");
    expect(pro.headers["x-cg-pro-api-key"]).toBe("pro-secret");
    expect(pro.headers["x-cg-demo-api-key"]).toBeUndefined();
  });

  it("defaults to each plan's own host when no base is configured", () => {
    const base = (env: Record<string, string>) => new CoinGeckoClient(loadConfig(env), createLogger({ level: "silent" })).http.baseUrl;
    expect(base({})).toBe("https://api.coingecko.com/api/v3");
    expect(base({ COINGECKO_API_PLAN: "pro", COINGECKO_API_KEY: "k" })).toBe("https://pro-api.coingecko.com/api/v3");
  });

  it("says in one log line at start-up whether the key fits the plan, never logging the key", async () => {
    up.requireKey("pro", "pro-secret");
    const good = capturedLogger();
    const ok = await new CoinGeckoClient(
      config({ COINGECKO_API_KEY: "pro-secret", COINGECKO_API_PLAN: "pro", COINGECKO_API_BASE: up.env.COINGECKO_PRO_API_BASE }),
      good.logger,
    ).checkPlan();
    expect(ok.ok).toBe(true);
    expect(good.lines).toHaveLength(1);
    expect(good.lines[0]).toMatch(/fits the pro plan/);

    // a demo key pointed at the pro host: CoinGecko answers 400 and says so
    const bad = capturedLogger();
    const wrong = await new CoinGeckoClient(
      config({ COINGECKO_API_KEY: "demo-secret", COINGECKO_API_PLAN: "demo", COINGECKO_API_BASE: up.env.COINGECKO_PRO_API_BASE }),
      bad.logger,
    ).checkPlan();
    expect(wrong.ok).toBe(false);
    expect(bad.lines.filter((l) => /"level":(40|50)/.test(l))).toHaveLength(1);
    expect(bad.lines.join("\n")).toMatch(/does not fit COINGECKO_API_PLAN=demo/);
    expect([...good.lines, ...bad.lines].join("\n")).not.toMatch(/secret/);
  });

  it("waits out a 429 with Retry-After and then answers", async () => {
    up.fail("/coins/markets", "rate-limit", { retryAfter: 1, times: 1 });
    const started = Date.now();
    const top = await market().topCoins(10);
    expect(top.data).toHaveLength(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(up.callsTo("/coins/markets")).toBe(2);
  });

  it("gives up at once on a Retry-After longer than it may wait, and on the HTML page a proxy sends", async () => {
    up.fail("/coins/markets", "html", { retryAfter: 3600 });
    const started = Date.now();
    const err = await rejection(market().topCoins(10));
    expect(err).toMatchObject({ kind: "rate_limited", status: 429, retryAfterMs: 3_600_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(up.callsTo("/coins/markets")).toBe(1);

    up.fail("/simple/price", "html");
    expect(await rejection(market().prices(["bitcoin"]))).toMatchObject({ kind: "rate_limited" });
    expect(up.callsTo("/simple/price")).toBe(3); // the first try and two retries
  });

  it("retries a 5xx and succeeds when the upstream recovers", async () => {
    up.fail("/simple/price", "error", { status: 503, times: 2 });
    const p = await market().prices(["bitcoin"]);
    expect(p.data.bitcoin?.usd).toBe(32797);
    expect(up.callsTo("/simple/price")).toBe(3);
  });

  it("turns a malformed body into an invalid_response error, not a crash", async () => {
    up.fail("/coins/markets", "garbage");
    expect(await rejection(market().topCoins(10))).toMatchObject({ kind: "invalid_response", provider: "coingecko" });
    up.fail("/simple/price", "error", { status: 200 }); // 200 with an object that is not a price map
    expect(await rejection(market().prices(["bitcoin"]))).toMatchObject({ kind: "invalid_response" });
  });

  it("times out a slow upstream after UPSTREAM_TIMEOUT_MS instead of hanging", async () => {
    up.fail("/coins/markets", "slow", { delayMs: 10_000 });
    const started = Date.now();
    expect(await rejection(market({ UPSTREAM_TIMEOUT_MS: "300" }).topCoins(10))).toMatchObject({ kind: "timeout" });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("stops at once when the caller aborts", async () => {
    up.fail("/coins/markets", "slow", { delayMs: 10_000 });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const started = Date.now();
    expect(await rejection(market().topCoins(10, ctl.signal))).toMatchObject({ kind: "aborted" });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("batches prices into one /simple/price call per 100 ids and leaves unknown ids out", async () => {
    const ids = [...up.coins().map((c) => c.id), ...Array.from({ length: 150 }, (_, i) => `unknown-${i}`)];
    const p = await market().prices(ids);
    const calls = up.requests.filter((r) => r.path === "/simple/price");
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.query.ids!.split(",").length)).toEqual([100, 100, 50]);
    expect(Object.keys(p.data)).toHaveLength(100);
    expect(p.data["unknown-1"]).toBeUndefined();
  });

  it("shares one upstream call between identical concurrent callers and reuses it briefly", async () => {
    const m = market();
    const results = await Promise.all(Array.from({ length: 5 }, () => m.topCoins(50)));
    expect(results.every((r) => r.data.length === 50)).toBe(true);
    expect(up.callsTo("/coins/markets")).toBe(1);
    await m.topCoins(100);
    expect(up.callsTo("/coins/markets")).toBe(1);
    await m.fearGreed(7);
    await m.fearGreed(7);
    expect(up.callsTo("/fng/")).toBe(1);
  });

  // the budget's own timing is tested on a fake clock in budget.test.ts; here, that every caller uses it
  it("takes every CoinGecko call, whatever the coin, from one shared call budget", async () => {
    const take = vi.spyOn(CallBudget.prototype, "take");
    try {
      const m = market();
      await Promise.all(["bitcoin", "ethereum", "tether", "cardano"].map((id) => m.history(id, 5)));
      await m.prices(["bitcoin"]);
      expect(take).toHaveBeenCalledTimes(up.requests.filter((r) => r.path.startsWith("/coins/") || r.path.startsWith("/simple/")).length);
      expect(new Set(take.mock.contexts).size).toBe(1);
    } finally {
      take.mockRestore();
    }
  });

  it("pauses every caller for as long as the upstream says when x-ratelimit-remaining is 0", async () => {
    up.setHeaders("/ping", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" });
    const pause = vi.spyOn(CallBudget.prototype, "pause");
    try {
      const m = market();
      await m.coingecko.checkPlan();
      expect(pause).toHaveBeenCalledTimes(1);
      expect(pause.mock.calls[0]![0]).toBeGreaterThan(0);
      expect(pause.mock.calls[0]![0]).toBeLessThanOrEqual(1_000);
    } finally {
      pause.mockRestore();
    }
  });

  it("builds daily candles, oldest first, ending at the current price", async () => {
    up.setPrice("ethereum", 2500);
    const h = await market().history("ethereum", 30);
    expect(h.source).toBe("live");
    expect(h.data).toHaveLength(30);
    expectDaily(h.data);
    expect(h.data.at(-1)!.close).toBe(2500);
    const long = await market().history("ethereum", 200);
    expect(long.data).toHaveLength(200);
    expectDaily(long.data);
    expect(up.requests.filter((r) => r.path === "/coins/ethereum/market_chart").map((r) => r.query.days)).toEqual(["30", "200"]);
  });

  it("splits history to what the plan allows", async () => {
    const demo = await market({ COINGECKO_API_KEY: "d" }).history("bitcoin", 800);
    expect(demo.data.length).toBeLessThanOrEqual(366);
    expect(demo.note).toMatch(/365 days/);
    expect(up.requests.filter((r) => r.path.startsWith("/coins/bitcoin/market_chart")).map((r) => r.query.days)).toEqual(["365"]);

    up.reset();
    const pro = await market({
      COINGECKO_API_KEY: "p",
      COINGECKO_API_PLAN: "pro",
      COINGECKO_API_BASE: up.env.COINGECKO_PRO_API_BASE,
    }).history("bitcoin", 800);
    const ranges = up.requests.filter((r) => r.path === "/coins/bitcoin/market_chart/range");
    expect(ranges).toHaveLength(3);
    for (const r of ranges) expect(Number(r.query.to) - Number(r.query.from)).toBeLessThanOrEqual(365 * 86_400);
    expect(pro.data.length).toBeGreaterThanOrEqual(799);
    expectDaily(pro.data);
  });

  it("builds hourly candles for up to 90 days, one an hour, ending at the current price", async () => {
    up.setPrice("ethereum", 2600);
    const m = market();
    const week = await m.hourlyHistory("ethereum", 7);
    expect(week.source).toBe("live");
    expect(week.data).toHaveLength(7 * 24);
    for (let i = 1; i < week.data.length; i++) expect(week.data[i]!.t - week.data[i - 1]!.t).toBe(3_600_000);
    expect(week.data.at(-1)!.close).toBe(2600);
    const day = await m.hourlyHistory("ethereum", 1);
    expect(day.data).toHaveLength(24);
    await m.hourlyHistory("ethereum", 7);
    // cached: the second 7-day call costs nothing upstream
    expect(up.requests.filter((r) => r.path === "/coins/ethereum/market_chart").map((r) => r.query.days)).toEqual(["7", "1"]);
  });

  it("reads a coin's details with the description as plain text and only http links, cached for the day", async () => {
    const m = market();
    const d = await m.details("bitcoin");
    expect(d.source).toBe("live");
    expect(d.data).toMatchObject({
      id: "bitcoin",
      homepage: "https://bitcoin.example.org/",
      explorers: ["https://explorer.example.org/bitcoin"],
      categories: ["Layer 1 (L1)", "Smart Contract Platform"],
      genesisDate: "2009-01-03",
      maxSupply: 21_000_000,
    });
    expect(d.data!.athUsd).toBeGreaterThan(0);
    expect(d.data!.athDate).toBeInstanceOf(Date);
    expect(d.data!.description).toBe('Bitcoin is a cryptocurrency & a test coin.\n\nIt trades as BTC.\nIts "genesis" was long ago.');
    expect(d.data!.description).not.toMatch(/[<>]|alert/);
    await m.details("bitcoin");
    expect(up.callsTo("/coins/bitcoin")).toBe(1);
    expect(up.requests.find((r) => r.path === "/coins/bitcoin")!.query).toMatchObject({ tickers: "false", localization: "false" });
    await expect(m.details("no-such-coin")).rejects.toMatchObject({ status: 404 });
  });

  it("searches CoinGecko's list", async () => {
    const hits = await market().coingecko.search("doge");
    expect(hits[0]).toMatchObject({ id: "dogecoin", symbol: "DOGE" });
  });
});

describe("analysis sources", () => {
  const btc = { id: "bitcoin", symbol: "btc", name: "Bitcoin" };
  it("reads Fear and Greed, news, TVL, futures and on-chain figures in their wire formats", async () => {
    const m = market();
    const fg = await m.fearGreed(10);
    expect(fg.data).toHaveLength(10);
    expect(fg.data[0]!.timestamp.getTime()).toBeGreaterThan(fg.data[9]!.timestamp.getTime());
    expect(typeof fg.data[0]!.value).toBe("number");
    expect(up.requests.find((r) => r.path === "/fng/")!.query.limit).toBe("10");

    const news = await m.news(btc, 5);
    expect(news.data).toHaveLength(5);
    expect(news.data[0]).toMatchObject({ source: "Example Wire" });
    expect(up.requests.find((r) => r.provider === "news")!.query).toMatchObject({ lang: "EN", categories: "BTC" });

    expect((await m.defiTvl({ id: "uniswap", symbol: "uni", name: "Uniswap" })).data).toMatchObject({ slug: "uniswap-v3", tvlUsd: 4.1e9 });
    expect((await m.defiTvl({ id: "ethereum", symbol: "eth", name: "Ethereum" })).data).toMatchObject({ slug: "Ethereum" });
    expect((await m.defiTvl(btc)).data).toBeNull();

    const d = await m.derivatives(btc);
    expect(d.data).toMatchObject({ contract: "BTCUSDT", markPrice: 32797 });
    expect(d.data!.openInterestUsd).toBeGreaterThan(0);
    expect((await m.derivatives({ id: "ankr", symbol: "ankr" })).data).toBeNull();

    const chain = await m.bitcoinOnchain();
    expect(chain.data).toMatchObject({ mempoolTxCount: 41234, fees: { fastest: 12 } });
    expect(chain.data!.blockHeight).toBeGreaterThan(840_000);
    expect(chain.data!.hashrateEhs).toBe(650);
  });

  it("leaves a failing on-chain figure null and reads the rest", async () => {
    up.fail("/blocks/tip/height", "garbage");
    const chain = await market().bitcoinOnchain();
    expect(chain.data!.blockHeight).toBeNull();
    expect(chain.data!.fees).not.toBeNull();
  });

  it("treats CryptoCompare's 200-with-error body as an error", async () => {
    up.fail("/data/v2/news", "error", { status: 200 });
    expect(await rejection(market().news(btc, 3))).toMatchObject({ provider: "news", kind: "invalid_response" });
  });
});

describe("MARKET_DATA", () => {
  it("auto falls back to the offline data per call and labels what it used", async () => {
    const { logger, lines } = capturedLogger();
    const svc = createMarketService(config({ MARKET_DATA: "auto", UPSTREAM_TIMEOUT_MS: "300" }), logger, { retry: fastRetry });
    up.fail("/coins/markets", "slow", { delayMs: 5_000 });
    const top = await svc.topCoins(10);
    expect(top.source).toBe("snapshot");
    expect(top.asOf.toISOString()).toBe("2021-06-24T03:32:13.383Z");
    up.fail("/coins/ethereum/market_chart", "garbage");
    expect((await svc.history("ethereum", 10)).source).toBe("simulated");
    // sources still up answer live
    expect((await svc.prices(["bitcoin"])).source).toBe("live");
    expect(lines.join("\n")).toMatch(/using offline data/);
  });

  it("live mode reports the failure instead", async () => {
    const svc = createMarketService(config({ MARKET_DATA: "live" }), createLogger({ level: "silent" }), { retry: fastRetry });
    up.fail("/fng/", "error");
    expect(await rejection(svc.fearGreed(3))).toMatchObject({ provider: "fear-greed", kind: "http", status: 500 });
  });

  it("auto with nothing listening degrades to offline quickly", async () => {
    const dead = "http://127.0.0.1:9";
    const svc = createMarketService(
      loadConfig({
        MARKET_DATA: "auto",
        COINGECKO_API_BASE: dead,
        FEAR_GREED_API_BASE: dead,
        NEWS_API_BASE: dead,
        UPSTREAM_TIMEOUT_MS: "500",
      }),
      createLogger({ level: "silent" }),
      { retry: fastRetry },
    );
    const started = Date.now();
    expect((await svc.topCoins(5)).source).toBe("snapshot");
    expect((await svc.fearGreed(5)).source).toBe("simulated");
    expect(await svc.news({ id: "bitcoin", symbol: "btc", name: "Bitcoin" }, 5)).toMatchObject({ data: [], unavailable: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

function expectDaily(candles: Candle[]) {
  for (let i = 1; i < candles.length; i++) expect(candles[i]!.t - candles[i - 1]!.t).toBe(86_400_000);
  for (const c of candles) {
    expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close) - 1e-9);
    expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close) + 1e-9);
  }
}
