/**
 * Phase 4: a transparent composite score and a volatility-based outlook. The score starts at 50 and
 * every rule that fires adds or subtracts points with a written reason, so a reader can redo the sum.
 * The outlook is not a forecast of direction: it is the range a log-normal, zero-drift price with the
 * coin's realised volatility would stay inside with 90% probability.
 */
import type { TechnicalSnapshot } from "./indicators";
import type { MarketSnapshot } from "./market-snapshot";
import type { RiskData } from "./risk";
import type { FearGreedData, NewsData } from "./sentiment";

export type ReasonCategory = "trend" | "momentum" | "risk" | "sentiment";

export interface Reason {
  category: ReasonCategory;
  factor: string;
  points: number;
  text: string;
}

export interface OutlookRange {
  days: number;
  low: number;
  high: number;
  lowPct: number;
  highPct: number;
}

export interface Outlook {
  priceUsd: number;
  dailyVolatilityPct: number;
  confidence: number;
  z: number;
  ranges: OutlookRange[];
  assumption: string;
}

export interface SynthesisData {
  score: number;
  rating: "bullish" | "neutral" | "bearish";
  components: Record<ReasonCategory, number>;
  reasons: Reason[];
  /** inputs that were missing, so their rules could not be applied */
  missing: string[];
  outlook: Outlook | null;
  method: string;
}

export interface SynthesisInput {
  market: MarketSnapshot | null;
  technical: TechnicalSnapshot | null;
  risk: RiskData | null;
  fearGreed: FearGreedData | null;
  news: NewsData | null;
}

const fmt = (v: number, digits = 0) => v.toFixed(digits);
const signed = (p: number) => (p > 0 ? `+${p}` : `${p}`);

/** z of the two-sided 90% interval of the standard normal distribution */
export const Z_90 = 1.6448536269514722;

export function priceRange(price: number, dailySigma: number, days: number, z = Z_90): { low: number; high: number } {
  const spread = z * dailySigma * Math.sqrt(days);
  return { low: price * Math.exp(-spread), high: price * Math.exp(spread) };
}

export function synthesize(input: SynthesisInput): SynthesisData {
  const reasons: Reason[] = [];
  const missing: string[] = [];
  const add = (category: ReasonCategory, factor: string, points: number, what: string) =>
    reasons.push({ category, factor, points, text: `${what}, ${signed(points)}` });

  const t = input.technical;
  // the page's one price: phase 1's current price, else the chart's last close (the same number when both exist)
  const current = input.market?.priceUsd ?? t?.lastClose ?? null;
  if (current != null && t?.sma200 != null) {
    const above = current > t.sma200;
    add(
      "trend",
      "price_vs_sma200",
      above ? 10 : -10,
      `Price ${above ? "above" : "below"} its 200-day average (${fmt((current / t.sma200 - 1) * 100, 1)}%)`,
    );
  } else missing.push("200-day average");
  if (t?.trend.state) {
    add(
      "trend",
      "cross_50_200",
      t.trend.state === "golden_cross" ? 10 : -10,
      t.trend.state === "golden_cross" ? "Golden cross: 50-day above 200-day" : "Death cross: 50-day below 200-day",
    );
  } else missing.push("50/200-day cross");
  if (t?.macd) {
    const up = t.macd.histogram > 0;
    add("trend", "macd", up ? 5 : -5, `MACD ${up ? "above" : "below"} its signal line`);
  } else missing.push("MACD");

  if (t?.rsi14 != null) {
    const r = t.rsi14;
    if (r >= 70) add("momentum", "rsi", -10, `RSI ${fmt(r)}: overbought`);
    else if (r <= 30) add("momentum", "rsi", 10, `RSI ${fmt(r)}: oversold`);
    else if (r >= 50) add("momentum", "rsi", 5, `RSI ${fmt(r)}: bullish momentum`);
    else add("momentum", "rsi", -5, `RSI ${fmt(r)}: bearish momentum`);
  } else missing.push("RSI");
  if (t?.stochastic) {
    const k = t.stochastic.k;
    if (k >= 80) add("momentum", "stochastic", -5, `Stochastic %K ${fmt(k)}: overbought`);
    else if (k <= 20) add("momentum", "stochastic", 5, `Stochastic %K ${fmt(k)}: oversold`);
    else add("momentum", "stochastic", 0, `Stochastic %K ${fmt(k)}: mid-range`);
  } else missing.push("stochastic");

  const r = input.risk;
  if (r?.annualisedVolatilityPct != null) {
    const v = r.annualisedVolatilityPct;
    if (v > 100) add("risk", "volatility", -10, `Annualised volatility ${fmt(v)}%: very high`);
    else if (v > 60) add("risk", "volatility", -5, `Annualised volatility ${fmt(v)}%: high`);
    else if (v < 40) add("risk", "volatility", 5, `Annualised volatility ${fmt(v)}%: moderate`);
    else add("risk", "volatility", 0, `Annualised volatility ${fmt(v)}%: typical for crypto`);
  } else missing.push("volatility");
  if (r?.maxDrawdownPct != null) {
    if (r.maxDrawdownPct > 50) add("risk", "drawdown", -5, `Maximum drawdown ${fmt(r.maxDrawdownPct)}% over ${r.days} days`);
    else add("risk", "drawdown", 0, `Maximum drawdown ${fmt(r.maxDrawdownPct)}% over ${r.days} days`);
  } else missing.push("drawdown");
  const m = input.market;
  if (m?.condition) {
    if (m.condition === "bear_market") add("risk", "ath_distance", -5, m.conditionLabel);
    else if (m.condition === "all_time_high") add("risk", "ath_distance", 5, m.conditionLabel);
    else add("risk", "ath_distance", 0, m.conditionLabel);
  } else missing.push("distance from all-time high");

  const fg = input.fearGreed;
  if (fg) {
    if (fg.value >= 75) add("sentiment", "fear_greed", -5, `Fear and Greed ${fg.value} (${fg.classification}): crowded optimism`);
    else if (fg.value <= 25) add("sentiment", "fear_greed", 5, `Fear and Greed ${fg.value} (${fg.classification}): contrarian opportunity`);
    else add("sentiment", "fear_greed", 0, `Fear and Greed ${fg.value} (${fg.classification})`);
  } else missing.push("Fear and Greed index");
  const n = input.news;
  if (n && n.count > 0 && n.averageComparative !== null) {
    const a = n.averageComparative;
    if (a > 0.1) add("sentiment", "news", 5, `News tone positive (${n.positive} of ${n.count} headlines)`);
    else if (a < -0.1) add("sentiment", "news", -5, `News tone negative (${n.negative} of ${n.count} headlines)`);
    else add("sentiment", "news", 0, `News tone mixed (${n.count} headlines)`);
  } else missing.push("news headlines");

  const components: Record<ReasonCategory, number> = { trend: 0, momentum: 0, risk: 0, sentiment: 0 };
  for (const x of reasons) components[x.category] += x.points;
  const score = Math.max(0, Math.min(100, 50 + reasons.reduce((s, x) => s + x.points, 0)));
  const rating = score >= 65 ? "bullish" : score <= 35 ? "bearish" : "neutral";

  let outlook: Outlook | null = null;
  const price = m?.priceUsd ?? t?.lastClose ?? null;
  const sigma = r?.dailyVolatilityPct != null ? r.dailyVolatilityPct / 100 : null;
  if (price !== null && price > 0 && sigma !== null && sigma > 0) {
    outlook = {
      priceUsd: price,
      dailyVolatilityPct: sigma * 100,
      confidence: 0.9,
      z: Z_90,
      ranges: [7, 30].map((days) => {
        const { low, high } = priceRange(price, sigma, days);
        return { days, low, high, lowPct: (low / price - 1) * 100, highPct: (high / price - 1) * 100 };
      }),
      assumption: `Log-normal prices with zero drift and the realised daily volatility of the last ${r?.days ?? "?"} days (${(sigma * 100).toFixed(2)}%): price × exp(±1.645 × σ × √days) holds 90% of outcomes. A statement about spread, not direction.`,
    };
  } else missing.push("price range (needs a price and realised volatility)");

  return {
    score,
    rating,
    components,
    reasons,
    missing,
    outlook,
    method:
      "Start at 50; each rule adds or subtracts the points shown; the total is clamped to 0-100. 65 or more reads bullish, 35 or less bearish.",
  };
}
