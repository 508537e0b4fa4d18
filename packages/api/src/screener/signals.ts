/**
 * One screener row from a coin's catalogue row and daily history, computed with the analysis code itself
 * (computeTechnicals, computeRisk, synthesize, the market snapshot), so the screener and the analysis page
 * never disagree about RSI, trend or score for the same coin and day.
 */
import { computeTechnicals } from "../analysis/indicators";
import { buildMarketSnapshot, type CatalogueRow } from "../analysis/market-snapshot";
import { computeRisk } from "../analysis/risk";
import { changeOverDays, withCurrentPrice } from "../analysis/sections";
import type { FearGreedData } from "../analysis/sentiment";
import { synthesize } from "../analysis/synthesis";
import type { Candle } from "../market/types";

export type ScreenerCross = "golden_cross" | "death_cross";

export interface ScreenerSignals {
  priceUsd: number | null;
  marketCapUsd: number | null;
  change24h: number | null;
  change7d: number | null;
  change30d: number | null;
  rsi14: number | null;
  aboveSma200: boolean | null;
  cross: ScreenerCross | null;
  crossDaysAgo: number | null;
  /** annualised volatility of the last 30 daily log returns, in percent */
  volatility30d: number | null;
  /** percent below the highest high of the last 365 days (0 at the high, negative below) */
  drawdown: number | null;
  /** the last day's volume against the average of the 30 days before it */
  volumeRatio: number | null;
  /** the synthesis score (0..100) from market, technical, risk and the Fear and Greed index; news is left out (one call per coin) */
  score: number | null;
}

const fin = (v: number | null | undefined): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function screenerSignals(
  coin: CatalogueRow,
  history: Candle[],
  opts: { btc?: Candle[] | null; fearGreed?: FearGreedData | null } = {},
): ScreenerSignals {
  // the running day closes at the catalogue price, as the analysis' technical section does
  const candles = withCurrentPrice(history, coin.currentPriceUsd, coin.lastUpdated ? coin.lastUpdated.toISOString() : null);
  const market = buildMarketSnapshot(coin, null);
  const { snapshot } = computeTechnicals(candles, 0);
  const risk = candles.length >= 3 ? computeRisk(candles, coin.coingeckoId === "bitcoin" ? candles : (opts.btc ?? null)) : null;
  const risk30 = candles.length >= 3 ? computeRisk(candles.slice(-31), null) : null;
  const synthesis = synthesize({
    market,
    technical: candles.length >= 2 ? snapshot : null,
    risk,
    fearGreed: opts.fearGreed ?? null,
    news: null,
  });

  const last = candles.at(-1);
  const year = candles.slice(-365);
  const high = year.length ? Math.max(...year.map((c) => c.high)) : null;
  const before = candles.slice(-31, -1);
  const avgVolume = before.length ? before.reduce((s, c) => s + c.volume, 0) / before.length : null;
  const sma200 = snapshot.sma200;
  return {
    priceUsd: market.priceUsd ?? fin(last?.close),
    marketCapUsd: market.marketCapUsd,
    change24h: market.change24hPct ?? fin(changeOverDays(candles, 1)),
    change7d: fin(changeOverDays(candles, 7)) ?? market.change7dPct,
    change30d: fin(changeOverDays(candles, 30)) ?? market.change30dPct,
    rsi14: snapshot.rsi14,
    aboveSma200: sma200 !== null && snapshot.lastClose !== null ? snapshot.lastClose > sma200 : null,
    cross: snapshot.trend.state,
    crossDaysAgo: snapshot.trend.crossedDaysAgo,
    volatility30d: risk30?.annualisedVolatilityPct ?? null,
    drawdown: last && high ? fin((last.close / high - 1) * 100) : null,
    volumeRatio: last && avgVolume ? fin(last.volume / avgVolume) : null,
    score: synthesis.reasons.length ? synthesis.score : null,
  };
}
