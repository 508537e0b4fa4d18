import dns from "node:dns/promises";
import { eq } from "drizzle-orm";
import { notificationDeliveries } from "@ucie/db";
import { createTestDb, type TestDatabase } from "@ucie/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAlerts } from "../alerts/evaluate";
import { FakeClock } from "../lib/clock";
import type { Services } from "../services";
import { loginCaller, seedCoins, setPrice, testServices } from "../testing/services";

describe("notifications.* and alerts' channels", () => {
  let database: TestDatabase;
  let services: Services;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));

  beforeAll(async () => {
    database = await createTestDb();
    // example.com plays a public host without asking the network; other names resolve for real
    const resolve = async (host: string) =>
      host.endsWith("example.com") ? ["93.184.216.34"] : (await dns.lookup(host, { all: true })).map((a) => a.address);
    services = testServices(database, clock, { delivery: { resolve } });
    await seedCoins(services.db);
  });
  afterAll(async () => {
    await services?.events.close();
    await database?.close();
  });

  const code = (p: Promise<unknown>) =>
    p.then(
      () => "OK",
      (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
    );

  it("a webhook's secret is shown once; the list never holds it nor the URL's path", async () => {
    const { caller } = await loginCaller(services);
    const hook = await caller.notifications.addWebhook({ url: "https://hooks.example.com/T0/secret-token?x=1", format: "slack" });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    const channels = await caller.notifications.channels();
    expect(channels.map((c) => c.id)).toEqual(["email", "push", hook.id]);
    expect(JSON.stringify(channels)).not.toContain(hook.secret);
    expect(JSON.stringify(channels)).not.toContain("secret-token");
    expect(channels[2]).toMatchObject({
      kind: "webhook",
      format: "slack",
      target: "https://hooks.example.com",
      enabled: true,
      name: "hooks.example.com",
    });
  });

  it("refuses URLs that can never be delivered, naming the reason", async () => {
    const { caller } = await loginCaller(services);
    await expect(caller.notifications.addWebhook({ url: "http://169.254.169.254/latest", format: "json" })).rejects.toThrow(
      "This address cannot be reached from UCIE. Refused: 169.254.169.254 is a link-local address",
    );
    await expect(caller.notifications.addWebhook({ url: "http://[::1]/", format: "json" })).rejects.toThrow(/loopback/);
    await expect(caller.notifications.addWebhook({ url: "http://localhost:8080/", format: "json" })).rejects.toThrow(
      /localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/,
    );
    await expect(caller.notifications.addWebhook({ url: "ftp://example.com/", format: "json" })).rejects.toThrow(/http/);
    await expect(caller.notifications.addWebhook({ url: "https://example.com/", format: "xml" as "json" })).rejects.toThrow(
      /json, discord or slack/,
    );
  });

  it("user B can neither remove nor test user A's webhook, nor route an alert to it", async () => {
    const a = await loginCaller(services);
    const b = await loginCaller(services);
    const hook = await a.caller.notifications.addWebhook({ url: "https://example.com/a", format: "json" });
    expect(await code(b.caller.notifications.removeChannel({ id: hook.id }))).toBe("NOT_FOUND");
    expect(await code(b.caller.notifications.test({ id: hook.id }))).toBe("NOT_FOUND");
    expect(await code(b.caller.alerts.create({ symbol: "BTC", type: "price_above", threshold: 1e6, channels: [hook.id] }))).toBe(
      "BAD_REQUEST",
    );
    expect((await a.caller.notifications.channels()).some((c) => c.id === hook.id)).toBe(true);
    expect(await b.caller.notifications.deliveries()).toEqual([]);
  });

  it("an alert goes to the channels it names, or to all of them", async () => {
    const me = await loginCaller(services);
    const h1 = await me.caller.notifications.addWebhook({ url: "https://example.com/1", format: "json" });
    const h2 = await me.caller.notifications.addWebhook({ url: "https://example.com/2", format: "discord" });
    await setPrice(services.db, "ethereum", 100);
    const all = await me.caller.alerts.create({ symbol: "ETH", type: "price_above", threshold: 150 });
    const one = await me.caller.alerts.create({ symbol: "ETH", type: "price_above", threshold: 151, channels: [h2.id, "email"] });
    const none = await me.caller.alerts.create({ symbol: "ETH", type: "price_above", threshold: 152, channels: [] });
    expect(one.channels).toEqual([h2.id, "email"]);
    await setPrice(services.db, "ethereum", 200);
    clock.advance(60_000);
    await evaluateAlerts(services);
    const keys = async (alertId: string) =>
      (await services.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.alertId, alertId)))
        .map((d) => d.channelKey)
        .sort();
    expect(await keys(all.id)).toEqual([h1.id, h2.id].sort());
    expect(await keys(one.id)).toEqual(["email", h2.id].sort());
    expect(await keys(none.id)).toEqual([]);

    const updated = await me.caller.alerts.update({ id: none.id, channels: null });
    expect(updated.channels).toBeNull();
  });

  it("limits test deliveries to a few a minute", async () => {
    const { caller } = await loginCaller(services);
    for (let i = 0; i < 5; i++) await caller.notifications.test({ id: "email" });
    expect(await code(caller.notifications.test({ id: "email" }))).toBe("TOO_MANY_REQUESTS");
    clock.advance(61_000);
    expect(await code(caller.notifications.test({ id: "email" }))).toBe("OK");
  });

  it("caps webhooks per account", async () => {
    const { caller } = await loginCaller(services);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        caller.notifications.addWebhook({ url: `https://example.com/${i}`, format: "json" }).catch(() => null),
      ),
    );
    expect((await caller.notifications.channels()).filter((c) => c.kind === "webhook")).toHaveLength(10);
  });
});
