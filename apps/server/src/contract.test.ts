/**
 * The public contract of shared/API.md, checked over HTTP with the real client: procedure names, input
 * names and the result fields outside clients rely on. A rename here breaks someone else's code.
 */
import { sql } from "drizzle-orm";
import { execute } from "@ucie/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "./testing";

/**
 * Exactly these keys, no more and no fewer: API.md's fields plus the additions named here (API.md allows
 * adding; each addition is listed so that a new or a lost field fails this test until it is written down).
 */
function expectKeys(value: unknown, documented: string[], added: string[] = []): void {
  expect(value).toBeTypeOf("object");
  expect(Object.keys(value as object).sort()).toEqual([...documented, ...added].sort());
}

describe("API.md contract", () => {
  let server: TestServer;
  let client: TestClient & { userId: string };
  beforeAll(async () => {
    server = await startTestServer();
    client = await server.signedInClient("contract@example.com");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("auth.me and auth.sessions", async () => {
    const me = await client.trpc.auth.me.query();
    expect(me).toMatchObject({ id: client.userId, email: "contract@example.com", emailVerified: true });
    expect(me!.createdAt).toBeInstanceOf(Date);
    // API.md also lists `role`, which arrives with the admin work ("Run UCIE from the browser"); not served yet
    expectKeys(me, ["id", "email", "emailVerified", "createdAt", "role"]);
    const sessions = await client.trpc.auth.sessions.query();
    expect(sessions[0]).toMatchObject({ id: expect.any(String), current: true });
    expect(sessions[0]!.createdAt).toBeInstanceOf(Date);
    expect(sessions[0]!.expiresAt).toBeInstanceOf(Date);
    for (const session of sessions) expectKeys(session, ["id", "createdAt", "expiresAt", "current"], ["ip", "userAgent"]);
    expect(await client.trpc.auth.requestPasswordReset.mutate({ email: "nobody@example.com" })).toEqual({ ok: true });
    expect(await client.trpc.auth.resendVerification.mutate({ email: "nobody@example.com" })).toEqual({ ok: true });
  });

  it("tokens.list, search, get and history", async () => {
    const list = await client.trpc.tokens.list.query({ limit: 5 });
    const items = (Array.isArray(list) ? list : (list as { items: unknown[] }).items) as Record<string, unknown>[];
    expect(items.length).toBe(5);
    expect(items[0]).toMatchObject({ id: "bitcoin", symbol: "BTC" });
    const hits = await client.trpc.tokens.search.query({ query: "eth", limit: 5 });
    expect(hits[0]).toMatchObject({ id: "ethereum", symbol: "ETH" });
    expect(await client.trpc.tokens.get.query({ symbol: "btc" })).toMatchObject({ id: "bitcoin", symbol: "BTC", name: "Bitcoin" });
    expect(await client.trpc.tokens.get.query({ symbol: "avalanche-2" })).toMatchObject({ id: "avalanche-2", symbol: "AVAX" });
    const candles = await client.trpc.tokens.history.query({ symbol: "bitcoin", days: 30 });
    expect(candles.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(candles[0]!).sort()).toEqual(["close", "high", "low", "open", "t", "volume"]);
    expect(candles[0]!.t).toBeLessThan(candles.at(-1)!.t);
    await expect(client.trpc.tokens.get.query({ symbol: "no-such-coin-anywhere" })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });

  it("watchlist.*", async () => {
    const added = await client.trpc.watchlist.add.mutate({ symbol: "eth", notes: "staking" });
    expect(added).toMatchObject({ id: "ethereum", symbol: "ETH", notes: "staking" });
    await expect(client.trpc.watchlist.add.mutate({ symbol: "ethereum" })).rejects.toMatchObject({ data: { code: "CONFLICT" } });
    await expect(client.trpc.watchlist.add.mutate({ symbol: "no-such-coin-anywhere" })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    expect(await client.trpc.watchlist.update.mutate({ symbol: "ethereum", notes: "sold" })).toMatchObject({ notes: "sold" });
    const [item] = await client.trpc.watchlist.list.query();
    expect(item).toMatchObject({ id: "ethereum", symbol: "ETH", name: "Ethereum", notes: "sold" });
    // the documented fields, and the coin's id beside its symbol ("results carry both id and symbol")
    expectKeys(
      item,
      ["id", "symbol", "name", "priceUsd", "change24h", "notes", "addedAt", "lastViewedAt"],
      ["logo", "delisted", "priceAt", "priceSource", "change7d", "marketCapUsd", "rsi14", "rsiAt", "alertCount", "price", "currency"],
    );
    expect(await client.trpc.watchlist.remove.mutate({ symbol: "ethereum" })).toEqual({ ok: true });
  });

  it("alerts.*", async () => {
    await expect(client.trpc.alerts.create.mutate({ symbol: "bitcoin", type: "price_above" } as never)).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
    const alert = await client.trpc.alerts.create.mutate({
      symbol: "bitcoin",
      type: "price_cross",
      threshold: 50_000,
      condition: { direction: "up" },
      repeat: "repeat",
    });
    expect(alert).toMatchObject({ id: expect.any(String), symbol: "BTC" });
    const updated = await client.trpc.alerts.update.mutate({ id: alert.id, enabled: false });
    expect(updated).toMatchObject({ id: alert.id, enabled: false });
    expect((await client.trpc.alerts.list.query()).map((a) => a.id)).toContain(alert.id);
    for (const type of ["percent_change", "rsi_above", "rsi_below", "volume_spike", "sentiment_change", "price_below"] as const) {
      const input =
        type === "percent_change"
          ? { threshold: 5, condition: { window: "24h" as const } }
          : type === "volume_spike"
            ? { condition: { multiplier: 3 } }
            : type === "sentiment_change"
              ? { condition: { points: 10 } }
              : type === "price_below"
                ? { threshold: 10_000 }
                : { threshold: type === "rsi_above" ? 70 : 30 };
      // the Fear & Greed index is market-wide: filed under Market whatever coin is sent
      await expect(client.trpc.alerts.create.mutate({ symbol: "bitcoin", type, ...input } as never)).resolves.toMatchObject({
        symbol: type === "sentiment_change" ? "MARKET" : "BTC",
      });
    }
    const preview = await client.trpc.alerts.preview.query({ symbol: "bitcoin", type: "price_above", threshold: 40_000 });
    expect(preview).toMatchObject({ days: 365, count: expect.any(Number), source: expect.stringMatching(/^(live|snapshot|simulated)$/) });
    expect(preview.firings.every((f) => f.t instanceof Date && typeof f.value === "number")).toBe(true);
    expect(await client.trpc.alerts.delete.mutate({ id: alert.id })).toEqual({ ok: true });
  });

  it("alerts.onTriggered yields { alertId, symbol, type, value, triggeredAt } with a tracked id", async () => {
    const alert = await client.trpc.alerts.create.mutate({ symbol: "bitcoin", type: "price_above", threshold: 1 });
    const { evaluateAlerts } = await import("@ucie/api");
    const got = await new Promise<{ id: string; data: Record<string, unknown> }>((resolve, reject) => {
      const sub = client.trpc.alerts.onTriggered.subscribe(undefined, {
        onData: (e) => (sub.unsubscribe(), resolve(e)),
        onError: reject,
        onStarted: () => void evaluateAlerts(server.services, { tickKey: "contract-1" }),
      });
    });
    expect(got.id).toMatch(/^\d+$/);
    expect(got.data).toMatchObject({ alertId: alert.id, symbol: "BTC", type: "price_above" });
    expect(typeof got.data.value).toBe("number");
    expect(got.data.triggeredAt).toBeDefined();
    expect(got.data.source).toMatch(/^(live|snapshot|simulated)$/);
    expectKeys(got.data, ["alertId", "symbol", "type", "value", "source", "triggeredAt"], ["description", "valueLabel"]);
  });

  it("analysis.stream events and analysis.get", async () => {
    const sessionId = "contract-session-1";
    const events = await new Promise<{ id: string; data: Record<string, unknown> }[]>((resolve, reject) => {
      const got: { id: string; data: Record<string, unknown> }[] = [];
      client.trpc.analysis.stream.subscribe(
        { symbol: "btc", sessionId },
        { onData: (e) => got.push(e as never), onComplete: () => resolve(got), onError: reject },
      );
    });
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4].map((p) => `${sessionId}:${p}`));
    for (const e of events) {
      expectKeys(e.data, ["phase", "label", "status", "data", "qualityScore", "fromCache"]);
      expect(["complete", "partial", "failed"]).toContain(e.data.status);
      expect(e.data.qualityScore).toBeGreaterThanOrEqual(0);
      expect(e.data.qualityScore).toBeLessThanOrEqual(100);
    }
    const { rows } = await execute<{ analysis_type: string }>(
      server.database.db,
      sql`select analysis_type from ucie_analysis_cache where coin_id = 'bitcoin' limit 1`,
    );
    const type = rows[0]!.analysis_type;
    const cached = await client.trpc.analysis.get.query({ symbol: "bitcoin", type: type as never });
    expect(cached).toMatchObject({ qualityScore: expect.any(Number) });
    expect(cached!.createdAt).toBeInstanceOf(Date);
    expect(cached!.expiresAt).toBeInstanceOf(Date);
    expectKeys(cached, ["data", "qualityScore", "createdAt", "expiresAt"], ["id", "symbol", "type"]);
  });
});
