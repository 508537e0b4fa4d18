/** preferences.* and currency conversion through the real router, on PGlite (and Postgres when TEST_DATABASE_URL is set). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@ucie/config";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { upsertCoins } from "../market/catalogue";
import { loadSnapshot } from "../market/snapshot";
import { createServices } from "../services";
import { createAuthTestEnv, type AuthTestEnv } from "../testing/auth-env";
import { failure } from "../testing/failure";
import { startFakeUpstream, type FakeUpstream } from "../testing/fake-upstream";
import { loadRates, refreshExchangeRates } from "./preferences";

const btcUsd = () => loadSnapshot().find((c) => c.id === "bitcoin")!.current_price!;

describe.each(testDbKinds())("preferences (%s)", (kind) => {
  let database: TestDatabase;
  let env: AuthTestEnv;

  beforeAll(async () => {
    database = await createTestDb(kind);
    env = await createAuthTestEnv(database);
    await upsertCoins(database.db, loadSnapshot(), "snapshot");
  });
  afterAll(async () => {
    await env?.close();
    await database?.close();
  });

  it("round trip: defaults, partial updates kept, each user their own", async () => {
    const a = await env.signUp("prefs-a@example.com");
    const b = await env.signUp("prefs-b@example.com");
    expect(await a.api.preferences.get()).toEqual({ currency: "usd", timeZone: "UTC", theme: "dark" });
    expect(await a.api.preferences.update({ currency: "eur" })).toEqual({ currency: "eur", timeZone: "UTC", theme: "dark" });
    await a.api.preferences.update({ timeZone: "Europe/Berlin", theme: "light" });
    expect(await a.api.preferences.get()).toEqual({ currency: "eur", timeZone: "Europe/Berlin", theme: "light" });
    expect(await b.api.preferences.get()).toEqual({ currency: "usd", timeZone: "UTC", theme: "dark" });
  });

  it("rejects bad values naming the field, and strangers", async () => {
    const a = await env.signUp("prefs-bad@example.com");
    // @ts-expect-error not a currency we show
    expect((await failure(a.api.preferences.update({ currency: "doge" }))).message).toMatch(/currency/);
    expect((await failure(a.api.preferences.update({ timeZone: "Mars/Olympus_Mons" }))).message).toMatch(
      /timeZone[\s\S]*Unknown time zone/,
    );
    // @ts-expect-error not a theme
    expect((await failure(a.api.preferences.update({ theme: "neon" }))).message).toMatch(/theme/);
    expect(await a.api.preferences.get()).toEqual({ currency: "usd", timeZone: "UTC", theme: "dark" });
    expect((await failure(env.browser().api.preferences.get())).code).toBe("UNAUTHORIZED");
    expect((await failure(env.browser().api.preferences.update({ currency: "eur" }))).code).toBe("UNAUTHORIZED");
  });

  it("offline: the snapshot day's bundled rates, labelled; prices converted once, priceUsd kept", async () => {
    const rates = await env.browser().api.preferences.rates();
    expect(rates.source).toBe("snapshot");
    expect(rates.asOf.toISOString().slice(0, 10)).toBe("2021-06-24");
    expect(rates.usdPerUnit.eur).toBe(1.1936);
    expect(rates.usdPerUnit.btc).toBe(btcUsd());

    const u = await env.signUp("prefs-eur@example.com");
    await u.api.watchlist.add({ symbol: "ETH" });
    await u.api.preferences.update({ currency: "eur" });
    const [item] = await u.api.watchlist.list();
    expect(item!.currency).toBe("eur");
    expect(item!.price).toBeCloseTo(item!.priceUsd! / 1.1936, 9);
    const token = await u.api.tokens.get({ symbol: "BTC" });
    expect(token).toMatchObject({ currency: "eur", priceUsd: btcUsd() });
    expect(token.price).toBeCloseTo(btcUsd() / 1.1936, 6);
    await u.api.preferences.update({ currency: "btc" });
    expect((await u.api.tokens.get({ symbol: "BTC" })).price).toBeCloseTo(1, 12);
    // a price rule keeps its USD line; its sentence is in the user's currency and says what is stored
    await u.api.preferences.update({ currency: "eur" });
    const alert = await u.api.alerts.create({ symbol: "BTC", type: "price_above", threshold: 50_000 });
    expect(alert.threshold).toBe(50_000);
    expect(alert.description).toBe("BTC price at or above €41,890 (≈ $50,000 stored)");
    const [listed] = await u.api.alerts.list();
    expect(listed).toMatchObject({ threshold: 50_000, description: alert.description, currency: "eur" });
    // strangers see USD
    expect(await env.browser().api.tokens.get({ symbol: "BTC" })).toMatchObject({ currency: "usd", price: btcUsd() });
  });
});

describe.each(testDbKinds())("exchange rates from CoinGecko (%s)", (kind) => {
  let database: TestDatabase;
  let up: FakeUpstream;

  beforeAll(async () => {
    database = await createTestDb(kind);
    up = await startFakeUpstream();
  });
  afterAll(async () => {
    await up?.close();
    await database?.close();
  });

  it("reads /exchange_rates in its wire shape, stores live rates, never overwrites them with the bundled set", async () => {
    const services = createServices(database, { config: loadConfig({ MARKET_DATA: "live", LOG_LEVEL: "silent", ...up.env }) });
    up.setPrice("bitcoin", 60_000);
    const live = await refreshExchangeRates(services);
    expect(up.callsTo("/exchange_rates")).toBe(1);
    expect(live.source).toBe("live");
    expect(live.usdPerUnit.btc).toBeCloseTo(60_000, 6);
    expect(live.usdPerUnit.eur).toBeCloseTo(1.1936, 9);
    expect((await loadRates(services)).usdPerUnit.btc).toBeCloseTo(60_000, 6);

    const offline = createServices(database, { config: loadConfig({ MARKET_DATA: "offline", LOG_LEVEL: "silent" }) });
    await refreshExchangeRates(offline);
    const kept = await loadRates(offline);
    expect(kept.source).toBe("live");
    expect(kept.usdPerUnit.btc).toBeCloseTo(60_000, 6);
  });
});
