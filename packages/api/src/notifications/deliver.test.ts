import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { createDb, notificationDeliveries, ucieAlerts, ucieExchangeRates, type Database } from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAlerts } from "../alerts/evaluate";
import { FakeClock } from "../lib/clock";
import type { Services } from "../services";
import { loginCaller, seedCoins, setPrice, testServices } from "../testing/services";
import { startReceiver, type Answer, type ReceivedRequest, type Receiver } from "../testing/receiver";
import type { MailMessage } from "../lib/mail";
import { claimDeliveries, deliverBatch, startDeliveryWorker } from "./deliver";

const MIN = 60_000;

/** Checks `X-UCIE-Signature` the way a receiver would: HMAC-SHA256(secret, t + "." + raw body). */
function validSignature(r: ReceivedRequest, secret: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers["x-ucie-signature"]));
  if (!m) return false;
  return (
    createHmac("sha256", secret)
      .update(`${m[1]}.${r.body.toString("utf8")}`)
      .digest("hex") === m[2]
  );
}

describe.each(testDbKinds())("webhook deliveries through the outbox (%s)", (kind) => {
  let database: TestDatabase;
  let services: Services;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));
  let plan: (r: ReceivedRequest, i: number) => Answer = () => ({ status: 200 });
  let receiver: Receiver;

  beforeAll(async () => {
    database = await createTestDb(kind);
    services = testServices(database, clock, { delivery: { allowPrivate: true, timeoutMs: 2000, leaseMs: 30_000 } });
    await seedCoins(services.db);
    receiver = await startReceiver((r, i) => plan(r, i));
  });
  afterAll(async () => {
    await receiver?.close();
    await services?.events.close();
    await database?.close();
  });

  const deliveriesOf = (alertId: string) =>
    services.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId));

  /** a user with a json webhook at `path` and a price alert on `coin` that the next tick fires */
  async function firingAlert(coin: string, path: string, format: "json" | "discord" | "slack" = "json") {
    const me = await loginCaller(services);
    const hook = await me.caller.notifications.addWebhook({ url: `${receiver.url}${path}`, format, name: "my hook" });
    await setPrice(services.db, coin, 100);
    const alert = await me.caller.alerts.create({ symbol: coin, type: "price_above", threshold: 150 });
    await setPrice(services.db, coin, 200);
    clock.advance(MIN);
    const r = await evaluateAlerts(services);
    expect(r.triggers.map((t) => t.alertId)).toContain(alert.id);
    return { ...me, hook, alert, firedAt: clock.now() };
  }

  it("fails three times, then 200: one delivery, four attempts, a valid signature, one id throughout", async () => {
    plan = (r) =>
      r.path === "/flaky" && receiver.requests.filter((x) => x.path === "/flaky").length <= 3 ? { status: 503 } : { status: 200 };
    const { hook, alert, caller, firedAt } = await firingAlert("bitcoin", "/flaky");
    // queued in the firing's own transaction, before any worker ran
    const [queued] = await deliveriesOf(alert.id);
    expect(queued).toMatchObject({ status: "pending", attempts: 0, kind: "webhook", channelId: hook.id });

    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await deliverBatch(services);
      const [row] = await deliveriesOf(alert.id);
      if (row!.status === "delivered") break;
      expect(row!.status).toBe("retrying");
      waits.push(row!.nextAttemptAt.getTime() - clock.now().getTime());
      clock.advance(row!.nextAttemptAt.getTime() - clock.now().getTime());
    }
    // 1 s, 2 s, 4 s with ±20 % jitter
    expect(waits).toHaveLength(3);
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(0.8 * 1000 * 2 ** i);
      expect(w).toBeLessThanOrEqual(1.2 * 1000 * 2 ** i);
    });
    const [done] = await deliveriesOf(alert.id);
    expect(done).toMatchObject({ status: "delivered", attempts: 4, lastError: null });

    const got = receiver.requests.filter((r) => r.path === "/flaky");
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.headers["x-ucie-delivery"]))).toEqual(new Set([done!.id]));
    expect(got.every((r) => validSignature(r, hook.secret))).toBe(true);
    expect(validSignature(got[3]!, "whsec_wrong")).toBe(false);
    const body = JSON.parse(got[3]!.body.toString("utf8"));
    expect(body).toEqual({
      id: done!.id,
      alertId: alert.id,
      symbol: "BTC",
      coinId: "bitcoin",
      type: "price_above",
      rule: "BTC price at or above $150",
      value: 200,
      threshold: 150,
      source: "snapshot",
      triggeredAt: firedAt.toISOString(),
      valueText: expect.stringMatching(/^\$200 \(snapshot/),
    });

    const list = await caller.notifications.deliveries({ limit: 5 });
    expect(list[0]).toMatchObject({ id: done!.id, channelId: hook.id, alertId: alert.id, status: "delivered", attempts: 4 });
    expect(list[0]!.deliveredAt).toBeInstanceOf(Date);
  });

  it("410 Gone turns the webhook off and says so on its channel", async () => {
    plan = (r) => (r.path === "/gone" ? { status: 410 } : { status: 200 });
    const { hook, alert, caller } = await firingAlert("ethereum", "/gone");
    await deliverBatch(services);
    const [row] = await deliveriesOf(alert.id);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    const channel = (await caller.notifications.channels()).find((c) => c.id === hook.id)!;
    expect(channel.enabled).toBe(false);
    expect(channel.disabledReason).toMatch(/410 Gone/);
  });

  it("discord and slack webhooks get those services' message shapes", async () => {
    plan = () => ({ status: 204 });
    await firingAlert("uniswap", "/discord", "discord");
    await deliverBatch(services);
    const d = JSON.parse(receiver.requests.find((r) => r.path === "/discord")!.body.toString("utf8")) as { content: string };
    expect(d).toMatchObject({
      content: expect.stringContaining("UNI price at or above $150"),
      embeds: [expect.objectContaining({ title: expect.any(String) })],
    });
    // an offline value is labelled as the UI labels it: "$14.20 (snapshot)"
    expect(d.content).toMatch(/\(snapshot/);

    const me = await loginCaller(services);
    const hook = await me.caller.notifications.addWebhook({ url: `${receiver.url}/slack`, format: "slack" });
    const { ids } = await me.caller.notifications.test({ id: hook.id });
    await deliverBatch(services);
    const s = JSON.parse(receiver.requests.find((r) => r.path === "/slack")!.body.toString("utf8"));
    expect(s).toMatchObject({ text: expect.stringContaining("test delivery"), blocks: expect.any(Array) });
    expect((await me.caller.notifications.deliveries()).find((x) => x.id === ids[0])).toMatchObject({ status: "delivered", alertId: null });
  });

  it("a EUR user's webhook, Discord and e-mail messages show euros; the line stays stored in USD", async () => {
    plan = () => ({ status: 200 });
    const mails: MailMessage[] = [];
    const eurServices = testServices(database, clock, {
      delivery: { allowPrivate: true, timeoutMs: 2000 },
      mailer: { send: async (m) => void mails.push(m) },
    });
    try {
      // 1 EUR = 1.25 USD, so $150 is €120 and $200 is €160
      await services.db
        .insert(ucieExchangeRates)
        .values({ currency: "eur", usdPerUnit: 1.25, source: "live", asOf: clock.now() })
        .onConflictDoUpdate({ target: ucieExchangeRates.currency, set: { usdPerUnit: 1.25 } });
      eurServices.caches.exchangeRates.clear();
      const me = await loginCaller(eurServices);
      await me.caller.preferences.update({ currency: "eur" });
      await me.caller.notifications.addWebhook({ url: `${receiver.url}/eur-json`, format: "json" });
      await me.caller.notifications.addWebhook({ url: `${receiver.url}/eur-discord`, format: "discord" });
      await setPrice(services.db, "uniswap", 100);
      const alert = await me.caller.alerts.create({ symbol: "uniswap", type: "price_above", threshold: 150, email: true });
      expect(alert.threshold).toBe(150);
      await setPrice(services.db, "uniswap", 200);
      clock.advance(MIN);
      await evaluateAlerts(services);
      while ((await deliverBatch(eurServices)).claimed > 0);
      expect((await deliveriesOf(alert.id)).map((d) => d.status)).toEqual(["delivered", "delivered", "delivered"]);

      const body = (path: string): unknown => JSON.parse(receiver.requests.find((r) => r.path === path)!.body.toString("utf8"));
      const json = body("/eur-json") as { valueText: string };
      // machine-readable numbers stay in USD; the words are in euros
      expect(json).toMatchObject({ value: 200, threshold: 150, rule: "UNI price at or above €120.00 (≈ $150 stored)" });
      expect(json.valueText).toMatch(/^€160\.00 \(≈ \$200 stored\) \(snapshot/);
      const discord = body("/eur-discord") as { content: string; embeds: { fields: unknown[] }[] };
      expect(discord.content).toContain("Value €160.00");
      expect(discord.embeds[0]!.fields).toEqual([
        expect.objectContaining({ name: "Value", value: expect.stringMatching(/^€160\.00/) }),
        expect.objectContaining({ name: "Threshold", value: "€120.00 (≈ $150 stored)" }),
      ]);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.text).toMatch(/Value: €160\.00 \(≈ \$200 stored\)/);
      expect(mails[0]!.subject).toContain("€120.00");
    } finally {
      await eurServices.events.close();
    }
  });

  it("a worker that dies mid-send: after its lease the delivery is sent again with the same id, and recorded once", async () => {
    let hangs = 1;
    plan = (r) => (r.path === "/slow" && hangs-- > 0 ? "hang" : { status: 200 });
    const { alert } = await firingAlert("bitcoin", "/slow");
    // the first worker claims it and its request hangs: it stands for a process killed mid-send
    const seen = receiver.requests.length;
    const dying = deliverBatch(services);
    const first = await receiver.nextRequest(seen);
    // another instance finds nothing while the lease holds...
    const other = testServices(database, clock, { delivery: { allowPrivate: true, leaseMs: 30_000 } });
    expect((await deliverBatch(other)).claimed).toBe(0);
    // ...and sends it again once the lease has run out
    clock.advance(31_000);
    expect(await deliverBatch(other)).toEqual({ claimed: 1, delivered: 1 });
    const ids = receiver.requests.filter((r) => r.path === "/slow").map((r) => r.headers["x-ucie-delivery"]);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
    expect(first.headers["x-ucie-delivery"]).toBe(ids[1]);
    // the first worker's late failure does not overwrite the outcome
    await dying;
    const [row] = await deliveriesOf(alert.id);
    expect(row).toMatchObject({ status: "delivered", attempts: 2 });
    await other.events.close();
  });

  it("the worker loop: woken by what is queued, and a hanging receiver holds back no other delivery", async () => {
    plan = (r) => (r.path === "/stuck" ? "hang" : { status: 200 });
    // polls only once a minute: what it sends here it learnt of from the wake-up NOTIFY
    const instance = testServices(database, clock, { delivery: { allowPrivate: true, timeoutMs: 1000, pollMs: 60_000 } });
    const worker = await startDeliveryWorker(instance);
    try {
      const me = await loginCaller(services);
      const stuck = await me.caller.notifications.addWebhook({ url: `${receiver.url}/stuck`, format: "json" });
      const quick = await me.caller.notifications.addWebhook({ url: `${receiver.url}/quick`, format: "json" });
      const seen = receiver.requests.length;
      const slow = await me.caller.notifications.test({ id: stuck.id });
      await receiver.nextRequest(seen);
      const fast = await me.caller.notifications.test({ id: quick.id });
      const status = async (id: string) =>
        (await services.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, id)))[0]!.status;
      await expect.poll(() => status(fast.ids[0]!), { timeout: 5000 }).toBe("delivered");
      expect(await status(slow.ids[0]!)).toBe("pending");
    } finally {
      await worker.stop();
      await instance.events.close();
    }
  });

  it("gives up after 24 hours of failures", async () => {
    plan = (r) => (r.path === "/down" ? { status: 500 } : { status: 200 });
    const { alert } = await firingAlert("ethereum", "/down");
    let row = (await deliveriesOf(alert.id))[0]!;
    while (row.status === "pending" || row.status === "retrying") {
      await deliverBatch(services);
      row = (await deliveriesOf(alert.id))[0]!;
      // never more than an hour between tries
      expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBeLessThanOrEqual(1.2 * 3_600_000);
      clock.set(row.nextAttemptAt);
    }
    expect(row.status).toBe("failed");
    expect(row.lastError).toMatch(/500/);
    expect(row.nextAttemptAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(20 * 3_600_000);
    expect(row.attempts).toBeGreaterThan(10);
    expect(row.attempts).toBeLessThan(40);
  });

  it("two instances draining at once: each firing delivered once", async () => {
    plan = () => ({ status: 200 });
    const users = await Promise.all(Array.from({ length: 4 }, () => loginCaller(services)));
    await Promise.all(users.map((u) => u.caller.notifications.addWebhook({ url: `${receiver.url}/many`, format: "json" })));
    await setPrice(services.db, "uniswap", 10);
    await services.db.insert(ucieAlerts).values(
      Array.from({ length: 200 }, (_, i) => ({
        userId: users[i % 4]!.userId,
        symbol: "UNI",
        coinId: "uniswap",
        alertType: "price_above" as const,
        thresholdValue: 5 + i / 100,
        createdAt: clock.now(),
      })),
    );
    clock.advance(MIN);
    const fired = await evaluateAlerts(services);
    expect(fired.triggered).toBeGreaterThanOrEqual(200);

    const second: Database = kind === "postgres" ? await createDb({ url: database.url!, poolMax: 4 }) : database;
    const other = testServices(second, clock, { delivery: { allowPrivate: true, batchSize: 10 } });
    const small = testServices(database, clock, { delivery: { allowPrivate: true, batchSize: 10 } });
    try {
      const drain = async (s: Services) => {
        while ((await deliverBatch(s)).claimed > 0);
      };
      const before = receiver.requests.length;
      await Promise.all([drain(small), drain(other)]);
      const ids = receiver.requests
        .slice(before)
        .filter((r) => r.path === "/many")
        .map((r) => String(r.headers["x-ucie-delivery"]));
      const rows = await services.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.status, "delivered"));
      const ours = rows.filter((r) => ids.includes(r.id));
      expect(ids.length).toBe(200);
      expect(new Set(ids).size).toBe(200);
      expect(ours.every((r) => r.attempts === 1)).toBe(true);
      expect(await claimDeliveries(services, 10)).toEqual([]);
    } finally {
      await other.events.close();
      await small.events.close();
      if (second !== database) await second.close();
    }
  });
});
