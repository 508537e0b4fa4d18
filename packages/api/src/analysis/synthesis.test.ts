import { describe, expect, it } from "vitest";
import type { TechnicalSnapshot } from "./indicators";
import { buildMarketSnapshot, marketCondition, type CatalogueRow } from "./market-snapshot";
import { freshness, phaseQuality, phaseStatus, qualityScore } from "./quality";
import type { RiskData } from "./risk";
import { fearGreedTrend, scoreHeadline, scoreNews } from "./sentiment";
import { priceRange, synthesize } from "./synthesis";

const technical = (over: Partial<TechnicalSnapshot> = {}): TechnicalSnapshot => ({
  candles: 365,
  firstDay: "2020-06-24",
  lastDay: "2021-06-24",
  lastClose: 110,
  rsi14: 72.4,
  macd: { macd: 1, signal: 0.5, histogram: 0.5 },
  bollinger: null,
  ema20: null,
  ema50: null,
  ema200: null,
  sma20: null,
  sma50: 105,
  sma200: 100,
  stochastic: { k: 50, d: 50 },
  atr14: null,
  atrPct: null,
  trend: { sma50: 105, sma200: 100, state: "golden_cross", crossedDaysAgo: 10, label: "" },
  ...over,
});
const risk = (over: Partial<RiskData> = {}): RiskData => ({
  days: 365,
  dailyVolatilityPct: 2,
  annualisedVolatilityPct: 38.2,
  maxDrawdownPct: 30,
  var95Pct: 3,
  benchmark: "bitcoin",
  alignedDays: 365,
  correlationBtc: 1,
  betaBtc: 1,
  method: "",
  ...over,
});
const row = (over: Partial<CatalogueRow> = {}): CatalogueRow => ({
  coingeckoId: "x",
  symbol: "X",
  name: "X",
  imageUrl: null,
  marketCapRank: 5,
  currentPriceUsd: 90,
  marketCapUsd: 1e9,
  totalVolumeUsd: 1e8,
  priceChangePct24h: 1,
  priceChangePct7d: 2,
  priceChangePct30d: 3,
  high24hUsd: 91,
  low24hUsd: 89,
  athUsd: 100,
  athDate: new Date("2021-04-14T00:00:00Z"),
  circulatingSupply: 1,
  maxSupply: null,
  source: "snapshot",
  isActive: true,
  lastUpdated: new Date("2021-06-24T00:00:00Z"),
  ...over,
});

describe("market condition", () => {
  it("is a bear market at 20% or more below the all-time high, at the high within 1%, neutral between", () => {
    expect(marketCondition(-20).condition).toBe("bear_market");
    expect(marketCondition(-19.9).condition).toBe("neutral");
    expect(marketCondition(-0.5).condition).toBe("all_time_high");
    expect(buildMarketSnapshot(row({ currentPriceUsd: 80 }), null)).toMatchObject({
      distanceFromAthPct: expect.closeTo(-20, 10),
      condition: "bear_market",
    });
    // a live price above the recorded high is the new high
    expect(buildMarketSnapshot(row(), { usd: 120 })).toMatchObject({
      priceUsd: 120,
      athUsd: 120,
      distanceFromAthPct: 0,
      condition: "all_time_high",
    });
  });
});

describe("synthesis", () => {
  it("lists every rule with its points, and the score is 50 plus their sum", () => {
    // one price: the market's current price is the chart's last close (110), 8% below the all-time high
    const market = buildMarketSnapshot(row({ currentPriceUsd: 110, athUsd: 120 }), null);
    const s = synthesize({ market, technical: technical(), risk: risk(), fearGreed: null, news: null });
    const texts = s.reasons.map((r) => r.text);
    expect(texts).toContain("RSI 72: overbought, -10");
    expect(texts).toContain("Golden cross: 50-day above 200-day, +10");
    expect(texts).toContain("Price above its 200-day average (10.0%), +10");
    expect(texts).toContain("MACD above its signal line, +5");
    expect(texts).toContain("Annualised volatility 38%: moderate, +5");
    // 10 + 10 + 5 - 10 + 0 (stochastic) + 5 + 0 (drawdown) + 0 (neutral, 10% below ATH) = 20
    expect(s.score).toBe(70);
    expect(s.rating).toBe("bullish");
    expect(s.components).toEqual({ trend: 25, momentum: -10, risk: 5, sentiment: 0 });
    expect(s.missing).toEqual(["Fear and Greed index", "news headlines"]);
  });

  it("compares the page's one price, phase 1's, with the 200-day average", () => {
    const s = synthesize({
      market: buildMarketSnapshot(row({ currentPriceUsd: 90 }), null),
      technical: technical(),
      risk: risk(),
      fearGreed: null,
      news: null,
    });
    expect(s.reasons.map((r) => r.text)).toContain("Price below its 200-day average (-10.0%), -10");
    expect(s.outlook?.priceUsd).toBe(90);
  });

  it("gives 7- and 30-day ranges of price·exp(±1.645·σ·√t)", () => {
    // σ = 2% a day, 7 days: 1.6449 * 0.02 * √7 = 0.087037
    const r = priceRange(100, 0.02, 7);
    expect(r.low).toBeCloseTo(91.6643, 3);
    expect(r.high).toBeCloseTo(109.0937, 3);
    const s = synthesize({
      market: buildMarketSnapshot(row({ currentPriceUsd: 100 }), null),
      technical: null,
      risk: risk(),
      fearGreed: null,
      news: null,
    });
    expect(s.outlook?.ranges.map((x) => x.days)).toEqual([7, 30]);
    expect(s.outlook?.ranges[0]?.high).toBeCloseTo(109.0937, 3);
    expect(s.outlook?.assumption).toMatch(/zero drift/);
  });

  it("invents nothing: no price range without volatility", () => {
    const s = synthesize({ market: buildMarketSnapshot(row(), null), technical: null, risk: null, fearGreed: null, news: null });
    expect(s.outlook).toBeNull();
    expect(s.missing).toContain("volatility");
  });
});

describe("sentiment", () => {
  it("scores headlines with the AFINN lexicon plus market words", () => {
    expect(scoreHeadline("Bitcoin rally lifts the whole market").label).toBe("positive");
    expect(scoreHeadline("Exchange hacked, users lose funds").label).toBe("negative");
    expect(scoreHeadline("Bitcoin trades at 35,000").label).toBe("neutral");
    const n = scoreNews([
      { title: "Great adoption news", url: "https://a", source: "A", publishedAt: new Date() },
      { title: "Crash wipes out gains", url: "https://b", source: "B", publishedAt: new Date() },
    ]);
    expect(n).toMatchObject({ count: 2, positive: 1, negative: 1 });
  });

  it("Fear and Greed trend compares with 7 and 30 days before", () => {
    const day = 86_400_000;
    const points = Array.from({ length: 31 }, (_, i) => ({
      value: 60 - i,
      classification: "Greed",
      timestamp: new Date(Date.UTC(2021, 5, 24) - i * day),
    }));
    const fg = fearGreedTrend(points)!;
    expect(fg).toMatchObject({
      value: 60,
      value7dAgo: 53,
      value30dAgo: 30,
      change7d: 7,
      change30d: 30,
      trend7d: "rising",
      trend30d: "rising",
      average7d: 57,
    });
    expect(fg.history[0]!.value).toBe(30);
    expect(fearGreedTrend([])).toBeNull();
  });
});

describe("quality score", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  it("is 100 for complete fresh live data, capped low for simulated and in the middle for the snapshot", () => {
    expect(qualityScore({ status: "ok", source: "live", asOf: now.toISOString(), completeness: 1 }, now)).toBe(100);
    expect(qualityScore({ status: "ok", source: "simulated", asOf: now.toISOString(), completeness: 1 }, now)).toBe(30);
    expect(qualityScore({ status: "ok", source: "snapshot", asOf: "2021-06-24T00:00:00Z", completeness: 1 }, now)).toBe(58);
    expect(qualityScore({ status: "failed", source: "live", asOf: now.toISOString(), completeness: 1 }, now)).toBe(0);
    expect(freshness(new Date(now.getTime() - 12 * 3_600_000 - 7.5 * 60_000).toISOString(), now)).toBeCloseTo(0.5, 6);
  });

  it("a phase is partial when any counted section failed, failed when all did; unavailable sections do not count", () => {
    expect(phaseStatus(["ok", "unavailable"])).toBe("complete");
    expect(phaseStatus(["ok", "failed"])).toBe("partial");
    expect(phaseStatus(["failed", "unavailable"])).toBe("failed");
    const s = (status: "ok" | "unavailable", q: number) => ({
      status,
      qualityScore: q,
      data: null,
      source: null,
      asOf: null,
      fromCache: false,
      computedAt: "",
    });
    expect(phaseQuality([s("ok", 80), s("ok", 40), s("unavailable", 0)])).toBe(60);
  });
});
