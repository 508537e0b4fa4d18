/**
 * Indicator values against independently published worked examples (inputs and outputs copied from the
 * named source), not against the library's own output.
 */
import { describe, expect, it } from "vitest";
import type { Candle } from "../market/types";
import {
  atrSeries,
  bollingerSeries,
  computeTechnicals,
  emaSeries,
  macdSeries,
  rsiSeries,
  smaSeries,
  stochasticSeries,
  trendState,
} from "./indicators";

const defined = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

describe("RSI(14): Wilder's worked example as tabulated by StockCharts ChartSchool ('Relative Strength Index (RSI)', cs-rsi spreadsheet)", () => {
  // closes from 2009-12-14 onwards, as in the ChartSchool table
  const closes = [
    44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28, 46.0, 46.03, 46.41, 46.22,
    45.64, 46.21, 46.25, 45.71, 46.45, 45.78, 45.35, 44.03, 44.18, 44.22, 44.57, 43.42, 42.66, 43.13,
  ];
  // the table's RSI column (its averages are shown rounded, hence a tolerance of 0.1)
  const published = [
    70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87, 45.46, 37.3, 33.08, 37.77,
  ];

  it("starts on the 15th close and matches every published value", () => {
    const rsi = rsiSeries(closes, 14);
    expect(rsi.slice(0, 14).every((v) => v === null)).toBe(true);
    const got = defined(rsi);
    expect(got).toHaveLength(published.length);
    got.forEach((v, i) => expect(Math.abs(v - published[i]!), `RSI #${i + 1}: ${v} vs ${published[i]}`).toBeLessThan(0.1));
  });
});

describe("EMA(10): StockCharts ChartSchool 'Moving Averages - Simple and Exponential' (cs-movavg spreadsheet)", () => {
  const closes = [
    22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39, 22.38, 22.61, 23.36, 24.05, 23.75, 23.83, 23.95,
    23.63, 23.82, 23.87, 23.65, 23.19, 23.1, 23.33, 22.68, 23.1, 22.4, 22.17,
  ];
  const published = [
    22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.8, 22.97, 23.13, 23.28, 23.34, 23.43, 23.51, 23.53, 23.47, 23.4, 23.39, 23.26, 23.23,
    23.08, 22.92,
  ];

  it("is seeded with the 10-day SMA and then follows the published column to the cent", () => {
    const ema = emaSeries(closes, 10);
    expect(ema.slice(0, 9).every((v) => v === null)).toBe(true);
    const got = defined(ema);
    expect(got).toHaveLength(published.length);
    got.forEach((v, i) =>
      expect(Math.abs(v - published[i]!), `EMA #${i + 1}: ${v} vs ${published[i]}`).toBeLessThanOrEqual(0.0051 + 0.005),
    );
  });

  it("SMA(10) of the first ten closes is the published 22.22", () => {
    expect(defined(smaSeries(closes, 10))[0]).toBeCloseTo(22.221, 3);
  });
});

describe("Bollinger Bands(20, 2): StockCharts ChartSchool 'Bollinger Bands' (cs-bollband spreadsheet)", () => {
  const closes = [
    86.16, 89.09, 88.78, 90.32, 89.07, 91.15, 89.44, 89.18, 86.93, 87.68, 86.96, 89.43, 89.32, 88.72, 87.45, 87.26, 89.5, 87.9, 89.13, 90.7,
    92.9, 92.98, 91.8, 92.66, 92.68, 92.3, 92.77, 92.54, 92.95, 93.2, 91.07, 89.83, 89.74, 90.4, 90.74, 88.02, 88.09, 88.84, 90.78, 90.54,
    91.39, 90.65,
  ];
  const middle = [
    88.71, 89.05, 89.24, 89.39, 89.51, 89.69, 89.75, 89.91, 90.08, 90.38, 90.66, 90.86, 90.88, 90.9, 90.99, 91.15, 91.19, 91.12, 91.17,
    91.25, 91.24, 91.17, 91.05,
  ];
  const upper = [
    91.29, 91.95, 92.61, 92.93, 93.31, 93.73, 93.9, 94.26, 94.56, 94.79, 95.04, 94.91, 94.9, 94.89, 94.86, 94.67, 94.55, 94.68, 94.57,
    94.53, 94.53, 94.37, 94.15,
  ];
  const lower = [
    86.12, 86.14, 85.87, 85.85, 85.7, 85.65, 85.59, 85.56, 85.6, 85.98, 86.27, 86.82, 86.87, 86.91, 87.12, 87.63, 87.83, 87.56, 87.76,
    87.97, 87.95, 87.96, 87.95,
  ];

  it("uses the population standard deviation and matches all three published bands", () => {
    const bb = bollingerSeries(closes, 20, 2);
    const check = (got: number[], want: number[], name: string) => {
      expect(got).toHaveLength(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${name} #${i + 1}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(0.011));
    };
    check(defined(bb.middle), middle, "middle");
    check(defined(bb.upper), upper, "upper");
    check(defined(bb.lower), lower, "lower");
  });
});

describe("ATR(14): StockCharts ChartSchool 'Average True Range (ATR)' (QQQ, April-May 2010, cs-atr spreadsheet)", () => {
  const high = [
    48.7, 48.72, 48.9, 48.87, 48.82, 49.05, 49.2, 49.35, 49.92, 50.19, 50.12, 49.66, 49.88, 50.19, 50.36, 50.57, 50.65, 50.43, 49.63, 50.33,
    50.29, 50.17, 49.32, 48.5, 48.32, 46.8, 47.8, 48.39, 48.66, 48.79,
  ];
  const low = [
    47.79, 48.14, 48.39, 48.37, 48.24, 48.64, 48.94, 48.86, 49.5, 49.87, 49.2, 48.9, 49.43, 49.73, 49.26, 50.09, 50.3, 49.21, 48.98, 49.61,
    49.2, 49.43, 48.08, 47.64, 41.55, 44.28, 47.31, 47.2, 47.9, 47.73,
  ];
  const close = [
    48.16, 48.61, 48.75, 48.63, 48.74, 49.03, 49.07, 49.32, 49.91, 50.13, 49.53, 49.5, 49.75, 50.03, 50.31, 50.52, 50.41, 49.43, 49.37,
    50.23, 49.24, 49.93, 48.43, 48.18, 46.57, 45.41, 47.77, 47.72, 48.62, 47.85,
  ];
  // the spreadsheet rounds each true range to the cent before averaging: a tolerance of 0.015
  const published = [0.56, 0.59, 0.59, 0.57, 0.62, 0.62, 0.64, 0.67, 0.69, 0.78, 0.78, 1.21, 1.3, 1.38, 1.37, 1.34, 1.32];

  it("averages the first 14 true ranges, then applies Wilder's smoothing", () => {
    const candles: Candle[] = high.map((h, i) => ({
      t: i * 86_400_000,
      open: close[i]!,
      high: h,
      low: low[i]!,
      close: close[i]!,
      volume: 0,
    }));
    const got = defined(atrSeries(candles, 14));
    expect(got).toHaveLength(published.length);
    got.forEach((v, i) => expect(Math.abs(v - published[i]!), `ATR #${i + 1}: ${v} vs ${published[i]}`).toBeLessThanOrEqual(0.015));
  });
});

describe("MACD(12, 26, 9) and Stochastic(14, 3)", () => {
  const closes = Array.from({ length: 120 }, (_, i) => 100 + 10 * Math.sin(i / 7) + i * 0.2);

  it("MACD line is EMA12 - EMA26 from the 26th close; signal its 9-day EMA from the 34th; histogram the difference", () => {
    const m = macdSeries(closes);
    const e12 = emaSeries(closes, 12);
    const e26 = emaSeries(closes, 26);
    expect(m.macd[24]).toBeNull();
    expect(m.macd[25]!).toBeCloseTo(e12[25]! - e26[25]!, 12);
    expect(m.signal[32]).toBeNull();
    // the signal line starts as the plain mean of the first nine MACD values
    const firstNine = m.macd.slice(25, 34) as number[];
    expect(m.signal[33]!).toBeCloseTo(firstNine.reduce((a, b) => a + b, 0) / 9, 12);
    const i = closes.length - 1;
    expect(m.macd[i]!).toBeCloseTo(e12[i]! - e26[i]!, 12);
    expect(m.histogram[i]!).toBeCloseTo(m.macd[i]! - m.signal[i]!, 12);
  });

  it("Stochastic %K is where the close sits in the 14-day range; %D its 3-day mean", () => {
    // hand-computable: a 14-day window with low 10 and high 20, closing at 17.5 -> %K 75
    const candles: Candle[] = Array.from({ length: 16 }, (_, i) => ({
      t: i,
      open: 15,
      high: i === 3 ? 20 : 16,
      low: i === 5 ? 10 : 14,
      close: 15,
      volume: 0,
    }));
    candles[15] = { ...candles[15]!, close: 17.5 };
    candles[14] = { ...candles[14]!, close: 15 };
    const st = stochasticSeries(candles, 14, 3);
    // %K of days 14 and 15 (closes 15 in a 10-20 range) is 50; the library reports once %D exists
    expect(st.k[14]).toBeNull();
    expect(st.k[15]).toBeCloseTo(75, 10);
    expect(st.d[15]).toBeCloseTo((50 + 50 + 75) / 3, 10);
  });
});

describe("50/200-day trend", () => {
  it("names a golden cross and counts the days since the 50-day crossed above the 200-day", () => {
    const sma50 = [null, 9, 9.5, 10.5, 11, 12];
    const sma200 = [null, 10, 10, 10, 10, 10];
    expect(trendState(sma50, sma200)).toMatchObject({ state: "golden_cross", crossedDaysAgo: 2 });
    expect(trendState([12, 11, 9], [10, 10, 10])).toMatchObject({ state: "death_cross", crossedDaysAgo: 0 });
    expect(trendState([null], [null]).state).toBeNull();
  });

  it("computeTechnicals reports the latest values and a chart series of the asked length", () => {
    const candles: Candle[] = Array.from({ length: 260 }, (_, i) => {
      const c = 100 + i;
      return { t: Date.UTC(2021, 0, 1) + i * 86_400_000, open: c - 1, high: c + 1, low: c - 2, close: c, volume: 1000 };
    });
    const { snapshot, series } = computeTechnicals(candles, 180);
    expect(snapshot.lastClose).toBe(359);
    expect(snapshot.sma200).toBeCloseTo((160 + 359) / 2, 10);
    expect(snapshot.rsi14).toBe(100); // only gains
    expect(snapshot.trend.state).toBe("golden_cross");
    expect(series.t).toHaveLength(180);
    expect(series.close.at(-1)).toBe(359);
    expect(series.ema200.at(-1)).toBeCloseTo(snapshot.ema200!, 6);
  });
});
