/** Risk figures on series small enough to check by hand. */
import { describe, expect, it } from "vitest";
import type { Candle } from "../market/types";
import { alignByDay, annualisedVolatility, computeRisk, correlationAndBeta, historicalVaRPct, maxDrawdownPct } from "./risk";

const DAY = 86_400_000;
const candles = (closes: number[], startDay = 0, skip: number[] = []): Candle[] =>
  closes.flatMap((c, i) => (skip.includes(i) ? [] : [{ t: (startDay + i) * DAY, open: c, high: c, low: c, close: c, volume: 0 }]));

describe("risk", () => {
  it("maximum drawdown is the largest peak-to-trough fall: 120 -> 60 is 50%", () => {
    expect(maxDrawdownPct([100, 120, 90, 110, 60, 130])).toBeCloseTo(50, 10);
    expect(maxDrawdownPct([1, 2, 3])).toBe(0);
  });

  it("annualised volatility: +10% then back gives log returns ±ln 1.1, sample sd ln(1.1)·√2, times √365", () => {
    const r = Math.log(1.1);
    expect(annualisedVolatility([r, -r])).toBeCloseTo(r * Math.SQRT2 * Math.sqrt(365), 12);
    expect(computeRisk(candles([100, 110, 100]), null).annualisedVolatilityPct).toBeCloseTo(
      0.0953102 * Math.SQRT2 * Math.sqrt(365) * 100,
      3,
    );
  });

  it("95% historical VaR is the nearest-rank 5th-percentile loss of simple daily returns", () => {
    // returns -10%, +10%, 0%, +10%: ceil(0.05 * 4) = 1st worst = -10%
    expect(historicalVaRPct([100, 90, 99, 99, 108.9])).toBeCloseTo(10, 10);
    // 40 returns: the 2nd worst of them
    const closes = [100];
    const rets = Array.from({ length: 40 }, (_, i) => (i === 7 ? -0.2 : i === 21 ? -0.08 : 0.01));
    for (const x of rets) closes.push(closes.at(-1)! * (1 + x));
    expect(historicalVaRPct(closes)).toBeCloseTo(8, 8);
  });

  it("beta is 2 and correlation 1 for a coin whose log returns are twice Bitcoin's; -1 and -1 for its inverse", () => {
    const btc = [100, 110, 99, 120, 118];
    expect(
      correlationAndBeta(
        btc.map((p) => p * p),
        btc,
      ),
    ).toEqual({ correlation: expect.closeTo(1, 12), beta: expect.closeTo(2, 12) });
    expect(
      correlationAndBeta(
        btc.map((p) => 1 / p),
        btc,
      ),
    ).toEqual({ correlation: expect.closeTo(-1, 12), beta: expect.closeTo(-1, 12) });
    expect(correlationAndBeta([1, 1, 1], [1, 2, 3])).toBeNull();
  });

  it("aligns the two histories by UTC day and uses only the days both have", () => {
    const coin = candles([10, 11, 12, 13, 14], 0, [2]);
    const btc = candles([100, 101, 102, 103, 104, 105], 1);
    const a = alignByDay(coin, btc);
    expect(a).toEqual({ a: [11, 13, 14], b: [100, 102, 103], days: 3 });
    const r = computeRisk(coin, btc);
    expect(r.alignedDays).toBe(3);
    expect(r.days).toBe(4);
  });
});
