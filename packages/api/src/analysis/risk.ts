/**
 * Risk figures from daily closes: annualised volatility, maximum drawdown, one-day 95% historical value
 * at risk, and correlation and beta against Bitcoin from daily log returns of the days both series have.
 * The library supplies log returns, drawdown, correlation and (population) standard deviation.
 */
import { getCorrelation, getLogReturns, getMaxDrawdown, getStandardDeviation } from "trading-signals";
import type { Candle } from "../market/types";

/** Crypto trades every day of the year. */
export const TRADING_DAYS_PER_YEAR = 365;
const DAY_MS = 86_400_000;

/** Sample standard deviation (n - 1): the library's is the population one, so apply Bessel's correction. */
export function sampleStdDev(values: number[]): number {
  if (values.length < 2) return Number.NaN;
  return getStandardDeviation(values) * Math.sqrt(values.length / (values.length - 1));
}

export function annualisedVolatility(logReturns: number[]): number {
  return sampleStdDev(logReturns) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/** Largest peak-to-trough fall, as a positive percentage. */
export function maxDrawdownPct(closes: number[]): number {
  return getMaxDrawdown(closes);
}

/**
 * Historical value at risk: the loss not exceeded on `confidence` of the days, by the nearest-rank
 * method (the ceil((1 - confidence) * n)-th worst simple daily return). Positive percentage.
 */
export function historicalVaRPct(closes: number[], confidence = 0.95): number {
  const returns: number[] = [];
  for (let i = 1; i < closes.length; i++) returns.push(closes[i]! / closes[i - 1]! - 1);
  if (returns.length === 0) return Number.NaN;
  const sorted = [...returns].sort((a, b) => a - b);
  // the epsilon keeps 0.05 * 40 (= 2.0000000000000018 in floating point) at rank 2
  const rank = Math.max(1, Math.ceil((1 - confidence) * sorted.length - 1e-9));
  return Math.max(0, -sorted[rank - 1]!) * 100;
}

/** Closes of the UTC days both series have, in date order. */
export function alignByDay(a: Candle[], b: Candle[]): { a: number[]; b: number[]; days: number } {
  const day = (t: number) => Math.floor(t / DAY_MS);
  const bByDay = new Map(b.map((c) => [day(c.t), c.close]));
  const out = { a: [] as number[], b: [] as number[], days: 0 };
  for (const c of a) {
    const other = bByDay.get(day(c.t));
    if (other === undefined || !(c.close > 0) || !(other > 0)) continue;
    out.a.push(c.close);
    out.b.push(other);
  }
  out.days = out.a.length;
  return out;
}

/** Correlation and beta of `coin` against `benchmark` from log returns (beta = cov / var of the benchmark). */
export function correlationAndBeta(coin: number[], benchmark: number[]): { correlation: number; beta: number } | null {
  if (coin.length < 3 || coin.length !== benchmark.length) return null;
  const rc = getLogReturns(coin);
  const rb = getLogReturns(benchmark);
  const sb = getStandardDeviation(rb);
  if (!(sb > 0) || !(getStandardDeviation(rc) > 0)) return null;
  const correlation = getCorrelation(rc, rb);
  return { correlation, beta: (correlation * getStandardDeviation(rc)) / sb };
}

export interface RiskData {
  days: number;
  dailyVolatilityPct: number | null;
  annualisedVolatilityPct: number | null;
  maxDrawdownPct: number | null;
  var95Pct: number | null;
  benchmark: "bitcoin";
  alignedDays: number;
  correlationBtc: number | null;
  betaBtc: number | null;
  method: string;
}

const fin = (v: number) => (Number.isFinite(v) ? v : null);

export function computeRisk(coin: Candle[], btc: Candle[] | null): RiskData {
  const closes = coin.map((c) => c.close).filter((c) => c > 0);
  const logReturns = closes.length >= 2 ? getLogReturns(closes) : [];
  const daily = logReturns.length >= 2 ? sampleStdDev(logReturns) : Number.NaN;
  const aligned = btc ? alignByDay(coin, btc) : { a: [], b: [], days: 0 };
  const cb = aligned.days >= 3 ? correlationAndBeta(aligned.a, aligned.b) : null;
  return {
    days: closes.length,
    dailyVolatilityPct: fin(daily * 100),
    annualisedVolatilityPct: fin(daily * Math.sqrt(TRADING_DAYS_PER_YEAR) * 100),
    maxDrawdownPct: closes.length ? fin(maxDrawdownPct(closes)) : null,
    var95Pct: closes.length >= 2 ? fin(historicalVaRPct(closes, 0.95)) : null,
    benchmark: "bitcoin",
    alignedDays: aligned.days,
    correlationBtc: cb ? fin(cb.correlation) : null,
    betaBtc: cb ? fin(cb.beta) : null,
    method:
      "Daily log returns; volatility is their sample standard deviation scaled by sqrt(365); VaR is the 1-day 95% historical (nearest-rank) loss; correlation and beta use the days both this coin and Bitcoin have.",
  };
}
