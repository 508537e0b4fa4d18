import { eq, sql } from "drizzle-orm";
import { ucieAlerts } from "@ucie/db";
import { testDbKinds } from "@ucie/db/testing";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../lib/clock";
import type { Services } from "../services";
import { loginCaller, setPrice, withSeededServices } from "../testing/services";
import { evaluateAlerts } from "./evaluate";
import { MAX_ALERTS_PER_USER } from "./rules";

/** The field a BAD_REQUEST names: the path of its first zod issue (over HTTP the formatter prefixes it to the message). */
function fieldOf(err: unknown): string | undefined {
  const issues = (err as { cause?: { issues?: { path: PropertyKey[] }[] } }).cause?.issues;
  return issues?.[0]?.path.map(String).join(".");
}

describe.each(testDbKinds())("alerts procedures (%s)", (kind) => {
  let services: Services;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));
  withSeededServices(kind, clock, (s) => (services = s));

  it("validates each type's fields and names the field", async () => {
    const { caller } = await loginCaller(services);
    const bad = async (input: unknown, field: string, message?: RegExp) => {
      const err = await caller.alerts.create(input as never).then(
        () => null,
        (e: { code?: string; message: string; shape?: unknown }) => e,
      );
      expect(err, JSON.stringify(input)).not.toBeNull();
      expect(err!.code).toBe("BAD_REQUEST");
      // an unknown key is named in the message ("Unrecognized key: \"extra\"")
      expect(fieldOf(err) || (err!.message.includes(`"${field}"`) ? field : err!.message), err!.message).toBe(field);
      if (message) expect(err!.message).toMatch(message);
    };
    await bad({ symbol: "BTC", type: "price_above" }, "threshold", /threshold price/);
    await bad({ symbol: "BTC", type: "price_below", threshold: -5 }, "threshold", /above zero/);
    await bad({ symbol: "BTC", type: "price_above", threshold: Number.NaN }, "threshold");
    await bad({ symbol: "BTC", type: "price_cross", threshold: 100 }, "condition");
    await bad({ symbol: "BTC", type: "price_cross", threshold: 100, condition: { direction: "sideways" } }, "condition.direction");
    await bad({ symbol: "BTC", type: "percent_change", threshold: 5, condition: { window: "7d" } }, "condition.window");
    await bad({ symbol: "BTC", type: "rsi_above", threshold: 120 }, "threshold", /0 to 100/);
    await bad({ symbol: "BTC", type: "volume_spike", condition: { multiplier: 0.5 } }, "condition.multiplier");
    await bad({ symbol: "BTC", type: "volume_spike", threshold: 3, condition: { multiplier: 3 } }, "threshold");
    await bad({ symbol: "BTC", type: "sentiment_change", condition: { points: 500 } }, "condition.points");
    await bad({ symbol: "BTC", type: "moon_soon", threshold: 1 }, "type");
    await bad({ symbol: "", type: "price_above", threshold: 1 }, "symbol");
    await bad({ symbol: "BTC", type: "price_above", threshold: 1, repeat: "always" }, "repeat");
    await bad({ symbol: "BTC", type: "price_above", threshold: 1, cooldownSeconds: 5 }, "cooldownSeconds");
    await bad({ symbol: "BTC", type: "price_above", threshold: 1, extra: true }, "extra");
    await bad({ symbol: "BTC", type: "price_above", threshold: 1, expiresAt: new Date("2020-01-01") }, "expiresAt", /future/);
    await expect(caller.alerts.create({ symbol: "NOPE", type: "price_above", threshold: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await caller.alerts.list()).toEqual([]);
  });

  it("creates every type, describes it in words, warns when already true or never possible", async () => {
    await setPrice(services.db, "bitcoin", 30_000, { change24h: 2.5 });
    const { caller } = await loginCaller(services);
    const above = await caller.alerts.create({ symbol: "btc", type: "price_above", threshold: 25_000 });
    expect(above).toMatchObject({ coinId: "bitcoin", symbol: "BTC", state: "armed", enabled: true, repeat: "once", priceUsd: 30_000 });
    expect(above.warnings).toEqual([expect.stringMatching(/already at or above \$25,000 \(\$30,000 now\)/)]);
    expect(above.description).toBe("BTC price at or above $25,000");

    const below = await caller.alerts.create({ symbol: "BTC", type: "price_below", threshold: 25_000 });
    expect(below.warnings).toEqual([]);

    const fall = await caller.alerts.create({
      symbol: "BTC",
      type: "percent_change",
      threshold: 150,
      condition: { window: "24h", direction: "down" },
    });
    expect(fall.warnings.join(" ")).toMatch(/can never fire/);
    expect(fall.description).toBe("BTC moves down 150 % or more over a rolling 24 h");

    const moved = await caller.alerts.create({ symbol: "BTC", type: "percent_change", threshold: 2, condition: { window: "24h" } });
    expect(moved.warnings.join(" ")).toMatch(/already moved 2.50 %/);
    expect(moved.condition).toEqual({ window: "24h", direction: "any" });

    const rsi = await caller.alerts.create({ symbol: "BTC", type: "rsi_above", threshold: 100 });
    expect(rsi.warnings.join(" ")).toMatch(/practically never/);

    const vol = await caller.alerts.create({ symbol: "BTC", type: "volume_spike", condition: { multiplier: 2.5 } });
    expect(vol).toMatchObject({ threshold: null, condition: { multiplier: 2.5 } });
    expect(vol.description).toMatch(/rolling 24 h at least 2.5× its 30-day daily average/);

    const mood = await caller.alerts.create({ symbol: "BTC", type: "sentiment_change", condition: { points: 15, window: "7d" } });
    expect(mood.description).toBe("Fear & Greed index moves up or down 15 points or more within 7 days");

    const snoozedPastExpiry = await caller.alerts.create({
      symbol: "BTC",
      type: "price_below",
      threshold: 1,
      expiresAt: new Date("2026-03-02T00:00:00Z"),
      snoozedUntil: new Date("2026-03-03T00:00:00Z"),
      repeat: "repeat",
      cooldownSeconds: 900,
      email: true,
    });
    expect(snoozedPastExpiry).toMatchObject({ state: "snoozed", repeat: "repeat", cooldownSeconds: 900, email: true });
    expect(snoozedPastExpiry.warnings.join(" ")).toMatch(/snoozed until after it expires/);

    const list = await caller.alerts.list();
    expect(list.map((a) => a.type).sort()).toEqual(
      [
        "percent_change",
        "percent_change",
        "price_above",
        "price_below",
        "price_below",
        "rsi_above",
        "sentiment_change",
        "volume_spike",
      ].sort(),
    );
  });

  it("updates: a new threshold re-arms, switching off and on works, an expired alert needs a later expiry", async () => {
    await setPrice(services.db, "ethereum", 2_000);
    const { caller } = await loginCaller(services);
    const a = await caller.alerts.create({ symbol: "ETH", type: "price_above", threshold: 1_900 });
    clock.advance(60_000);
    await evaluateAlerts(services);
    expect((await caller.alerts.list()).find((x) => x.id === a.id)).toMatchObject({ state: "done", enabled: false, triggerCount: 1 });

    const raised = await caller.alerts.update({ id: a.id, threshold: 2_500, enabled: true });
    expect(raised).toMatchObject({ threshold: 2_500, enabled: true, state: "armed", triggered: false, triggerCount: 1, warnings: [] });
    const negative = await caller.alerts.update({ id: a.id, threshold: -1 }).catch((e: unknown) => e);
    expect(negative).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/above zero/) });
    expect(fieldOf(negative)).toBe("threshold");
    await expect(caller.alerts.update({ id: a.id, condition: { direction: "up" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const cross = await caller.alerts.create({ symbol: "ETH", type: "price_cross", threshold: 2_100, condition: { direction: "up" } });
    expect(await caller.alerts.update({ id: cross.id, condition: { direction: "down" } })).toMatchObject({
      condition: { direction: "down" },
    });
    const around = await caller.alerts.update({ id: cross.id, condition: { direction: "around" } }).catch((e: unknown) => e);
    expect(around).toMatchObject({ code: "BAD_REQUEST" });
    expect(fieldOf(around)).toBe("condition.direction");

    expect(await caller.alerts.update({ id: a.id, enabled: false })).toMatchObject({ enabled: false, state: "disabled" });
    const soon = await caller.alerts.update({ id: a.id, enabled: true, expiresAt: new Date(clock.now().getTime() + 60_000) });
    expect(soon.state).toBe("armed");
    clock.advance(120_000);
    await evaluateAlerts(services);
    expect((await caller.alerts.list()).find((x) => x.id === a.id)).toMatchObject({ state: "expired", enabled: false });
    const expired = await caller.alerts.update({ id: a.id, enabled: true }).catch((e: unknown) => e);
    expect(expired).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/expired/) });
    expect(fieldOf(expired)).toBe("expiresAt");
    expect(await caller.alerts.update({ id: a.id, enabled: true, expiresAt: null })).toMatchObject({ state: "armed", expiresAt: null });

    expect(await caller.alerts.delete({ id: a.id })).toEqual({ ok: true });
    await expect(caller.alerts.delete({ id: a.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.alerts.delete({ id: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("IDOR: user B cannot read, change or delete user A's alerts or triggers", async () => {
    await setPrice(services.db, "uniswap", 20);
    const a = await loginCaller(services);
    const b = await loginCaller(services);
    const alert = await a.caller.alerts.create({ symbol: "UNI", type: "price_above", threshold: 10 });
    clock.advance(60_000);
    await evaluateAlerts(services);
    const before = await services.db.select().from(ucieAlerts).where(eq(ucieAlerts.userId, a.userId));

    expect(await b.caller.alerts.list()).toEqual([]);
    expect(await b.caller.alerts.triggers()).toEqual([]);
    await expect(b.caller.alerts.update({ id: alert.id, enabled: true, threshold: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.caller.alerts.delete({ id: alert.id })).rejects.toMatchObject({ code: "NOT_FOUND" });

    expect(await services.db.select().from(ucieAlerts).where(eq(ucieAlerts.userId, a.userId))).toEqual(before);
    expect((await a.caller.alerts.triggers()).map((t) => t.alertId)).toEqual([alert.id]);
  });

  it(`caps a user at ${MAX_ALERTS_PER_USER} alerts, also under concurrent creates`, async () => {
    const { caller, userId } = await loginCaller(services);
    await services.db.insert(ucieAlerts).values(
      Array.from({ length: MAX_ALERTS_PER_USER - 3 }, (_, i) => ({
        userId,
        symbol: "BTC",
        coinId: "bitcoin",
        alertType: "price_above" as const,
        thresholdValue: 100_000 + i,
      })),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => caller.alerts.create({ symbol: "BTC", type: "price_above", threshold: 200_000 + i })),
    );
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(3);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect(r.reason).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/most allowed/) });
    }
    const [n] = await services.db
      .select({ n: sql<number>`count(*)::int` })
      .from(ucieAlerts)
      .where(eq(ucieAlerts.userId, userId));
    expect(n!.n).toBe(MAX_ALERTS_PER_USER);
  });
});
