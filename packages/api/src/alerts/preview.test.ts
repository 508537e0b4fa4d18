import { eq } from "drizzle-orm";
import { ucieAlerts, ucieTokens } from "@ucie/db";
import type { MailMessage } from "../lib/mail";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../lib/clock";
import { createOfflineMarket } from "../market/offline";
import type { Candle, MarketService } from "../market/types";
import type { Services } from "../services";
import { loginCaller, seedCoins, setPrice, testServices } from "../testing/services";
import { evaluateAlerts } from "./evaluate";
import { deliverBatch } from "../notifications/deliver";

const DAY = 86_400_000;
const END = Date.parse("2026-03-01T00:00:00Z");
/** Bitcoin's daily closes, oldest first, the last one yesterday */
const closes = [100, 110, 100, 110, 104.6, 110, 100];

describe.each(testDbKinds())("alerts.preview, duplicates and market-wide alerts (%s)", (kind) => {
  let database: TestDatabase;
  let services: Services;
  const clock = new FakeClock(new Date(END + 10 * 3_600_000));
  let fearGreed = [50, 50];
  const mail: MailMessage[] = [];

  const market: MarketService = {
    ...createOfflineMarket(),
    async history(coinId: string, days: number) {
      const data: Candle[] = closes
        .map((close, i) => ({ t: END - (closes.length - i) * DAY, open: close, high: close, low: close, close, volume: 1e9 }))
        .slice(-days);
      return { data, source: "snapshot", asOf: new Date(END) };
    },
    async fearGreed() {
      // newest first, one a day
      const data = fearGreed.map((value, i) => ({ value, classification: "x", timestamp: new Date(END - i * DAY) }));
      return { data, source: "live", asOf: new Date(END) };
    },
  };

  beforeAll(async () => {
    database = await createTestDb(kind);
    services = testServices(database, clock, { market, mailer: { send: async (m) => void mail.push(m) } });
    await seedCoins(services.db);
  }, 30_000);
  afterAll(async () => {
    await services?.events.close();
    await database?.close();
  });

  it("replays a price rule over daily closes: once fires once, repeat waits for the re-arm margin", async () => {
    const { caller } = await loginCaller(services);
    const once = await caller.alerts.preview({ symbol: "BTC", type: "price_above", threshold: 105 });
    expect(once).toMatchObject({ count: 1, days: 365, source: "snapshot", coinId: "bitcoin", symbol: "BTC", unavailable: null });
    expect(once.firings).toEqual([{ t: new Date(END - 6 * DAY), value: 110 }]);
    expect(once.series.map((p) => p.value)).toEqual(closes);

    // 110 fires, 100 re-arms (below 105 - 0.5 %), 110 fires, 104.6 is inside the margin: the next 110 does not fire
    const repeat = await caller.alerts.preview({
      symbol: "bitcoin",
      type: "price_above",
      threshold: 105,
      repeat: "repeat",
      cooldownSeconds: 60,
    });
    expect(repeat.firings.map((f) => f.t)).toEqual([new Date(END - 6 * DAY), new Date(END - 4 * DAY)]);
    expect(repeat.count).toBe(2);

    const cross = await caller.alerts.preview({
      symbol: "BTC",
      type: "price_cross",
      threshold: 105,
      condition: { direction: "down" },
      repeat: "repeat",
      cooldownSeconds: 60,
    });
    expect(cross.count).toBe(3);

    // daily 24 h changes: +10 %, -9.1 %, +10 %, -4.9 %, +5.2 %, -9.1 %
    const moves = await caller.alerts.preview({
      symbol: "BTC",
      type: "percent_change",
      threshold: 9,
      condition: { window: "24h", direction: "down" },
      repeat: "repeat",
      cooldownSeconds: 60,
    });
    expect(moves.firings.map((f) => Math.round(f.value * 10) / 10)).toEqual([-9.1, -9.1]);
  });

  it("says what cannot be replayed, and refuses bad input naming the field", async () => {
    const { caller } = await loginCaller(services);
    const hourly = await caller.alerts.preview({ symbol: "BTC", type: "percent_change", threshold: 2, condition: { window: "1h" } });
    expect(hourly).toMatchObject({ count: 0, firings: [], unavailable: expect.stringMatching(/not previewable.*1 h window.*daily/i) });
    await expect(caller.alerts.preview({ symbol: "BTC", type: "price_above", threshold: 1, days: 5000 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/days|730/),
    });
    await expect(caller.alerts.preview({ type: "price_above", threshold: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/symbol/),
    });
    await expect(caller.alerts.preview({ symbol: "NOPE", type: "price_above", threshold: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a Fear & Greed alert takes no coin, shows as Market, previews and fires", async () => {
    const { caller } = await loginCaller(services);
    fearGreed = [70, 50, 50];
    const preview = await caller.alerts.preview({ type: "sentiment_change", condition: { points: 10, direction: "up" } });
    expect(preview).toMatchObject({ count: 1, symbol: "MARKET", coinId: "market", source: "live" });
    expect(preview.firings).toEqual([{ t: new Date(END), value: 20 }]);

    fearGreed = [50, 50];
    const mood = await caller.alerts.create({ type: "sentiment_change", condition: { points: 10, direction: "up" } });
    expect(mood).toMatchObject({ coinId: "market", symbol: "MARKET", name: "Market" });
    // a coin sent with it by an older client changes nothing: the index is market-wide
    await expect(
      caller.alerts.create({ symbol: "BTC", type: "sentiment_change", condition: { points: 10, direction: "up" } }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(caller.alerts.create({ type: "price_above", threshold: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: /coin/i,
    });

    fearGreed = [65, 50];
    clock.advance(60_000);
    const r = await evaluateAlerts(services);
    expect(r.triggers.filter((t) => t.alertId === mood.id)).toEqual([
      expect.objectContaining({ symbol: "MARKET", coinId: "market", value: 15 }),
    ]);
  });

  it("a firing on offline data says so: snapshot prices and simulated indicators are labelled in the list, the stream and the e-mail", async () => {
    await services.db
      .update(ucieTokens)
      .set({ currentPriceUsd: 32_797, source: "snapshot", lastUpdated: new Date("2021-06-24T00:00:00Z") })
      .where(eq(ucieTokens.coingeckoId, "bitcoin"));
    const { caller } = await loginCaller(services);
    const alert = await caller.alerts.create({ symbol: "BTC", type: "price_above", threshold: 32_000, email: true });
    clock.advance(60_000);
    await evaluateAlerts(services);
    const [recent] = await caller.alerts.triggers();
    expect(recent).toMatchObject({ alertId: alert.id, source: "snapshot", valueLabel: "$32,797 (snapshot 2021-06-24)" });
    // the stream, resumed from before this firing, replays it with its source
    for await (const ev of await caller.alerts.onTriggered({ lastEventId: String(recent!.seq - 1) })) {
      // a server-side caller yields tracked() envelopes: [id, data]
      expect((ev as unknown as [string, unknown])[1]).toMatchObject({
        alertId: alert.id,
        source: "snapshot",
        valueLabel: "$32,797 (snapshot 2021-06-24)",
      });
      break;
    }
    // e-mail is a channel of the outbox: the delivery worker sends it
    await deliverBatch(services);
    expect(mail.at(-1)?.text).toContain("Value: $32,797 (snapshot 2021-06-24)");
    await services.db.update(ucieTokens).set({ source: "live" }).where(eq(ucieTokens.coingeckoId, "bitcoin"));
  });

  it("an enabled alert identical to another is CONFLICT, on create, on update and under concurrency", async () => {
    await setPrice(services.db, "bitcoin", 30_000);
    const { caller } = await loginCaller(services);
    const first = await caller.alerts.create({ symbol: "BTC", type: "price_above", threshold: 40_000 });
    // same coin by its id, a different e-mail flag and repeat mode: still the same alert
    await expect(
      caller.alerts.create({ symbol: "bitcoin", type: "price_above", threshold: 40_000, email: true, repeat: "repeat" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already have this alert.*BTC price at or above \$40,000/),
    });
    const other = await caller.alerts.create({ symbol: "BTC", type: "price_above", threshold: 41_000 });
    await expect(caller.alerts.update({ id: other.id, threshold: 40_000 })).rejects.toMatchObject({ code: "CONFLICT" });

    // switched off, a copy may exist; switching it back on would make two
    await caller.alerts.update({ id: first.id, enabled: false });
    const copy = await caller.alerts.create({ symbol: "BTC", type: "price_above", threshold: 40_000 });
    await expect(caller.alerts.update({ id: first.id, enabled: true })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await caller.alerts.list()).filter((a) => a.enabled && a.threshold === 40_000).map((a) => a.id)).toEqual([copy.id]);

    // another user may have the same alert
    const { caller: other2 } = await loginCaller(services);
    await other2.alerts.create({ symbol: "BTC", type: "price_above", threshold: 40_000 });

    // ten identical creates at once: exactly one is saved
    const { caller: racer, userId } = await loginCaller(services);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => racer.alerts.create({ symbol: "ETH", type: "price_below", threshold: 1_000 })),
    );
    expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(1);
    expect(
      results.filter((x) => x.status === "rejected").map((x) => (x.status === "rejected" ? (x.reason as { code?: string }).code : null)),
    ).toEqual(Array(9).fill("CONFLICT"));
    expect(await services.db.select().from(ucieAlerts).where(eq(ucieAlerts.userId, userId))).toHaveLength(1);

    // two switched-off copies switched on at once (no user lock on updates): the unique index lets one through
    const a = await racer.alerts.create({ symbol: "ETH", type: "price_below", threshold: 900 });
    await racer.alerts.update({ id: a.id, enabled: false });
    const b = await racer.alerts.create({ symbol: "ETH", type: "price_below", threshold: 900 });
    await racer.alerts.update({ id: b.id, enabled: false });
    const both = await Promise.allSettled([a, b].map((x) => racer.alerts.update({ id: x.id, enabled: true })));
    expect(both.map((x) => (x.status === "fulfilled" ? "ok" : (x.reason as { code: string }).code)).sort()).toEqual(["CONFLICT", "ok"]);
  });
});
