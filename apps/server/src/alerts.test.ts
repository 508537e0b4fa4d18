/**
 * alerts.onTriggered through real UCIE servers and the real tRPC client over SSE: the live stream, resume
 * with lastEventId, isolation between users, the stream ending when its session is revoked, and a trigger
 * found by one instance reaching a subscriber connected to another (Postgres LISTEN/NOTIFY).
 */
import { ALERT_TRIGGER_CHANNEL, evaluateAlerts, FakeClock } from "@ucie/api";
import { ucieTokens } from "@ucie/db";
import { createTestDb, type TestDatabase } from "@ucie/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countSubscriptions, startTestServer, type TestClient, type TestServer } from "./testing";

interface TriggerEvent {
  alertId: string;
  symbol: string;
  type: string;
  value: number | null;
  triggeredAt: Date;
}

/** Subscribe and collect events until stopped, failed or completed. */
function collect(client: TestClient, lastEventId?: string) {
  const events: { id: string; data: TriggerEvent }[] = [];
  const state: { started: boolean; error?: { data?: { code?: string } }; completed: boolean } = { started: false, completed: false };
  const sub = client.trpc.alerts.onTriggered.subscribe(lastEventId ? { lastEventId } : undefined, {
    onStarted: () => void (state.started = true),
    onData: (ev) => void events.push(ev),
    onError: (err) => void (state.error = err as unknown as { data?: { code?: string } }),
    onComplete: () => void (state.completed = true),
  });
  return { events, state, stop: () => sub.unsubscribe() };
}

async function setPrice(server: TestServer, coinId: string, price: number) {
  await server.database.db.update(ucieTokens).set({ currentPriceUsd: price }).where(eq(ucieTokens.coingeckoId, coinId));
}

describe("alerts.onTriggered over HTTP", () => {
  let server: TestServer;
  let subs: ReturnType<typeof countSubscriptions>;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));
  const tick = () => (clock.advance(60_000), evaluateAlerts(server.services));

  beforeAll(async () => {
    server = await startTestServer({ clock });
    subs = countSubscriptions(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("streams the user's own firings live, resumes after lastEventId, and never shows another user's", async () => {
    const alice = await server.signedInClient();
    const bob = await server.signedInClient();
    await setPrice(server, "ethereum", 2_000);
    const a1 = await alice.trpc.alerts.create.mutate({ symbol: "ETH", type: "price_above", threshold: 2_100 });
    await bob.trpc.alerts.create.mutate({ symbol: "ETH", type: "price_above", threshold: 2_100 });

    const listening = subs.opened(ALERT_TRIGGER_CHANNEL);
    const live = collect(alice);
    const bobs = collect(bob);
    // both streams are listening for firings
    await expect.poll(() => subs.opened(ALERT_TRIGGER_CHANNEL)).toBe(listening + 2);
    await setPrice(server, "ethereum", 2_150);
    await tick();
    await expect.poll(() => live.events.length).toBe(1);
    expect(live.events[0]!.data).toMatchObject({ alertId: a1.id, symbol: "ETH", type: "price_above", value: 2_150 });
    expect(live.events[0]!.data.triggeredAt).toBeInstanceOf(Date);
    await expect.poll(() => bobs.events.length).toBe(1);
    expect(bobs.events[0]!.data.alertId).not.toBe(a1.id);
    const firstId = live.events[0]!.id;
    live.stop();

    // while disconnected, another firing; a reconnect with lastEventId gets exactly the missed one
    const a2 = await alice.trpc.alerts.create.mutate({ symbol: "ETH", type: "price_below", threshold: 1_900 });
    await setPrice(server, "ethereum", 1_850);
    await tick();
    const resumed = collect(alice, firstId);
    await expect.poll(() => resumed.events.length).toBe(1);
    expect(resumed.events[0]!.data.alertId).toBe(a2.id);
    expect(Number(resumed.events[0]!.id)).toBeGreaterThan(Number(firstId));
    // a later firing arrives next: nothing was repeated in between
    const a3 = await alice.trpc.alerts.create.mutate({ symbol: "ETH", type: "price_above", threshold: 1_900 });
    await setPrice(server, "ethereum", 1_950);
    await tick();
    await expect.poll(() => resumed.events.length).toBeGreaterThanOrEqual(2);
    expect(resumed.events.map((e) => e.data.alertId)).toEqual([a2.id, a3.id]);
    resumed.stop();
    bobs.stop();

    const recent = await alice.trpc.alerts.triggers.query();
    expect(recent.map((t) => t.alertId)).toEqual([a3.id, a2.id, a1.id]);
  });

  it("refuses a visitor and ends the stream when the session is revoked", async () => {
    const visitor = collect(server.client());
    await expect.poll(() => visitor.state.error?.data?.code).toBe("UNAUTHORIZED");

    const carol = await server.signedInClient();
    const listening = subs.opened(ALERT_TRIGGER_CHANNEL);
    const stream = collect(carol);
    // listening for firings, so its session watch is in place too (it is set up first)
    await expect.poll(() => subs.opened(ALERT_TRIGGER_CHANNEL)).toBe(listening + 1);
    await carol.trpc.auth.logout.mutate();
    await expect.poll(() => stream.state.error?.data?.code ?? (stream.state.completed ? "completed" : null)).toBe("UNAUTHORIZED");
    // and the server let go of it
    await expect.poll(() => subs.closed(ALERT_TRIGGER_CHANNEL)).toBeGreaterThanOrEqual(1);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("two server instances on one Postgres database", () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let subsA: ReturnType<typeof countSubscriptions>;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));

  beforeAll(async () => {
    database = await createTestDb("postgres");
    a = await startTestServer({ database, clock });
    b = await startTestServer({ database, clock });
    subsA = countSubscriptions(a);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
  });

  it("a subscriber on instance A receives a trigger found by instance B, once", async () => {
    const user = await a.signedInClient();
    await setPrice(a, "bitcoin", 30_000);
    const alert = await user.trpc.alerts.create.mutate({
      symbol: "bitcoin",
      type: "price_cross",
      threshold: 31_000,
      condition: { direction: "up" },
    });
    clock.advance(60_000);
    await evaluateAlerts(b.services); // first sample

    const listening = subsA.opened(ALERT_TRIGGER_CHANNEL);
    const stream = collect(user);
    await expect.poll(() => subsA.opened(ALERT_TRIGGER_CHANNEL)).toBe(listening + 1);
    await setPrice(a, "bitcoin", 31_500);
    clock.advance(60_000);
    // B runs the tick and finds the cross; A, running the same tick after it, finds nothing left to check
    const rb = await evaluateAlerts(b.services);
    const ra = await evaluateAlerts(a.services);
    expect(rb.triggers.map((t) => t.alertId)).toEqual([alert.id]);
    expect(ra).toMatchObject({ checked: 0, triggered: 0 });
    await expect.poll(() => stream.events.length).toBe(1);
    expect(stream.events[0]!.data).toMatchObject({ alertId: alert.id, symbol: "BTC", type: "price_cross", value: 31_500 });
    // a later firing found by B arrives next: the first was not delivered twice
    const later = await user.trpc.alerts.create.mutate({ symbol: "bitcoin", type: "price_above", threshold: 32_000 });
    await setPrice(a, "bitcoin", 32_500);
    clock.advance(60_000);
    await evaluateAlerts(b.services);
    await expect.poll(() => stream.events.length).toBeGreaterThanOrEqual(2);
    expect(stream.events.map((e) => e.data.alertId)).toEqual([alert.id, later.id]);
    stream.stop();
  });
});
