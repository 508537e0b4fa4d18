/**
 * Deterministic simulated market series for offline mode. The same coin id always yields the same
 * numbers (seeded PRNG), generated backwards from an anchor (the snapshot price) so that any `days`
 * window ends exactly at the anchor and overlapping windows agree. Every caller labels the result
 * `source: "simulated"`: these are not real prices.
 */
import type { Candle, FearGreedPoint } from "./types";

export const DAY_MS = 86_400_000;

/** 32-bit FNV-1a hash of a string: the seed for a coin's series. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny, well-known PRNG with good enough statistics for simulated prices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** standard normal by Box-Muller */
function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** UTC midnight of the day holding `date` */
export function utcDay(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS) * DAY_MS;
}

export interface SimulationAnchor {
  /** the price the last candle closes at */
  price: number;
  /** a typical daily USD volume (the snapshot's total_volume) */
  volume: number | null;
  /** the day of the last candle */
  end: Date;
  /** stablecoins barely move: pass true for coins whose price sits at 1 */
  stable?: boolean;
}

/** At most this many days are ever simulated (10 years). */
export const MAX_SIMULATED_DAYS = 3650;

/**
 * `days` daily candles ending on `anchor.end`'s day, oldest first; the last close is `anchor.price`.
 * Volatility, drift and volume level are drawn per coin from its seed.
 */
export function simulateDailyCandles(coinId: string, days: number, anchor: SimulationAnchor): Candle[] {
  const n = Math.max(0, Math.min(Math.floor(days), MAX_SIMULATED_DAYS));
  if (n === 0 || !(anchor.price > 0)) return [];
  const rand = prng(seedOf(coinId));
  // per-coin character: daily volatility 2.5-7 % (stablecoins 0.1 %), a small drift
  const vol = anchor.stable ? 0.001 : 0.025 + rand() * 0.045;
  const drift = anchor.stable ? 0 : (rand() - 0.45) * 0.004;
  const baseVolume = anchor.volume && anchor.volume > 0 ? anchor.volume : anchor.price * 1e6;
  const endDay = utcDay(anchor.end);
  const out = new Array<Candle>(n);
  let close = anchor.price;
  // walk backwards from the anchor: candle i (from the end) closes at `close`, opens at the previous close
  for (let i = n - 1; i >= 0; i--) {
    const ret = drift + vol * normal(rand);
    const open = anchor.stable ? 1 + (close - 1) * 0.5 + vol * normal(rand) * 0.5 : close / Math.exp(ret);
    const wick = vol * 0.6;
    const high = Math.max(open, close) * (1 + Math.abs(normal(rand)) * wick);
    const low = Math.min(open, close) * (1 - Math.min(0.5, Math.abs(normal(rand)) * wick));
    const volume = baseVolume * Math.exp(0.35 * normal(rand) + Math.abs(ret) * 4);
    out[i] = { t: endDay - (n - 1 - i) * DAY_MS, open, high, low, close, volume };
    close = open;
  }
  return out;
}

/** alternative.me's bands */
export function fearGreedClass(value: number): string {
  if (value < 25) return "Extreme Fear";
  if (value < 47) return "Fear";
  if (value < 55) return "Neutral";
  if (value < 76) return "Greed";
  return "Extreme Greed";
}

/** A simulated daily Fear and Greed series ending on `end`'s day, newest first, mean-reverting around 50. */
export function simulateFearGreed(days: number, end: Date, last = 22): FearGreedPoint[] {
  const n = Math.max(0, Math.min(Math.floor(days), MAX_SIMULATED_DAYS));
  const rand = prng(seedOf("fear-and-greed"));
  const endDay = utcDay(end);
  const out: FearGreedPoint[] = [];
  let value = last;
  for (let i = 0; i < n; i++) {
    const v = Math.round(Math.min(100, Math.max(0, value)));
    out.push({ value: v, classification: fearGreedClass(v), timestamp: new Date(endDay - i * DAY_MS) });
    // step back one day: drift towards 50 plus noise
    value = value + (50 - value) * 0.05 + normal(rand) * 6;
  }
  return out;
}
