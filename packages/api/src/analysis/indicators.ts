/**
 * Technical indicators over daily candles, computed with trading-signals (a maintained, tested library)
 * rather than hand-rolled formulas. One deliberate wrapper: `emaSeries` seeds the library's EMA with the
 * simple average of the first `n` closes, the convention of StockCharts and most charting packages; the
 * library on its own seeds with the first price, which would bias a 200-day EMA over one year of data.
 */
import { ATR, BollingerBands, EMA, RSI, SMA, StochasticOscillator } from "trading-signals";
import type { Candle } from "../market/types";

type Series = (number | null)[];

const finite = (v: number | null | undefined): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];

export function rsiSeries(closes: number[], period = 14): Series {
  const rsi = new RSI(period); // Wilder's smoothing (the library default)
  return closes.map((c) => finite(rsi.add(c)));
}

export function smaSeries(closes: number[], period: number): Series {
  const sma = new SMA(period);
  return closes.map((c) => finite(sma.add(c)));
}

/** EMA seeded with the SMA of the first `period` closes, then the library's recurrence. */
export function emaSeries(closes: number[], period: number): Series {
  const out: Series = closes.map(() => null);
  if (closes.length < period) return out;
  const ema = new EMA(period);
  const seed = closes.slice(0, period).reduce((s, c) => s + c, 0) / period;
  out[period - 1] = finite(ema.add(seed));
  for (let i = period; i < closes.length; i++) out[i] = finite(ema.add(closes[i]!));
  return out;
}

export function bollingerSeries(closes: number[], period = 20, k = 2): { upper: Series; middle: Series; lower: Series } {
  const bb = new BollingerBands(period, k);
  const upper: Series = [];
  const middle: Series = [];
  const lower: Series = [];
  for (const c of closes) {
    const r = bb.add(c);
    upper.push(finite(r?.upper));
    middle.push(finite(r?.middle));
    lower.push(finite(r?.lower));
  }
  return { upper, middle, lower };
}

/**
 * MACD line = EMA(fast) - EMA(slow), signal = EMA(signal) of the line, histogram = line - signal, all
 * with the SMA-seeded EMA above (the library's MACD class seeds with the first price instead).
 */
export function macdSeries(closes: number[], fast = 12, slow = 26, signal = 9): { macd: Series; signal: Series; histogram: Series } {
  const f = emaSeries(closes, fast);
  const s = emaSeries(closes, slow);
  const line: Series = closes.map((_, i) => (f[i] != null && s[i] != null ? f[i] - s[i] : null));
  const start = line.findIndex((v) => v !== null);
  const sig: Series = closes.map(() => null);
  if (start >= 0) {
    const tail = emaSeries(line.slice(start) as number[], signal);
    tail.forEach((v, i) => (sig[start + i] = v));
  }
  const histogram: Series = line.map((v, i) => (v != null && sig[i] != null ? v - sig[i] : null));
  return { macd: line, signal: sig, histogram };
}

export function stochasticSeries(candles: Candle[], kPeriod = 14, dPeriod = 3): { k: Series; d: Series } {
  const st = new StochasticOscillator({ kPeriod, kSlowingPeriod: 1, dPeriod });
  const k: Series = [];
  const d: Series = [];
  for (const c of candles) {
    const r = st.add({ high: c.high, low: c.low, close: c.close });
    k.push(finite(r?.stochK));
    d.push(finite(r?.stochD));
  }
  return { k, d };
}

export function atrSeries(candles: Candle[], period = 14): Series {
  const atr = new ATR(period); // Wilder's smoothing of the true range
  return candles.map((c) => finite(atr.add({ high: c.high, low: c.low, close: c.close })));
}

export type CrossState = "golden_cross" | "death_cross";

export interface TrendState {
  sma50: number | null;
  sma200: number | null;
  state: CrossState | null;
  /** candles since the 50-day last crossed the 200-day, null when no cross is in the window */
  crossedDaysAgo: number | null;
  label: string;
}

/** The 50/200-day trend: golden cross while the 50-day SMA is above the 200-day, death cross below. */
export function trendState(sma50: Series, sma200: Series): TrendState {
  const a = finite(last(sma50));
  const b = finite(last(sma200));
  if (a === null || b === null) {
    return { sma50: a, sma200: b, state: null, crossedDaysAgo: null, label: "Not enough history for the 200-day average" };
  }
  const state: CrossState = a > b ? "golden_cross" : "death_cross";
  let crossedDaysAgo: number | null = null;
  for (let i = sma50.length - 2; i >= 0; i--) {
    const x = sma50[i];
    const y = sma200[i];
    if (x == null || y == null) break;
    if (x > y !== a > b) {
      crossedDaysAgo = sma50.length - 1 - i - 1;
      break;
    }
  }
  const since = crossedDaysAgo === null ? "" : ` (crossed ${crossedDaysAgo} day${crossedDaysAgo === 1 ? "" : "s"} ago)`;
  const label = state === "golden_cross" ? `Golden cross: 50-day above 200-day${since}` : `Death cross: 50-day below 200-day${since}`;
  return { sma50: a, sma200: b, state, crossedDaysAgo, label };
}

export interface TechnicalSnapshot {
  candles: number;
  firstDay: string | null;
  lastDay: string | null;
  lastClose: number | null;
  rsi14: number | null;
  macd: { macd: number; signal: number; histogram: number } | null;
  bollinger: { upper: number; middle: number; lower: number; percentB: number | null } | null;
  ema20: number | null;
  ema50: number | null;
  ema200: number | null;
  sma20: number | null;
  sma50: number | null;
  sma200: number | null;
  stochastic: { k: number; d: number } | null;
  atr14: number | null;
  /** ATR as a percentage of the last close */
  atrPct: number | null;
  trend: TrendState;
}

/** Columnar chart data (oldest first), so the page draws candles and overlays from one payload. */
export interface ChartSeries {
  t: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  ema20: Series;
  ema50: Series;
  ema200: Series;
  bbUpper: Series;
  bbMiddle: Series;
  bbLower: Series;
  rsi: Series;
  macd: Series;
  macdSignal: Series;
  macdHistogram: Series;
}

const round = (v: number | null, digits = 8): number | null => (v === null ? null : Number(v.toPrecision(digits)));

export function computeTechnicals(candles: Candle[], chartDays = 180): { snapshot: TechnicalSnapshot; series: ChartSeries } {
  const closes = candles.map((c) => c.close);
  const rsi = rsiSeries(closes, 14);
  const macd = macdSeries(closes);
  const bb = bollingerSeries(closes, 20, 2);
  const ema20 = emaSeries(closes, 20);
  const ema50 = emaSeries(closes, 50);
  const ema200 = emaSeries(closes, 200);
  const sma20 = smaSeries(closes, 20);
  const sma50 = smaSeries(closes, 50);
  const sma200 = smaSeries(closes, 200);
  const stoch = stochasticSeries(candles, 14, 3);
  const atr = atrSeries(candles, 14);

  const lastClose = finite(last(closes));
  const m = { macd: last(macd.macd), signal: last(macd.signal), histogram: last(macd.histogram) };
  const b = { upper: last(bb.upper), middle: last(bb.middle), lower: last(bb.lower) };
  const k = last(stoch.k);
  const d = last(stoch.d);
  const atrLast = finite(last(atr));
  const snapshot: TechnicalSnapshot = {
    candles: candles.length,
    firstDay: candles[0] ? new Date(candles[0].t).toISOString().slice(0, 10) : null,
    lastDay: candles.length ? new Date(last(candles)!.t).toISOString().slice(0, 10) : null,
    lastClose,
    rsi14: finite(last(rsi)),
    macd: m.macd != null && m.signal != null && m.histogram != null ? { macd: m.macd, signal: m.signal, histogram: m.histogram } : null,
    bollinger:
      b.upper != null && b.middle != null && b.lower != null
        ? {
            upper: b.upper,
            middle: b.middle,
            lower: b.lower,
            percentB: lastClose !== null && b.upper !== b.lower ? (lastClose - b.lower) / (b.upper - b.lower) : null,
          }
        : null,
    ema20: finite(last(ema20)),
    ema50: finite(last(ema50)),
    ema200: finite(last(ema200)),
    sma20: finite(last(sma20)),
    sma50: finite(last(sma50)),
    sma200: finite(last(sma200)),
    stochastic: k != null && d != null ? { k, d } : null,
    atr14: atrLast,
    atrPct: atrLast !== null && lastClose ? (atrLast / lastClose) * 100 : null,
    trend: trendState(sma50, sma200),
  };
  const from = Math.max(0, candles.length - chartDays);
  const cut = (s: Series) => s.slice(from).map((v) => round(v));
  const series: ChartSeries = {
    t: candles.slice(from).map((c) => c.t),
    open: candles.slice(from).map((c) => c.open),
    high: candles.slice(from).map((c) => c.high),
    low: candles.slice(from).map((c) => c.low),
    close: candles.slice(from).map((c) => c.close),
    volume: candles.slice(from).map((c) => c.volume),
    ema20: cut(ema20),
    ema50: cut(ema50),
    ema200: cut(ema200),
    bbUpper: cut(bb.upper),
    bbMiddle: cut(bb.middle),
    bbLower: cut(bb.lower),
    rsi: cut(rsi),
    macd: cut(macd.macd),
    macdSignal: cut(macd.signal),
    macdHistogram: cut(macd.histogram),
  };
  return { snapshot, series };
}
