/** The screener job and `screener.run` on a real database, offline: every column is the analysis code's own figure. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@ucie/config";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { createContextInner } from "../context";
import { streamAnalysis } from "../analysis/engine";
import type { PhaseEvent } from "../analysis/types";
import { computeRisk } from "../analysis/risk";
import { withCurrentPrice } from "../analysis/sections";
import { upsertCoins } from "../market/catalogue";
import { resolveCoin } from "../market/resolve";
import { loadSnapshot } from "../market/snapshot";
import { createCaller } from "../root";
import { createServices, type Services } from "../services";
import { refreshScreener } from "./screener";

describe.each(testDbKinds())("screener (%s)", (kind) => {
  let database: TestDatabase;
  let services: Services;
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    database = await createTestDb(kind);
    services = createServices(database, { config: loadConfig({ MARKET_DATA: "offline", LOG_LEVEL: "silent" }) });
    await upsertCoins(database.db, loadSnapshot(), "snapshot");
    caller = createCaller(await createContextInner({ services }));
  });
  afterAll(() => database?.close());

  it("computes a row for every snapshot coin, labelled with its source and as-of", async () => {
    const before = await caller.screener.run();
    expect(before.rows).toEqual([]);
    const result = await refreshScreener(services);
    expect(result.failed).toBe(0);
    expect(result.computed).toBe(loadSnapshot().filter((c) => c.current_price != null).length);
    const page = await caller.screener.run({ limit: 250 });
    expect(page.rows).toHaveLength(result.computed);
    expect(page.rows[0]).toMatchObject({ id: "bitcoin", symbol: "BTC", rank: 1, source: "snapshot" });
    expect(page.rows.find((r) => r.id === "ethereum")?.source).toBe("simulated");
    expect(page.asOf?.toISOString().slice(0, 10)).toBe("2021-06-24");
  });

  it.each(["bitcoin", "ethereum"])("%s: every column equals the analysis page's figure for the same day", async (id) => {
    const coin = await resolveCoin(services.db, id);
    if (!coin) throw new Error("no coin");
    const events: PhaseEvent[] = [];
    for await (const e of streamAnalysis(services, { coin, sessionId: `screener-${id}`, refresh: false, afterPhase: 0 })) events.push(e);
    const sections = Object.assign({}, ...events.map((e) => e.data.sections));
    const market = sections.market.data;
    const technical = sections.technical.data;
    const synthesis = sections.synthesis.data;
    const { rows } = await caller.screener.run({ limit: 250 });
    const row = rows.find((r) => r.id === id)!;

    expect(row.price).toBe(market.priceUsd);
    expect(row.change24h).toBe(market.change24hPct);
    expect(row.change7d).toBe(technical.change7dPct);
    expect(row.change30d).toBe(technical.change30dPct);
    expect(row.rsi14).toBe(technical.rsi14);
    expect(row.trend.cross).toBe(technical.trend.state);
    expect(row.trend.crossDaysAgo).toBe(technical.trend.crossedDaysAgo);
    expect(row.trend.aboveSma200).toBe(technical.lastClose > technical.sma200);
    expect(row.score).toBe(synthesis.score);

    // the 30-day volatility is the risk code's figure over the last 31 closes; drawdown and volume from the same candles
    const h = await services.market.history(id, 365);
    const candles = withCurrentPrice(h.data, market.priceUsd, sections.market.asOf);
    expect(row.volatility30d).toBe(computeRisk(candles.slice(-31), null).annualisedVolatilityPct);
    const high = Math.max(...candles.slice(-365).map((c) => c.high));
    expect(row.drawdown).toBeCloseTo((candles.at(-1)!.close / high - 1) * 100, 9);
    const prior = candles.slice(-31, -1);
    expect(row.volumeRatio).toBeCloseTo(candles.at(-1)!.volume / (prior.reduce((s, c) => s + c.volume, 0) / prior.length), 9);
  });

  it("filters and sorts in SQL, pages with a cursor", async () => {
    const all = (await caller.screener.run({ limit: 250 })).rows;
    const oversold = await caller.screener.run({ filters: { rsiBelow: 40 }, sort: { by: "rsi14", dir: "asc" }, limit: 250 });
    expect(oversold.rows.map((r) => r.id).sort()).toEqual(
      all
        .filter((r) => r.rsi14 !== null && r.rsi14 < 40)
        .map((r) => r.id)
        .sort(),
    );
    const rsis = oversold.rows.map((r) => r.rsi14!);
    expect(rsis).toEqual([...rsis].sort((a, b) => a - b));

    const golden = await caller.screener.run({ filters: { trend: "golden_cross", crossWithinDays: 30 }, limit: 250 });
    expect(golden.rows.every((r) => r.trend.cross === "golden_cross" && r.trend.crossDaysAgo! <= 30)).toBe(true);
    expect(golden.rows.length).toBe(
      all.filter((r) => r.trend.cross === "golden_cross" && r.trend.crossDaysAgo !== null && r.trend.crossDaysAgo <= 30).length,
    );

    const below = await caller.screener.run({ filters: { trend: "below_sma200", change7dBelow: 0, minMarketCap: 1e9 }, limit: 250 });
    for (const r of below.rows) {
      expect(r.trend.aboveSma200).toBe(false);
      expect(r.change7d!).toBeLessThan(0);
      expect(r.marketCap!).toBeGreaterThanOrEqual(1e9);
    }
    const calm = await caller.screener.run({
      filters: { maxVolatility: 60, change7dAbove: -5 },
      sort: { by: "change7d", dir: "desc" },
      limit: 250,
    });
    const ch = calm.rows.map((r) => r.change7d!);
    expect(ch).toEqual([...ch].sort((a, b) => b - a));
    expect(calm.rows.every((r) => r.volatility30d! <= 60 && r.change7d! > -5)).toBe(true);

    const first = await caller.screener.run({ limit: 10 });
    const second = await caller.screener.run({ limit: 10, cursor: first.nextCursor });
    expect(first.rows.map((r) => r.rank)).toEqual(all.slice(0, 10).map((r) => r.rank));
    expect(second.rows.map((r) => r.id)).toEqual(all.slice(10, 20).map((r) => r.id));
  });

  it("rejects bad filters naming the field", async () => {
    await expect(caller.screener.run({ filters: { rsiBelow: 140 } })).rejects.toThrow(/rsiBelow/);
    // @ts-expect-error an unknown trend
    await expect(caller.screener.run({ filters: { trend: "sideways" } })).rejects.toThrow(/trend/);
    await expect(caller.screener.run({ limit: 1000 })).rejects.toThrow(/limit/);
  });
});
