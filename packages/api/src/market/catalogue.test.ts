/** The catalogue sync against the fake CoinGecko (real client code) and a real database. */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "@ucie/config";
import { ucieTokens } from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { createServices } from "../services";
import { startFakeUpstream, type FakeUpstream } from "../testing";
import { fakeUpstreamServices } from "../testing/services";
import { syncCatalogue } from "./catalogue";
import { UpstreamError } from "./errors";

describe.each(testDbKinds())("catalogue sync (%s)", (kind) => {
  let up: FakeUpstream;
  let database: TestDatabase;
  const services = (mode: "live" | "offline" | "auto") => fakeUpstreamServices(database, up, mode);
  const row = async (id: string) => (await database.db.select().from(ucieTokens).where(eq(ucieTokens.coingeckoId, id)))[0];

  beforeAll(async () => {
    up = await startFakeUpstream();
    database = await createTestDb(kind);
  });
  afterAll(async () => {
    await up?.close();
    await database?.close();
  });
  beforeEach(() => up.reset());

  it("inserts the top list with upper-case symbols and reports what it added", async () => {
    const r = await syncCatalogue(services("live"));
    expect(r).toMatchObject({ source: "live", updated: 0, deactivated: [], reactivated: [] });
    expect(r.added).toHaveLength(100);
    expect(up.requests.filter((q) => q.path === "/coins/markets")[0]!.query.per_page).toBe("250");
    const btc = await row("bitcoin");
    expect(btc).toMatchObject({ symbol: "BTC", name: "Bitcoin", isActive: true, source: "live", currentPriceUsd: 32797, marketCapRank: 1 });
    expect(btc!.sparkline7d!.length).toBeGreaterThan(100);
    expect(btc!.priceChangePct7d).not.toBeNull();
    expect((await row("avalanche-2"))!.symbol).toBe("AVAX");
  });

  it("updates prices, adds newcomers and delists coins that left the list, keeping their last price and time", async () => {
    const before = await row("tether");
    up.setPrice("bitcoin", 50_000);
    up.removeCoin("tether");
    up.addCoin({ id: "brand-new", symbol: "bnew", name: "Brand New", current_price: 3, market_cap: 2e9, total_volume: 1e7 });
    const r = await syncCatalogue(services("live"));
    expect(r.added).toEqual(["brand-new"]);
    expect(r.deactivated).toEqual(["tether"]);
    expect(r.updated).toBe(99);
    expect((await row("bitcoin"))!.currentPriceUsd).toBe(50_000);
    expect(await row("brand-new")).toMatchObject({ symbol: "BNEW", isActive: true });
    const tether = await row("tether");
    expect(tether).toMatchObject({ isActive: false, currentPriceUsd: before!.currentPriceUsd });
    expect(tether!.currentPriceUsd).toBeGreaterThan(0);
    expect(tether!.lastUpdated).toEqual(before!.lastUpdated);

    // it comes back: active again
    up.addCoin({
      ...up.coins().find((c) => c.id === "bitcoin")!,
      id: "tether",
      symbol: "usdt",
      name: "Tether",
      current_price: 1,
      market_cap: 6e10,
    });
    const back = await syncCatalogue(services("live"));
    expect(back.reactivated).toEqual(["tether"]);
    expect((await row("tether"))!.isActive).toBe(true);
  });

  it("does not delist half the catalogue on a truncated answer", async () => {
    for (const c of up.coins().slice(10)) up.removeCoin(c.id);
    const r = await syncCatalogue(services("live"));
    expect(r.deactivated).toEqual([]);
    expect(r.note).toMatch(/nothing was delisted/);
  });

  it("leaves the catalogue untouched when CoinGecko fails in live mode", async () => {
    up.fail("/coins/markets", "garbage");
    await expect(syncCatalogue(services("live"))).rejects.toBeInstanceOf(UpstreamError);
    expect((await row("bitcoin"))!.isActive).toBe(true);
  });

  it("falls back to the snapshot in auto mode without overwriting live figures, delisting or reactivating", async () => {
    up.setPrice("bitcoin", 61_000);
    up.removeCoin("dogecoin");
    await syncCatalogue(services("live"));
    up.fail("/coins/markets", "error");
    const r = await syncCatalogue(services("auto"));
    expect(r.source).toBe("snapshot");
    expect(r.deactivated).toEqual([]);
    expect(r.updated).toBe(0);
    expect(r.note).toMatch(/nothing was written/);
    expect(r.added).toEqual([]);
    expect(r.reactivated).toEqual([]);
    expect(await row("bitcoin")).toMatchObject({ currentPriceUsd: 61_000, source: "live", isActive: true });
    expect((await row("dogecoin"))!.isActive).toBe(false);
  });

  it("seeds an empty catalogue from the snapshot offline", async () => {
    const fresh = await createTestDb(kind);
    try {
      const config = loadConfig({ MARKET_DATA: "offline", LOG_LEVEL: "silent" });
      const r = await syncCatalogue(createServices(fresh, { config }));
      expect(r).toMatchObject({ source: "snapshot", deactivated: [] });
      expect(r.added).toHaveLength(100);
      const [btc] = await fresh.db.select().from(ucieTokens).where(eq(ucieTokens.coingeckoId, "bitcoin"));
      expect(btc).toMatchObject({ source: "snapshot", symbol: "BTC" });
      expect(btc!.lastUpdated!.toISOString()).toBe("2021-06-24T03:32:13.383Z");
      expect(up.requests).toHaveLength(0);
    } finally {
      await fresh.close();
    }
  });
});
