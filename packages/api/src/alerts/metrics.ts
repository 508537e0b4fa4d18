/**
 * The inputs of the indicator alerts, computed once per coin (never per alert) from market history:
 * RSI over daily closes and the 24 h volume against its recent daily average; and the Fear and Greed
 * moves, computed once per tick. Daily candles change once a day, so they are kept for a while per
 * process instead of being fetched every tick.
 */
import { RSI } from "trading-signals";
import type { Services } from "../services";
import type { Candle, DataSource } from "../market/types";
import { RSI_PERIOD, VOLUME_AVERAGE_DAYS } from "./rules";

export interface CoinMetrics {
  coin_id: string;
  rsi: number | null;
  volume_ratio: number | null;
  /** where the history came from: live, snapshot or simulated */
  source: string | null;
}

export interface SentimentMoves {
  /** newest index value minus the one a day before */
  change24h: number | null;
  /** newest minus the one 7 days before */
  change7d: number | null;
  source: string | null;
}

const HISTORY_TTL_MS = 30 * 60_000;
const HISTORY_DAYS = Math.max(RSI_PERIOD * 4, VOLUME_AVERAGE_DAYS + 2);

async function dailyCandles(services: Services, coinId: string, signal?: AbortSignal): Promise<{ candles: Candle[]; source: DataSource }> {
  const cache = services.caches.alertHistory;
  const now = services.clock.now().getTime();
  const hit = cache.get(coinId);
  if (hit && now - hit.at < HISTORY_TTL_MS) return hit;
  const { data, source } = await services.market.history(coinId, HISTORY_DAYS, signal);
  const entry = { at: now, candles: data, source };
  cache.set(coinId, entry);
  return entry;
}

/**
 * RSI (Wilder, `RSI_PERIOD` days) of the daily closes, today's close being the current price when known.
 * trading-signals is a maintained, tested indicator library: no hand-rolled smoothing here.
 */
export function rsiOf(candles: Candle[], currentPrice: number | null, now: Date): number | null {
  const closes = candles.map((c) => c.close).filter((c) => Number.isFinite(c));
  if (currentPrice !== null && Number.isFinite(currentPrice)) {
    const last = candles.at(-1);
    const today = last && Math.floor(last.t / 86_400_000) === Math.floor(now.getTime() / 86_400_000);
    if (today) closes[closes.length - 1] = currentPrice;
    else closes.push(currentPrice);
  }
  if (closes.length <= RSI_PERIOD) return null;
  const rsi = new RSI(RSI_PERIOD);
  for (const c of closes) rsi.update(c, false);
  const r = rsi.getResult();
  return r === null || !Number.isFinite(Number(r)) ? null : Number(r);
}

/** The rolling 24 h volume as a multiple of the mean daily volume of the previous `VOLUME_AVERAGE_DAYS` days. */
export function volumeRatioOf(candles: Candle[], volume24h: number | null): number | null {
  if (volume24h === null || !Number.isFinite(volume24h)) return null;
  // the last candle may be today's partial day: the average uses the whole days before it
  const days = candles
    .slice(0, -1)
    .slice(-VOLUME_AVERAGE_DAYS)
    .map((c) => c.volume)
    .filter((v) => Number.isFinite(v) && v > 0);
  if (days.length < Math.min(7, VOLUME_AVERAGE_DAYS)) return null;
  const mean = days.reduce((s, v) => s + v, 0) / days.length;
  return mean > 0 ? volume24h / mean : null;
}

/** Metrics for each coin (a few upstream calls at a time); a coin whose history fails gets nulls. */
export async function coinMetrics(
  services: Services,
  coins: { coinId: string; price: number | null; volume: number | null; needRsi: boolean; needVolume: boolean }[],
  signal?: AbortSignal,
): Promise<CoinMetrics[]> {
  const out: CoinMetrics[] = [];
  const queue = [...coins];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      try {
        const { candles, source } = await dailyCandles(services, c.coinId, signal);
        out.push({
          coin_id: c.coinId,
          rsi: c.needRsi ? rsiOf(candles, c.price, services.clock.now()) : null,
          volume_ratio: c.needVolume ? volumeRatioOf(candles, c.volume) : null,
          source,
        });
      } catch (err) {
        services.logger.warn({ coinId: c.coinId, err: (err as Error).message }, "alert metrics: no history");
        out.push({ coin_id: c.coinId, rsi: null, volume_ratio: null, source: null });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, coins.length) }, worker));
  return out;
}

export async function sentimentMoves(services: Services, signal?: AbortSignal): Promise<SentimentMoves> {
  try {
    const { data, source } = await services.market.fearGreed(8, signal); // newest first
    const at = (i: number) => (data[i] && Number.isFinite(data[i].value) ? data[i].value : null);
    const now = at(0);
    const d1 = at(1);
    const d7 = at(7);
    return {
      change24h: now !== null && d1 !== null ? now - d1 : null,
      change7d: now !== null && d7 !== null ? now - d7 : null,
      source,
    };
  } catch (err) {
    services.logger.warn({ err: (err as Error).message }, "alert metrics: no Fear and Greed index");
    return { change24h: null, change7d: null, source: null };
  }
}
