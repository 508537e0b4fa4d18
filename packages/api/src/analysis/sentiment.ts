/**
 * Phase 2 figures: the Fear and Greed index with its 7- and 30-day trend, and a sentiment score per
 * headline. Headlines are scored with the `sentiment` package: the AFINN-165 lexicon (a published,
 * human-rated word list), maintained, dependency-free and deterministic, so a score can be explained
 * word by word. A handful of market words AFINN lacks are added below with stated weights.
 */
import Sentiment from "sentiment";
import type { FearGreedPoint, NewsItem } from "../market/types";

/** Market vocabulary missing from AFINN-165, on its -5..+5 scale. */
export const MARKET_LEXICON: Record<string, number> = {
  bullish: 2,
  bearish: -2,
  rally: 2,
  rallies: 2,
  surge: 2,
  surges: 2,
  soar: 2,
  soars: 2,
  breakout: 1,
  adoption: 1,
  upgrade: 1,
  approval: 2,
  approved: 2,
  record: 1,
  crash: -3,
  crashes: -3,
  plunge: -3,
  plunges: -3,
  slump: -2,
  selloff: -2,
  dump: -2,
  hack: -3,
  hacked: -3,
  exploit: -3,
  exploited: -3,
  liquidation: -2,
  liquidations: -2,
  lawsuit: -2,
  ban: -2,
  bans: -2,
  delisting: -2,
  scam: -3,
};

const analyzer = new Sentiment();

export interface HeadlineScore {
  /** AFINN sum over the words */
  score: number;
  /** score per word, comparable across headline lengths */
  comparative: number;
  label: "positive" | "negative" | "neutral";
  positive: string[];
  negative: string[];
}

export function scoreHeadline(text: string): HeadlineScore {
  const r = analyzer.analyze(text, { extras: MARKET_LEXICON });
  return {
    score: r.score,
    comparative: Number(r.comparative.toFixed(4)),
    label: r.score > 0 ? "positive" : r.score < 0 ? "negative" : "neutral",
    positive: r.positive,
    negative: r.negative,
  };
}

export interface ScoredHeadline extends HeadlineScore {
  title: string;
  url: string;
  source: string;
  publishedAt: string;
}

export interface NewsData {
  headlines: ScoredHeadline[];
  count: number;
  positive: number;
  negative: number;
  neutral: number;
  /** mean comparative score over the headlines, null without headlines */
  averageComparative: number | null;
  method: string;
}

export function scoreNews(items: NewsItem[]): NewsData {
  const headlines = items.map((n) => ({
    title: n.title,
    url: n.url,
    source: n.source,
    publishedAt: new Date(n.publishedAt).toISOString(),
    // the title carries the news; the start of the body refines it when the feed has one
    ...scoreHeadline(`${n.title}. ${(n.body ?? "").slice(0, 280)}`),
  }));
  const avg = headlines.length ? headlines.reduce((s, h) => s + h.comparative, 0) / headlines.length : null;
  return {
    headlines,
    count: headlines.length,
    positive: headlines.filter((h) => h.label === "positive").length,
    negative: headlines.filter((h) => h.label === "negative").length,
    neutral: headlines.filter((h) => h.label === "neutral").length,
    averageComparative: avg === null ? null : Number(avg.toFixed(4)),
    method: "AFINN-165 lexicon (sentiment package) plus a small market vocabulary; comparative = score per word",
  };
}

export interface FearGreedData {
  value: number;
  classification: string;
  asOf: string;
  /** value 7 / 30 days before the latest, when the series reaches that far */
  value7dAgo: number | null;
  value30dAgo: number | null;
  average7d: number | null;
  average30d: number | null;
  change7d: number | null;
  change30d: number | null;
  trend7d: "rising" | "falling" | "steady" | null;
  trend30d: "rising" | "falling" | "steady" | null;
  /** oldest first, for a sparkline */
  history: { t: string; value: number }[];
}

/** A change of at least 5 points counts as a trend; smaller moves are day-to-day noise. */
const TREND_POINTS = 5;
const trendOf = (change: number | null) =>
  change === null ? null : change >= TREND_POINTS ? "rising" : change <= -TREND_POINTS ? "falling" : "steady";

/** `points` newest first, as the provider returns them. */
export function fearGreedTrend(points: FearGreedPoint[]): FearGreedData | null {
  const sorted = [...points].sort((a, b) => new Date(b.timestamp).getTime() - new Date(a.timestamp).getTime());
  const latest = sorted[0];
  if (!latest) return null;
  const avg = (n: number) => (sorted.length >= n ? sorted.slice(0, n).reduce((s, p) => s + p.value, 0) / n : null);
  const at = (n: number) => sorted[n]?.value ?? null;
  const v7 = at(7);
  const v30 = at(30);
  const change7d = v7 === null ? null : latest.value - v7;
  const change30d = v30 === null ? null : latest.value - v30;
  const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    value: latest.value,
    classification: latest.classification,
    asOf: new Date(latest.timestamp).toISOString(),
    value7dAgo: v7,
    value30dAgo: v30,
    average7d: round1(avg(7)),
    average30d: round1(avg(30)),
    change7d,
    change30d,
    trend7d: trendOf(change7d),
    trend30d: trendOf(change30d),
    history: sorted
      .slice(0, 31)
      .reverse()
      .map((p) => ({ t: new Date(p.timestamp).toISOString(), value: p.value })),
  };
}
