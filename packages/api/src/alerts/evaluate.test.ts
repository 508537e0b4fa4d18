import { and, eq, sql } from "drizzle-orm";
import { createDb, ucieAlerts, ucieAlertTriggers, type Database } from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../lib/clock";
import type { MailMessage } from "../lib/mail";
import { EventBus } from "../lib/events";
import { createOfflineMarket } from "../market/offline";
import type { Candle, MarketService } from "../market/types";
import type { Services } from "../services";
import { loginCaller, seedCoins, setPrice, testServices } from "../testing/services";
import { ALERT_TRIGGER_CHANNEL, evaluateAlerts } from "./evaluate";
import { alertTriggerStream } from "./stream";
import { deliverBatch } from "../notifications/deliver";

const MIN = 60_000;

describe.each(testDbKinds())("alert evaluator (%s)", (kind) => {
  let database: TestDatabase;
  let services: Services;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));
  const historyCalls: string[] = [];
  let fearGreed = [50, 50];
  const mail: MailMessage[] = [];

  // a market whose daily candles rise every day (RSI near 100) and whose volume we set: the offline
  // market for everything else
  const market: MarketService = {
    ...createOfflineMarket(),
    async history(coinId: string, days: number) {
      historyCalls.push(coinId);
      const end = Date.parse("2026-03-01T00:00:00Z");
      const data: Candle[] = Array.from({ length: days }, (_, i) => {
        const close = 100 + i * (coinId === "ethereum" ? -1 : 1);
        return { t: end - (days - 1 - i) * 86_400_000, open: close, high: close, low: close, close, volume: 1e9 };
      });
      return { data, source: "simulated", asOf: new Date(end) };
    },
    async fearGreed() {
      const data = fearGreed.map((value, i) => ({ value, classification: "x", timestamp: new Date(Date.UTC(2026, 2, 1 - i)) }));
      return { data, source: "simulated", asOf: new Date() };
    },
  };

  beforeAll(async () => {
    database = await createTestDb(kind);
    services = testServices(database, clock, { market, mailer: { send: async (m) => void mail.push(m) } });
    await seedCoins(services.db);
  });
  afterAll(async () => {
    await services?.events.close();
    await database?.close();
  });

  const tick = async () => {
    clock.advance(MIN);
    return evaluateAlerts(services);
  };
  const alertRow = async (id: string) => (await services.db.select().from(ucieAlerts).where(eq(ucieAlerts.id, id)))[0]!;
  const triggerCount = async (id: string) =>
    (
      await services.db
        .select({ n: sql<number>`count(*)::int` })
        .from(ucieAlertTriggers)
        .where(eq(ucieAlertTriggers.alertId, id))
    )[0]!.n;

  it("price_above once: fires when the price reaches the line, then is done", async () => {
    await setPrice(services.db, "bitcoin", 30_000);
    const { caller } = await loginCaller(services);
    const a = await caller.alerts.create({ symbol: "BTC", type: "price_above", threshold: 31_000 });
    expect(a.warnings).toEqual([]);

    let r = await tick();
    expect(r.checked).toBeGreaterThanOrEqual(1);
    expect(await triggerCount(a.id)).toBe(0);

    await setPrice(services.db, "bitcoin", 31_000);
    r = await tick();
    expect(r.triggers.filter((t) => t.alertId === a.id)).toEqual([
      expect.objectContaining({ alertId: a.id, symbol: "BTC", type: "price_above", value: 31_000, triggeredAt: clock.now() }),
    ]);
    const row = await alertRow(a.id);
    expect(row).toMatchObject({ triggered: true, triggerCount: 1, enabled: false, triggeredAt: clock.now(), lastValue: 31_000 });
    expect((await caller.alerts.list()).find((x) => x.id === a.id)).toMatchObject({ state: "done", triggerCount: 1 });

    await setPrice(services.db, "bitcoin", 32_000);
    await tick();
    expect(await triggerCount(a.id)).toBe(1);
  });

  it("price_cross fires only on an actual cross, in the chosen direction", async () => {
    await setPrice(services.db, "bitcoin", 30_000);
    const { caller } = await loginCaller(services);
    const up = await caller.alerts.create({
      symbol: "bitcoin",
      type: "price_cross",
      threshold: 31_000,
      condition: { direction: "up" },
      repeat: "repeat",
      cooldownSeconds: 60,
    });
    const down = await caller.alerts.create({
      symbol: "bitcoin",
      type: "price_cross",
      threshold: 31_000,
      condition: { direction: "down" },
      repeat: "repeat",
      cooldownSeconds: 60,
    });
    const any = await caller.alerts.create({
      symbol: "bitcoin",
      type: "price_cross",
      threshold: 31_000,
      condition: { direction: "any" },
      repeat: "repeat",
      cooldownSeconds: 60,
    });

    await tick(); // first samples
    await setPrice(services.db, "bitcoin", 30_900);
    await tick(); // closer, no cross
    expect([await triggerCount(up.id), await triggerCount(down.id), await triggerCount(any.id)]).toEqual([0, 0, 0]);

    await setPrice(services.db, "bitcoin", 31_200);
    await tick(); // crossed upward
    expect([await triggerCount(up.id), await triggerCount(down.id), await triggerCount(any.id)]).toEqual([1, 0, 1]);

    await setPrice(services.db, "bitcoin", 31_500);
    await tick(); // still above: no new cross
    expect([await triggerCount(up.id), await triggerCount(down.id), await triggerCount(any.id)]).toEqual([1, 0, 1]);

    await setPrice(services.db, "bitcoin", 30_500);
    await tick(); // crossed downward
    expect([await triggerCount(up.id), await triggerCount(down.id), await triggerCount(any.id)]).toEqual([1, 1, 2]);
  });

  it("a cross alert created above the line does not fire just for being above it", async () => {
    await setPrice(services.db, "bitcoin", 40_000);
    const { caller } = await loginCaller(services);
    const up = await caller.alerts.create({ symbol: "BTC", type: "price_cross", threshold: 35_000, condition: { direction: "up" } });
    expect(up.warnings.join(" ")).toMatch(/already above/);
    await tick();
    await setPrice(services.db, "bitcoin", 41_000);
    await tick();
    expect(await triggerCount(up.id)).toBe(0);
  });

  it("repeat: cooldown and hysteresis keep a wobbling price from firing all day", async () => {
    await setPrice(services.db, "bitcoin", 30_000);
    const { caller } = await loginCaller(services);
    const a = await caller.alerts.create({ symbol: "BTC", type: "price_above", threshold: 31_000, repeat: "repeat", cooldownSeconds: 600 });
    await tick();

    const wobble = async (price: number) => {
      await setPrice(services.db, "bitcoin", price);
      await tick();
      return triggerCount(a.id);
    };
    expect(await wobble(31_100)).toBe(1); // fires
    expect((await caller.alerts.list()).find((x) => x.id === a.id)).toMatchObject({ state: "cooling_down", armed: false });
    expect(await wobble(30_990)).toBe(1); // just below: inside the 0.5 % margin, stays disarmed
    expect(await wobble(31_050)).toBe(1); // above again: no second firing
    expect(await wobble(30_950)).toBe(1);
    expect(await wobble(31_080)).toBe(1);
    expect(await wobble(30_800)).toBe(1); // past the margin (below 30,845): re-armed
    expect((await alertRow(a.id)).armed).toBe(true);
    expect(await wobble(31_100)).toBe(1); // armed and above, but 7 minutes into a 10-minute cooldown
    expect((await caller.alerts.list()).find((x) => x.id === a.id)).toMatchObject({ state: "cooling_down" });
    clock.advance(3 * MIN);
    expect(await wobble(31_200)).toBe(2); // cooldown over: fires again
    expect(await alertRow(a.id)).toMatchObject({ triggerCount: 2, enabled: true, armed: false });
  });

  it("expires old alerts: disabled, shown as expired, never fires afterwards", async () => {
    await setPrice(services.db, "bitcoin", 30_000);
    const { caller } = await loginCaller(services);
    const a = await caller.alerts.create({
      symbol: "BTC",
      type: "price_above",
      threshold: 35_000,
      expiresAt: new Date(clock.now().getTime() + 90_000),
    });
    await tick();
    expect((await alertRow(a.id)).enabled).toBe(true);
    const r = await tick(); // 2 minutes later: past the expiry
    expect(r.expired).toBeGreaterThanOrEqual(1);
    expect(await alertRow(a.id)).toMatchObject({ enabled: false, triggered: false });
    expect((await caller.alerts.list()).find((x) => x.id === a.id)).toMatchObject({ state: "expired" });
    await setPrice(services.db, "bitcoin", 36_000);
    await tick();
    expect(await triggerCount(a.id)).toBe(0);
  });

  it("snooze: no firing until the snooze ends", async () => {
    await setPrice(services.db, "ethereum", 2_000);
    const { caller } = await loginCaller(services);
    const a = await caller.alerts.create({
      symbol: "ETH",
      type: "price_below",
      threshold: 1_900,
      snoozedUntil: new Date(clock.now().getTime() + 3 * MIN),
    });
    await setPrice(services.db, "ethereum", 1_850);
    await tick();
    expect((await caller.alerts.list()).find((x) => x.id === a.id)).toMatchObject({ state: "snoozed" });
    await tick();
    expect(await triggerCount(a.id)).toBe(0);
    await tick();
    await tick();
    expect(await triggerCount(a.id)).toBe(1);
  });

  it("percent_change over a rolling 1 h, direction respected; a delisted coin never fires", async () => {
    await setPrice(services.db, "ethereum", 2_000, { change1h: -1, change24h: 0 });
    const { caller } = await loginCaller(services);
    const down = await caller.alerts.create({
      symbol: "ETH",
      type: "percent_change",
      threshold: 3,
      condition: { window: "1h", direction: "down" },
    });
    const up = await caller.alerts.create({
      symbol: "ETH",
      type: "percent_change",
      threshold: 3,
      condition: { window: "1h", direction: "up" },
    });
    expect(down.description).toBe("ETH moves down 3 % or more over a rolling 1 h");
    const gone = await caller.alerts.create({ symbol: "gone-coin", type: "price_above", threshold: 1 });
    expect(gone.warnings.join(" ")).toMatch(/delisted or not priced/);
    await tick();
    await setPrice(services.db, "ethereum", 1_900, { change1h: -4.2 });
    await tick();
    expect([await triggerCount(down.id), await triggerCount(up.id), await triggerCount(gone.id)]).toEqual([1, 0, 0]);
  });

  it("RSI, volume and sentiment: computed once per coin from market data, then set-based", async () => {
    const { caller } = await loginCaller(services);
    // today's close is the current price: still rising for BTC, still falling for ETH
    await setPrice(services.db, "bitcoin", 160, { volume: 5e9 });
    await setPrice(services.db, "ethereum", 40, { volume: 1e9 });
    const hot = await caller.alerts.create({ symbol: "BTC", type: "rsi_above", threshold: 70 });
    expect(hot.warnings.join(" ")).toMatch(/RSI is already/);
    const hot2 = await caller.alerts.create({ symbol: "BTC", type: "rsi_above", threshold: 80 });
    const cold = await caller.alerts.create({ symbol: "ETH", type: "rsi_below", threshold: 30 });
    const notHot = await caller.alerts.create({ symbol: "ETH", type: "rsi_above", threshold: 70 });
    const spike = await caller.alerts.create({ symbol: "BTC", type: "volume_spike", condition: { multiplier: 3 } });
    const noSpike = await caller.alerts.create({ symbol: "ETH", type: "volume_spike", condition: { multiplier: 3 } });
    fearGreed = [62, 50];
    const mood = await caller.alerts.create({ symbol: "BTC", type: "sentiment_change", condition: { points: 10, direction: "up" } });
    const moodDown = await caller.alerts.create({ symbol: "BTC", type: "sentiment_change", condition: { points: 10, direction: "down" } });

    historyCalls.length = 0;
    await tick();
    // one history fetch per coin, however many alerts it has (or none at all: served from the per-process cache)
    expect(historyCalls.filter((c) => c === "bitcoin").length).toBeLessThanOrEqual(1);
    expect(historyCalls.filter((c) => c === "ethereum").length).toBeLessThanOrEqual(1);
    const counts = await Promise.all([hot, hot2, cold, notHot, spike, noSpike, mood, moodDown].map((a) => triggerCount(a.id)));
    expect(counts).toEqual([1, 1, 1, 0, 1, 0, 1, 0]);
    const trig = (await services.db.select().from(ucieAlertTriggers).where(eq(ucieAlertTriggers.alertId, spike.id)))[0]!;
    expect(trig.value).toBeCloseTo(5, 5); // 5e9 against an average of 1e9
  });

  it("e-mails a firing when the alert asks for it, with the rule and a link, through the outbox", async () => {
    await setPrice(services.db, "uniswap", 20);
    const { caller } = await loginCaller(services, "mail-me@example.test");
    const loud = await caller.alerts.create({ symbol: "uniswap", type: "price_below", threshold: 15, email: true });
    const quiet = await caller.alerts.create({ symbol: "uniswap", type: "price_below", threshold: 16 });
    await tick();
    mail.length = 0;
    await setPrice(services.db, "uniswap", 14);
    const r = await tick();
    expect(r.triggers.map((t) => t.alertId).sort()).toEqual([loud.id, quiet.id].sort());
    // e-mail is a channel: queued in the firing's transaction, sent by the delivery worker
    expect(mail).toHaveLength(0);
    await deliverBatch(services);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ to: "mail-me@example.test", subject: "UCIE alert: UNI price at or below $15" });
    expect(mail[0]!.text).toContain("/token/uniswap");
    expect(mail[0]!.text).toContain("Value: $14");
  });

  it("a retried tick cannot fire twice; a second run of the same tick checks nothing", async () => {
    await setPrice(services.db, "uniswap", 20);
    const { caller } = await loginCaller(services);
    const a = await caller.alerts.create({ symbol: "UNI", type: "price_above", threshold: 10, repeat: "repeat", cooldownSeconds: 60 });
    clock.advance(MIN);
    const first = await evaluateAlerts(services, { tickKey: "retry-1" });
    expect(first.triggers.map((t) => t.alertId)).toContain(a.id);
    const again = await evaluateAlerts(services, { tickKey: "retry-1" });
    expect(again).toMatchObject({ checked: 0, triggered: 0 });

    // a run that recorded its firings but whose state updates were lost: the trigger key still holds
    await services.db.execute(sql`UPDATE ucie_alert_coin_samples SET tick_key = NULL`);
    await services.db.update(ucieAlerts).set({ armed: true, triggeredAt: null }).where(eq(ucieAlerts.id, a.id));
    const retried = await evaluateAlerts(services, { tickKey: "retry-1" });
    expect(retried.triggers.map((t) => t.alertId)).not.toContain(a.id);
    expect(await triggerCount(a.id)).toBe(1);
  });

  it("a manual pass right after the scheduler's tick checks every alert again, and fires each once per state change", async () => {
    await setPrice(services.db, "uniswap", 20);
    const { caller } = await loginCaller(services);
    const a = await caller.alerts.create({ symbol: "UNI", type: "price_above", threshold: 30, repeat: "repeat", cooldownSeconds: 60 });
    clock.advance(MIN);
    const scheduled = await evaluateAlerts(services);
    expect(scheduled.checked).toBeGreaterThanOrEqual(1);

    // the price crosses the line within the same interval: the scheduler's tick is spent...
    await setPrice(services.db, "uniswap", 35);
    expect(await evaluateAlerts(services)).toMatchObject({ checked: 0, triggered: 0 });
    // ...but an operator's pass checks now
    const manual = await evaluateAlerts(services, { manual: true });
    expect(manual.checked).toBeGreaterThanOrEqual(scheduled.checked);
    expect(manual.triggers.map((t) => t.alertId)).toContain(a.id);

    // the condition still holds: further passes check it, and it stays fired once
    const again = await evaluateAlerts(services, { manual: true });
    expect(again.checked).toBeGreaterThanOrEqual(1);
    expect(again.triggers.map((t) => t.alertId)).not.toContain(a.id);
    clock.advance(5 * MIN);
    expect((await evaluateAlerts(services)).triggers.map((t) => t.alertId)).not.toContain(a.id);
    expect(await triggerCount(a.id)).toBe(1);
  });

  it("streams a user's firings: backlog after lastEventId, then live, each once", async () => {
    await setPrice(services.db, "ethereum", 2_000);
    const me = await loginCaller(services);
    const other = await loginCaller(services);
    const a1 = await me.caller.alerts.create({ symbol: "ETH", type: "price_above", threshold: 2_100 });
    await other.caller.alerts.create({ symbol: "ETH", type: "price_above", threshold: 2_100 });
    await setPrice(services.db, "ethereum", 2_150);
    await tick();
    const [past] = await services.db
      .select()
      .from(ucieAlertTriggers)
      .where(and(eq(ucieAlertTriggers.alertId, a1.id)));

    const ac = new AbortController();
    const got: { seq: number; alertId: string }[] = [];
    const reading = (async () => {
      for await (const t of alertTriggerStream(services, me.userId, { lastEventId: past!.seq - 1, signal: ac.signal })) {
        got.push({ seq: t.seq, alertId: t.alertId });
      }
    })();
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toEqual({ seq: past!.seq, alertId: a1.id });

    const a2 = await me.caller.alerts.create({ symbol: "ETH", type: "price_below", threshold: 1_900 });
    await setPrice(services.db, "ethereum", 1_800);
    await tick();
    await expect.poll(() => got.length).toBe(2);
    expect(got[1]!.alertId).toBe(a2.id);
    await tick();
    ac.abort();
    await reading;
    expect(got.length).toBe(2);
  });

  it("two evaluators at once over 1,000 alerts: each firing recorded and notified exactly once", async () => {
    await setPrice(services.db, "ethereum", 1_999.5);
    const userIds = await Promise.all(Array.from({ length: 10 }, async () => (await loginCaller(services)).userId));
    // 1,000 alerts on one coin: thresholds 1,500..2,499, so the 500 below 1,999.5 hold
    await services.db.insert(ucieAlerts).values(
      Array.from({ length: 1000 }, (_, i) => ({
        userId: userIds[i % 10]!,
        symbol: "ETH",
        coinId: "ethereum",
        alertType: "price_above" as const,
        thresholdValue: 1_500 + i,
        createdAt: clock.now(),
      })),
    );
    const listener = new EventBus(database);
    const notified: number[] = [];
    await listener.subscribe(ALERT_TRIGGER_CHANNEL, (p) => {
      for (const [, seq] of (p as { t: [string, number][] }).t) notified.push(seq);
    });

    // a second instance: its own services and, on Postgres, its own connection pool
    const second: Database = kind === "postgres" ? await createDb({ url: database.url!, poolMax: 4 }) : database;
    const other = testServices(second, clock, { market });
    try {
      clock.advance(MIN);
      const [r1, r2] = await Promise.all([evaluateAlerts(services), evaluateAlerts(other)]);
      const ours = (r: typeof r1) => r.triggers.filter((t) => userIds.includes(t.userId));
      expect(ours(r1).length + ours(r2).length).toBe(500);
      expect(Math.min(r1.checked, r2.checked)).toBe(0); // the tick was evaluated by one of them

      const rows = await services.db
        .select({ alertId: ucieAlertTriggers.alertId, seq: ucieAlertTriggers.seq })
        .from(ucieAlertTriggers)
        .where(sql`${ucieAlertTriggers.userId} IN ${userIds}`);
      expect(rows.length).toBe(500);
      expect(new Set(rows.map((r) => r.alertId)).size).toBe(500);

      const mine = new Set(rows.map((r) => r.seq));
      await expect.poll(() => notified.filter((s) => mine.has(s)).length).toBe(500);
      expect(new Set(notified).size).toBe(notified.length); // nobody notified twice
    } finally {
      await listener.close();
      await other.events.close();
      if (second !== database) await second.close();
    }
  });
});
