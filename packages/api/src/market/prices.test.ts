/** The minute-by-minute price refresh against the fake CoinGecko (real client code) and a real database. */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ucieTokens, ucieWatchlist, users } from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { startFakeUpstream, type FakeUpstream } from "../testing";
import { fakeUpstreamServices } from "../testing/services";
import { refreshPrices, syncCatalogue, upsertCoins } from "./catalogue";
import { loadSnapshot } from "./snapshot";

describe.each(testDbKinds())("price refresh (%s)", (kind) => {
  let up: FakeUpstream;
  let database: TestDatabase;
  const services = (mode: "live" | "offline" | "auto") => fakeUpstreamServices(database, up, mode);
  const price = async (id: string) =>
    (
      await database.db
        .select({ p: ucieTokens.currentPriceUsd, active: ucieTokens.isActive })
        .from(ucieTokens)
        .where(eq(ucieTokens.coingeckoId, id))
    )[0];

  beforeAll(async () => {
    up = await startFakeUpstream();
    database = await createTestDb(kind);
    await syncCatalogue(services("live"));
  });
  afterAll(async () => {
    await up?.close();
    await database?.close();
  });

  it("writes the current price of catalogue coins, in one upstream call", async () => {
    up.setPrice("bitcoin", 61_234);
    const before = up.callsTo("/coins/markets");
    const r = await refreshPrices(services("live"));
    expect(r.source).toBe("live");
    expect(r.updated).toBe(100);
    expect(up.callsTo("/coins/markets") - before).toBe(1);
    expect((await price("bitcoin"))!.p).toBe(61_234);
  });

  it("never adds coins: that is the daily sync's job", async () => {
    up.addCoin({ id: "brand-new-coin", symbol: "bnc", name: "Brand New", current_price: 1, market_cap_rank: 101 });
    await refreshPrices(services("live"));
    expect(await price("brand-new-coin")).toBeUndefined();
  });

  it("prices a watched coin that is outside the top list with a batched simple/price call", async () => {
    await upsertCoins(
      database.db,
      [{ ...loadSnapshot()[0]!, id: "tiny-cap", symbol: "tiny", name: "Tiny Cap", market_cap_rank: 4000, current_price: 0.5 }],
      "live",
    );
    const [u] = await database.db.insert(users).values({ email: "watcher@example.com", passwordHash: "x" }).returning({ id: users.id });
    await database.db.insert(ucieWatchlist).values({ userId: u!.id, symbol: "TINY", coinId: "tiny-cap" });
    up.addCoin({ id: "tiny-cap", symbol: "tiny", name: "Tiny Cap", current_price: 0.75, market_cap_rank: 4000 });
    up.setPrice("tiny-cap", 0.75);
    // the fake lists every coin it knows in /coins/markets; take tiny-cap off that page but keep it priced
    const r = await refreshPrices({
      ...services("live"),
      market: {
        ...services("live").market,
        topCoins: async (n, s) => {
          const top = await services("live").market.topCoins(n, s);
          return { ...top, data: top.data.filter((c) => c.id !== "tiny-cap") };
        },
      },
    });
    expect(r.updated).toBeGreaterThan(100);
    expect((await price("tiny-cap"))!.p).toBe(0.75);
  });

  it("writes nothing from an offline or fallen-back answer", async () => {
    const live = (await price("bitcoin"))!.p;
    up.fail("/coins/markets", "error");
    const r = await refreshPrices(services("auto"));
    expect(r).toMatchObject({ source: "snapshot", updated: 0 });
    expect((await price("bitcoin"))!.p).toBe(live);
    up.clearFailures();
    expect((await refreshPrices(services("offline"))).updated).toBe(0);
  });
});
