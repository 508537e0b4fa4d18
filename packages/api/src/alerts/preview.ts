/**
 * "Would have fired N times in the last year": a rule replayed over daily history with the evaluator's own
 * decision (decide.ts), as if the evaluator had ticked once a day at each day's close.
 * - price types: the daily closes;
 * - percent_change `24h`: the change from one daily close to the next; `1h` cannot be replayed on daily data;
 * - RSI: RSI(14) of the closes up to each day, with the same indicator library as the evaluator and analysis;
 * - volume_spike: each day's volume against the mean of the 30 days before it (metrics.ts `volumeRatioOf`);
 * - sentiment_change: the Fear & Greed index's daily history (24 h: day to day; 7 d: against a week before).
 */
import { RSI } from "trading-signals";
import type { Services } from "../services";
import type { Candle, DataSource } from "../market/types";
import { resolveCoin } from "../market/resolve";
import { replay, type StoredRule } from "./decide";
import { volumeRatioOf } from "./metrics";
import { DEFAULT_COOLDOWN_SECONDS, MARKET, RSI_PERIOD, toStoredRule, VOLUME_AVERAGE_DAYS, type AlertPreviewInput } from "./rules";

const DAY = 86_400_000;

export interface AlertPreview {
  firings: { t: Date; value: number }[];
  count: number;
  days: number;
  /** where the history came from: `live`, or the offline `snapshot` / `simulated` history */
  source: DataSource | null;
  coinId: string;
  symbol: string;
  /** the replayed values (a chart of them with the firings marked) */
  series: { t: Date; value: number }[];
  /** why this rule cannot be replayed (then `firings` is empty), e.g. a 1 h window on daily data */
  unavailable: string | null;
}

export type PreviewFailure = { error: "not_found"; message: string } | { error: "invalid"; field: string; message: string };

export async function previewAlert(
  services: Services,
  input: AlertPreviewInput,
  signal?: AbortSignal,
): Promise<AlertPreview | PreviewFailure> {
  const { days } = input;
  const { thresholdValue, conditionDetails } = toStoredRule({ ...input, symbol: input.symbol ?? MARKET.coinId });
  const direction = conditionDetails.direction as StoredRule["direction"];
  const rule: StoredRule = {
    type: input.type,
    threshold: thresholdValue,
    direction,
    repeat: input.repeat ?? "once",
    cooldownSeconds: input.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
  };
  const done = (series: { t: number; value: number | null }[], source: DataSource | null, coinId: string, symbol: string): AlertPreview => {
    // replay over the requested window only (earlier points exist just to warm indicators up), ending where
    // the history ends: today when live, the snapshot day offline
    const end = series.at(-1)?.t ?? services.clock.now().getTime();
    const from = end - days * DAY;
    const window = series.filter((p) => p.t >= from);
    const firings = replay(rule, window).map((f) => ({ t: new Date(f.t), value: f.value }));
    return {
      firings,
      count: firings.length,
      days,
      source,
      coinId,
      symbol,
      series: window.flatMap((p) => (p.value === null ? [] : [{ t: new Date(p.t), value: p.value }])),
      unavailable: null,
    };
  };
  const notPreviewable = (coinId: string, symbol: string, why: string): AlertPreview => ({
    firings: [],
    count: 0,
    days,
    source: null,
    coinId,
    symbol,
    series: [],
    unavailable: why,
  });

  if (input.type === "sentiment_change") {
    const window = input.condition.window === "7d" ? 7 : 1;
    const { data, source } = await services.market.fearGreed(days + window + 1, signal);
    const byDay = [...data].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    if (byDay.length <= window)
      return notPreviewable(MARKET.coinId, MARKET.symbol, "Not previewable: no Fear & Greed history is available at the moment.");
    const series = byDay.slice(window).map((p, i) => ({ t: p.timestamp.getTime(), value: p.value - byDay[i]!.value }));
    return done(series, source, MARKET.coinId, MARKET.symbol);
  }

  if (!input.symbol) return { error: "invalid", field: "symbol", message: "Choose a coin" };
  const coin = await resolveCoin(services.db, input.symbol);
  if (!coin) return { error: "not_found", message: `No coin '${input.symbol}' in the catalogue` };
  const { coingeckoId: coinId, symbol } = coin;
  if (input.type === "percent_change" && input.condition.window === "1h")
    return notPreviewable(coinId, symbol, "Not previewable: a 1 h window cannot be replayed on daily history.");

  // indicators need history before the window: RSI settles after a few periods, volume needs its average
  const warmUp = input.type === "rsi_above" || input.type === "rsi_below" ? RSI_PERIOD * 4 : VOLUME_AVERAGE_DAYS + 1;
  const { data, source } = await services.market.history(coinId, days + warmUp, signal);
  const candles = data.filter((c) => Number.isFinite(c.close));
  return done(valuesOf(input.type, candles), source, coinId, symbol);
}

function valuesOf(type: AlertPreviewInput["type"], candles: Candle[]): { t: number; value: number | null }[] {
  switch (type) {
    case "percent_change":
      return candles.slice(1).map((c, i) => ({ t: c.t, value: ((c.close - candles[i]!.close) / candles[i]!.close) * 100 }));
    case "rsi_above":
    case "rsi_below": {
      // the evaluator's rsiOf over the closes up to each day, computed incrementally (same library, same updates)
      const rsi = new RSI(RSI_PERIOD);
      return candles.map((c) => {
        rsi.update(c.close, false);
        const r = rsi.getResult();
        return { t: c.t, value: r === null || !Number.isFinite(Number(r)) ? null : Number(r) };
      });
    }
    case "volume_spike":
      return candles.map((c, i) => ({ t: c.t, value: volumeRatioOf(candles.slice(0, i + 1), c.volume) }));
    default:
      return candles.map((c) => ({ t: c.t, value: c.close }));
  }
}
