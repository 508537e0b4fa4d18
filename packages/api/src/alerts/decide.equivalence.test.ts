/**
 * The proof that the preview's pure decision (decide.ts) and the SQL evaluator (evaluate.ts) agree: the
 * real evaluator ticks once per day of generated series (a fake clock, the coin's price set before each
 * tick) and every alert's recorded firings must equal `replay` over the same series: repeat, cooldowns
 * longer than a day, hysteresis (series that wobble around the line by less than the re-arm margin) and
 * crosses in every direction included.
 */
import { asc, eq } from "drizzle-orm";
import { ucieAlertTriggers } from "@ucie/db";
import { testDbKinds } from "@ucie/db/testing";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../lib/clock";
import type { Services } from "../services";
import { loginCaller, setPrice, withSeededServices } from "../testing/services";
import { replay, type StoredRule } from "./decide";
import { evaluateAlerts } from "./evaluate";
import type { AlertInput } from "./rules";

const DAY = 86_400_000;

/** a small deterministic PRNG (mulberry32), so a failing series can be reproduced from its seed */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** prices wandering around 100 (steps up to ±`step` %), sometimes sitting exactly on the line */
function priceSeries(seed: number, n: number, step: number): number[] {
  const r = rng(seed);
  const out = [100 * (0.97 + r() * 0.06)];
  for (let i = 1; i < n; i++) {
    const x = r();
    out.push(x < 0.08 ? 100 : Math.round(out[i - 1]! * (1 + (r() - 0.5) * 2 * (step / 100)) * 100) / 100);
  }
  return out;
}

/** 24 h changes in percent wandering around ±3 */
function changeSeries(seed: number, n: number): number[] {
  const r = rng(seed ^ 0x9e3779b9);
  return Array.from({ length: n }, () => Math.round((r() - 0.5) * 800) / 100);
}

type Rule = AlertInput & { type: "price_above" | "price_below" | "price_cross" | "percent_change" };

function rules(): Rule[] {
  const out: Rule[] = [];
  const timing = [
    { repeat: "once" as const },
    { repeat: "repeat" as const, cooldownSeconds: 60 },
    { repeat: "repeat" as const, cooldownSeconds: 2 * 86_400 },
    { repeat: "repeat" as const, cooldownSeconds: 5 * 86_400 },
  ];
  // thresholds differ per timing so no two enabled alerts are identical
  timing.forEach((tm, k) => {
    const thr = 100 + k * 0.25;
    out.push({ symbol: "bitcoin", type: "price_above", threshold: thr, ...tm });
    out.push({ symbol: "bitcoin", type: "price_below", threshold: thr, ...tm });
    for (const direction of ["up", "down", "any"] as const)
      out.push({ symbol: "bitcoin", type: "price_cross", threshold: thr, condition: { direction }, ...tm });
    for (const direction of ["up", "down", "any"] as const)
      out.push({ symbol: "bitcoin", type: "percent_change", threshold: 1 + k * 0.5, condition: { window: "24h", direction }, ...tm });
  });
  return out;
}

function stored(r: Rule): StoredRule {
  const direction = r.type === "price_above" || r.type === "price_below" ? undefined : r.condition.direction;
  return { type: r.type, threshold: r.threshold, direction, repeat: r.repeat ?? "once", cooldownSeconds: r.cooldownSeconds ?? 3600 };
}

describe.each(testDbKinds())("preview and evaluator agree (%s)", (kind) => {
  let services: Services;
  const clock = new FakeClock(new Date("2026-01-01T00:00:00Z"));
  withSeededServices(kind, clock, (s) => (services = s), 30_000);

  it.each([
    [1, 1.2],
    [2, 0.4],
    [3, 3],
    [4, 0.8],
    [5, 6],
  ])(
    "series %i (steps up to ±%s percent): every alert fires on the same days",
    async (seed, step) => {
      const n = 45;
      const prices = priceSeries(seed, n, step);
      const changes = changeSeries(seed, n);
      const start = clock.now().getTime();
      await setPrice(services.db, "bitcoin", prices[0]!, { change24h: changes[0]! });
      const { caller } = await loginCaller(services);
      const all = rules();
      const ids: string[] = [];
      for (const r of all) ids.push((await caller.alerts.create(r)).id);

      for (let i = 1; i < n; i++) {
        clock.set(new Date(start + i * DAY));
        await setPrice(services.db, "bitcoin", prices[i]!, { change24h: changes[i]! });
        await evaluateAlerts(services);
      }

      let total = 0;
      for (const [k, r] of all.entries()) {
        const rows = await services.db
          .select({ t: ucieAlertTriggers.triggeredAt, value: ucieAlertTriggers.value })
          .from(ucieAlertTriggers)
          .where(eq(ucieAlertTriggers.alertId, ids[k]!))
          .orderBy(asc(ucieAlertTriggers.seq));
        const values = r.type === "percent_change" ? changes : prices;
        const expected = replay(
          stored(r),
          values.map((value, i) => ({ t: start + i * DAY, value })),
        );
        expect({ rule: r, firings: rows.map((x) => ({ t: x.t.getTime(), value: x.value })) }).toEqual({ rule: r, firings: expected });
        total += expected.length;
      }
      // the series must exercise the rules, not pass vacuously
      expect(total).toBeGreaterThan(10);
      clock.set(new Date(start + (n + 1) * DAY));
    },
    120_000,
  );
});
