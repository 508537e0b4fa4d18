/**
 * However many different `days` strangers ask for, a coin's hourly history costs at most four upstream calls
 * and cached answers: it is cut from HOURLY_RANGES, as daily history is cut from HISTORY_RANGES (live market
 * data from the fake upstream, counted as it arrives there).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@ucie/config";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { createContextInner } from "../context";
import { silentLogger } from "../lib/logger";
import { syncCatalogue } from "../market/catalogue";
import { createMarketService } from "../market";
import { createCaller } from "../root";
import { createServices, type Services } from "../services";
import { startFakeUpstream, type FakeUpstream } from "../testing";
import { HOURLY_RANGES } from "./tokens";

describe.each(testDbKinds())("history ranges (%s)", (kind) => {
  let up: FakeUpstream;
  let database: TestDatabase;
  let services: Services;
  beforeAll(async () => {
    up = await startFakeUpstream();
    database = await createTestDb(kind);
    const config = loadConfig({
      MARKET_DATA: "live",
      LOG_LEVEL: "silent",
      COINGECKO_CALLS_PER_MINUTE: "1000",
      UPSTREAM_TIMEOUT_MS: "2000",
      ...up.env,
    });
    services = createServices(database, {
      config,
      market: createMarketService(config, silentLogger, { retry: { maxRetries: 1, baseDelayMs: 10, maxRetryAfterMs: 1000 } }),
    });
    await syncCatalogue(services);
  });
  afterAll(async () => {
    await services?.events.close();
    await up?.close();
    await database?.close();
  });

  it("answers hourly history for every day count up to 90 from four upstream calls, each answer the last n days of its range", async () => {
    const caller = createCaller(await createContextInner({ services }));
    up.reset();
    const answers = new Map<number, Awaited<ReturnType<typeof caller.tokens.history>>>();
    for (let days = 1; days <= 90; days++) answers.set(days, await caller.tokens.history({ symbol: "ethereum", days, interval: "hourly" }));
    const calls = up.requests.filter((r) => r.path === "/coins/ethereum/market_chart").map((r) => Number(r.query.days));
    expect(calls.sort((a, b) => a - b)).toEqual([...HOURLY_RANGES]);
    for (const [days, candles] of answers) {
      expect(candles, `${days} days`).toHaveLength(days * 24);
      for (let i = 1; i < candles.length; i++) expect(candles[i]!.t - candles[i - 1]!.t).toBe(3_600_000);
    }
    // a cut answer is the end of its range's answer: 20 days are the last 480 hours of the 30-day range
    expect(answers.get(20)).toEqual(answers.get(30)!.slice(-20 * 24));
    expect((await caller.tokens.historyMeta({ symbol: "ethereum", days: 45, interval: "hourly" })).candles).toBe(45 * 24);
  });
});
