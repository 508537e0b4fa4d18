/** Coin logos fetched once from the (fake) CoinGecko image host into a real database, within every limit. */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@ucie/config";
import { ucieCoinLogos, ucieTokens } from "@ucie/db";
import { createTestDb, type TestDatabase } from "@ucie/db/testing";
import { silentLogger } from "../lib/logger";
import { createServices, type Services } from "../services";
import { startFakeUpstream, type FakeUpstream } from "../testing";
import { syncCatalogue } from "./catalogue";
import { createMarketService } from "./index";
import { fetchLogoImage, fetchMissingLogos, logoHosts, readLogo, smallLogoUrl } from "./logos";
import { listTokens } from "./tokens";

describe("coin logos", () => {
  let up: FakeUpstream;
  let database: TestDatabase;
  let services: Services;
  beforeAll(async () => {
    up = await startFakeUpstream();
    database = await createTestDb();
    const config = loadConfig({
      MARKET_DATA: "live",
      LOG_LEVEL: "silent",
      COINGECKO_CALLS_PER_MINUTE: "1000",
      UPSTREAM_TIMEOUT_MS: "2000",
      ...up.env,
    });
    services = createServices(database, { config, market: createMarketService(config, silentLogger) });
  });
  afterAll(async () => {
    await up?.close();
    await database?.close();
  });

  it("fetches each live coin's small logo once, and the API then points at our own origin", async () => {
    await syncCatalogue(services);
    const before = (await listTokens(database.db, 3, 0)).items;
    expect(before.map((t) => t.logo)).toEqual([null, null, null]);

    const first = await fetchMissingLogos(services);
    expect(first.fetched).toBeGreaterThan(90);
    const imageRequests = up.requests.filter((r) => r.provider === "coingecko-images");
    expect(imageRequests.every((r) => r.path.includes("/small/"))).toBe(true);

    const btc = (await listTokens(database.db, 1, 0)).items[0]!;
    expect(btc.logo).toMatch(/^\/logos\/bitcoin\?v=[0-9a-f]{16}$/);
    const stored = await readLogo(database.db, "bitcoin");
    expect(stored?.contentType).toBe("image/png");
    expect(stored?.body.subarray(1, 4).toString()).toBe("PNG");

    // once: a second pass asks the image host nothing
    const count = up.requests.length;
    expect(await fetchMissingLogos(services)).toEqual({ fetched: 0, failed: 0 });
    expect(up.requests.length).toBe(count);
  });

  it("refuses other hosts, non-images, oversized bodies and slow hosts, and records the failure", async () => {
    const allowedHosts = logoHosts(services.config.coingeckoBase);
    const good = `${up.url}/coingecko-images/coins/images/1/small/bitcoin.png`;
    expect(await fetchLogoImage(good, { allowedHosts, timeoutMs: 2000 })).toMatchObject({ ok: true, contentType: "image/png" });
    expect(await fetchLogoImage("https://evil.example/x.png", { allowedHosts, timeoutMs: 2000 })).toMatchObject({ ok: false });
    expect(await fetchLogoImage(`${up.url}/coingecko/api/v3/ping`, { allowedHosts, timeoutMs: 2000 })).toEqual({
      ok: false,
      reason: "content type application/json is not a raster image",
    });
    expect(await fetchLogoImage(good, { allowedHosts, timeoutMs: 2000, maxBytes: 50 })).toEqual({ ok: false, reason: "over 50 bytes" });
    up.fail("/coingecko-images/coins/images/1/small/", "slow", { delayMs: 3_000, times: 1 });
    expect(await fetchLogoImage(good, { allowedHosts, timeoutMs: 200 })).toEqual({ ok: false, reason: "timeout" });

    // a coin new to the catalogue whose image lives elsewhere gets no logo, and is not asked again today
    await database.db.delete(ucieCoinLogos).where(eq(ucieCoinLogos.coinId, "dogecoin"));
    await database.db
      .update(ucieTokens)
      .set({ logoEtag: null, imageUrl: "https://evil.example/coins/images/9/large/x.png" })
      .where(eq(ucieTokens.coingeckoId, "dogecoin"));
    expect(await fetchMissingLogos(services)).toEqual({ fetched: 0, failed: 1 });
    expect(await fetchMissingLogos(services)).toEqual({ fetched: 0, failed: 0 });
    expect(await readLogo(database.db, "dogecoin")).toBeNull();
  });

  it("uses CoinGecko's own image hosts for CoinGecko, and the small size", () => {
    expect([...logoHosts("https://api.coingecko.com/api/v3")]).toEqual(["assets.coingecko.com", "coin-images.coingecko.com"]);
    expect(smallLogoUrl("https://assets.coingecko.com/coins/images/1/large/bitcoin.png?1547033579")).toBe(
      "https://assets.coingecko.com/coins/images/1/small/bitcoin.png?1547033579",
    );
  });
});
