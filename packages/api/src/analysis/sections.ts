/**
 * One function per analysis type: fetch what it needs from the market service and compute its section.
 * A source that has no such data for the coin gives `unavailable`; a source that fails makes the section
 * `partial` (something else still answered) or lets the error reach the engine, which marks it `failed`.
 */
import type { Services } from "../services";
import { isUpstreamError } from "../market/errors";
import type { Candle, MarketService, Sourced } from "../market/types";
import { computeTechnicals } from "./indicators";
import { buildMarketSnapshot, type CatalogueRow, type LivePrice } from "./market-snapshot";
import { completenessOf } from "./quality";
import { computeRisk } from "./risk";
import { fearGreedTrend, scoreNews, type FearGreedData, type NewsData } from "./sentiment";
import { synthesize } from "./synthesis";
import type { AnalysisType, Computed, SectionData, Sections } from "./types";

export const HISTORY_DAYS = 365;
export const FEAR_GREED_DAYS = 31;
export const NEWS_LIMIT = 10;

export interface SectionContext {
  market: MarketService;
  coin: CatalogueRow;
  signal: AbortSignal;
  /** an upstream call shared with every concurrent caller of the same key (single flight) */
  fetch<T>(key: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** sections of the earlier phases (the synthesis reads them) */
  earlier: Sections;
  logger: Services["logger"];
}

export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${(ms / 1000).toFixed(1)} s`);
    this.name = "DeadlineError";
  }
}

/** A user-facing reason for a failure: the provider's own message (never a key or URL), or a generic one. */
const PROVIDER_NAMES: Record<string, string> = {
  coingecko: "CoinGecko",
  "fear-greed": "The Fear and Greed",
  news: "The news",
  defillama: "DefiLlama",
  derivatives: "The derivatives",
  mempool: "The mempool.space",
  offline: "The offline",
};

export function describeFailure(err: unknown): string {
  if (err instanceof DeadlineError) return `The source did not answer in time (${err.message}).`;
  if (isUpstreamError(err)) {
    const who = `${PROVIDER_NAMES[err.provider] ?? "The"} source`;
    switch (err.kind) {
      case "timeout":
        return `${who} did not answer in time.`;
      case "network":
        return `${who} could not be reached.`;
      case "rate_limited":
        return `${who} is limiting our requests; try again shortly.`;
      case "http":
        return `${who} failed with HTTP ${err.status ?? "error"}.`;
      case "invalid_response":
        return `${who} sent an answer that could not be read.`;
      case "unavailable":
        return `${who} has no such data: ${err.message}`;
      default:
        return `${who} failed.`;
    }
  }
  return "The source failed unexpectedly.";
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const coinArg = (c: CatalogueRow) => ({ id: c.coingeckoId, symbol: c.symbol.toLowerCase(), name: c.name });

/** A section its source has no data for: the source's own note, or `fallback`. */
function unavailableFrom(r: Sourced<unknown>, fallback: string): Computed<never> {
  return { status: "unavailable", data: null, source: r.source, asOf: iso(r.asOf), note: r.note ?? fallback, completeness: 0 };
}

/** A section computed from one source's answer, carrying its source, date and (unless given) note. */
function okFrom<T>(r: Sourced<unknown>, data: T, completeness: number, note: string | undefined = r.note): Computed<T> {
  return { status: "ok", data, source: r.source, asOf: iso(r.asOf), note, completeness };
}

function history(ctx: SectionContext, coinId: string): Promise<Sourced<Candle[]>> {
  return ctx.fetch(`history:${coinId}:${HISTORY_DAYS}`, (signal) => ctx.market.history(coinId, HISTORY_DAYS, signal));
}

const DAY_MS = 86_400_000;

/**
 * One price per page: the running day's candle closes at the current price phase 1 showed, so the header,
 * the chart's last close and the synthesis agree. CoinGecko's last daily point is "now" anyway; offline,
 * the bundled history's last day closes at its end of day, after the snapshot's price. A price on a later
 * day than the history starts that day's candle; a price older than the history changes nothing.
 */
export function withCurrentPrice(candles: Candle[], price: number | null | undefined, asOf: string | null | undefined): Candle[] {
  const last = candles.at(-1);
  if (!last || typeof price !== "number" || !Number.isFinite(price) || price <= 0 || !asOf) return candles;
  const day = Math.floor(Date.parse(asOf) / DAY_MS) * DAY_MS;
  if (!Number.isFinite(day) || day < last.t) return candles;
  if (day === last.t) {
    return [...candles.slice(0, -1), { ...last, close: price, high: Math.max(last.high, price), low: Math.min(last.low, price) }];
  }
  const open = last.close;
  return [...candles, { t: day, open, high: Math.max(open, price), low: Math.min(open, price), close: price, volume: last.volume }];
}

/** Percent change of the last close over `days` days of daily candles, or null when the history is shorter or has gaps. */
export function changeOverDays(candles: Candle[], days: number): number | null {
  const now = candles.at(-1);
  const then = candles.at(-1 - days);
  if (!now || !then || then.close <= 0 || now.t - then.t !== days * DAY_MS) return null;
  return (now.close / then.close - 1) * 100;
}

/** The coin's history with the current price (phase 1's) as the running day's close. */
async function historyAtCurrentPrice(ctx: SectionContext): Promise<Sourced<Candle[]>> {
  const h = await history(ctx, ctx.coin.coingeckoId);
  const m = ctx.earlier.market;
  const price = m && (m.status === "ok" || m.status === "partial") ? (m.data as { priceUsd?: number | null } | null)?.priceUsd : null;
  return { ...h, data: withCurrentPrice(h.data, price, m?.asOf) };
}

async function market(ctx: SectionContext): Promise<Computed<SectionData["market"]>> {
  const { coin } = ctx;
  let live: LivePrice | null = null;
  let reason: string | undefined;
  let source: Computed<unknown>["source"] = coin.source === "live" ? "live" : "snapshot";
  let asOf = iso(coin.lastUpdated);
  try {
    const prices = await ctx.fetch(`prices:${coin.coingeckoId}`, (signal) => ctx.market.prices([coin.coingeckoId], signal));
    live = prices.data[coin.coingeckoId] ?? null;
    if (live) {
      source = prices.source;
      asOf = iso(prices.asOf);
    } else reason = "The price source has no current price for this coin; showing the catalogue's last known figures.";
  } catch (err) {
    reason = `${describeFailure(err)} Showing the catalogue's last known figures.`;
  }
  const data = buildMarketSnapshot(coin, live);
  if (data.priceUsd === null) {
    return {
      status: "failed",
      data: null,
      source: null,
      asOf: null,
      reason: reason ?? "No price is known for this coin.",
      completeness: 0,
    };
  }
  const completeness = completenessOf([
    data.priceUsd,
    data.marketCapUsd,
    data.volume24hUsd,
    data.change24hPct,
    data.change7dPct,
    data.change30dPct,
    data.rank,
    data.athUsd,
  ]);
  return { status: reason ? "partial" : "ok", data, source, asOf, reason, completeness };
}

async function sentiment(ctx: SectionContext): Promise<Computed<FearGreedData>> {
  const fg = await ctx.fetch(`fear-greed:${FEAR_GREED_DAYS}`, (signal) => ctx.market.fearGreed(FEAR_GREED_DAYS, signal));
  const data = fearGreedTrend(fg.data);
  if (!data) return unavailableFrom(fg, "No Fear and Greed data");
  return okFrom(fg, data, completenessOf([data.value, data.change7d, data.change30d]));
}

async function news(ctx: SectionContext): Promise<Computed<NewsData>> {
  const items = await ctx.fetch(`news:${ctx.coin.coingeckoId}:${NEWS_LIMIT}`, (signal) =>
    ctx.market.news(coinArg(ctx.coin), NEWS_LIMIT, signal),
  );
  if (items.unavailable) return unavailableFrom(items, "News is unavailable");
  const data = scoreNews(items.data);
  return okFrom(items, data, data.count > 0 ? 1 : 0.5, data.count === 0 ? "No recent headlines for this coin" : items.note);
}

async function technical(ctx: SectionContext): Promise<Computed<SectionData["technical"]>> {
  const h = await historyAtCurrentPrice(ctx);
  if (h.data.length < 2)
    return {
      status: "failed",
      data: null,
      source: h.source,
      asOf: iso(h.asOf),
      reason: "Not enough price history to compute indicators.",
      completeness: 0,
    };
  const { snapshot, series } = computeTechnicals(h.data);
  // 7 and 30 day changes from this history, for when the price source gives none (offline; coins outside its list)
  const changes = { change7dPct: changeOverDays(h.data, 7), change30dPct: changeOverDays(h.data, 30) };
  const completeness = completenessOf([
    snapshot.rsi14,
    snapshot.macd,
    snapshot.bollinger,
    snapshot.ema20,
    snapshot.ema50,
    snapshot.ema200,
    snapshot.stochastic,
    snapshot.atr14,
    snapshot.trend.state,
  ]);
  return {
    status: "ok",
    data: { ...snapshot, ...changes, series },
    source: h.source,
    asOf: iso(h.asOf),
    note:
      [h.note, snapshot.candles < 200 ? `only ${snapshot.candles} days of history: the 200-day figures need 200` : null]
        .filter(Boolean)
        .join("; ") || undefined,
    completeness,
  };
}

async function risk(ctx: SectionContext): Promise<Computed<SectionData["risk"]>> {
  const isBtc = ctx.coin.coingeckoId === "bitcoin";
  const [own, btc] = await Promise.allSettled([historyAtCurrentPrice(ctx), isBtc ? Promise.resolve(null) : history(ctx, "bitcoin")]);
  if (own.status === "rejected") throw own.reason;
  if (own.value.data.length < 3)
    return {
      status: "failed",
      data: null,
      source: own.value.source,
      asOf: iso(own.value.asOf),
      reason: "Not enough price history for risk figures.",
      completeness: 0,
    };
  const btcCandles = isBtc ? own.value.data : btc.status === "fulfilled" ? (btc.value?.data ?? null) : null;
  const data = computeRisk(own.value.data, btcCandles);
  const reason =
    btc.status === "rejected" ? `Bitcoin history failed, so no correlation or beta: ${describeFailure(btc.reason)}` : undefined;
  // the weaker of the two sources describes the section
  const sources = [own.value.source, btc.status === "fulfilled" && btc.value ? btc.value.source : own.value.source];
  const source = sources.includes("simulated") ? "simulated" : sources.includes("snapshot") ? "snapshot" : "live";
  return {
    status: reason ? "partial" : "ok",
    data,
    source,
    asOf: iso(own.value.asOf),
    reason,
    note: own.value.source === "simulated" ? "computed from simulated history" : undefined,
    completeness: completenessOf([data.annualisedVolatilityPct, data.maxDrawdownPct, data.var95Pct, data.correlationBtc, data.betaBtc]),
  };
}

async function onchain(ctx: SectionContext): Promise<Computed<SectionData["onchain"]>> {
  if (ctx.coin.coingeckoId !== "bitcoin") {
    return {
      status: "unavailable",
      data: null,
      source: null,
      asOf: null,
      note: "On-chain figures are tracked for Bitcoin only.",
      completeness: 0,
    };
  }
  const r = await ctx.fetch("bitcoin-onchain", (signal) => ctx.market.bitcoinOnchain(signal));
  if (!r.data) return unavailableFrom(r, "No on-chain data");
  const d = r.data;
  return okFrom(r, d, completenessOf([d.blockHeight, d.hashrateEhs, d.difficulty, d.mempoolTxCount, d.fees]));
}

async function derivatives(ctx: SectionContext): Promise<Computed<SectionData["derivatives"]>> {
  const r = await ctx.fetch(`derivatives:${ctx.coin.coingeckoId}`, (signal) => ctx.market.derivatives(coinArg(ctx.coin), signal));
  if (!r.data) return unavailableFrom(r, "No perpetual futures market for this coin.");
  const d = r.data;
  return okFrom(
    r,
    { ...d, fundingRatePct: d.fundingRate * 100, annualisedFundingPct: d.fundingRate * 3 * 365 * 100 },
    completenessOf([d.fundingRate, d.openInterestUsd, d.markPrice]),
  );
}

async function defi(ctx: SectionContext): Promise<Computed<SectionData["defi"]>> {
  const r = await ctx.fetch(`defi:${ctx.coin.coingeckoId}`, (signal) => ctx.market.defiTvl(coinArg(ctx.coin), signal));
  if (!r.data) return unavailableFrom(r, "No DeFi protocol or chain TVL for this coin.");
  const d = r.data;
  return okFrom(r, d, completenessOf([d.tvlUsd, d.change1dPct, d.change7dPct]));
}

async function synthesis(ctx: SectionContext): Promise<Computed<SectionData["synthesis"]>> {
  const e = ctx.earlier;
  const pick = <K extends AnalysisType>(t: K): SectionData[K] | null => {
    const s: Sections[K] = e[t];
    return s && (s.status === "ok" || s.status === "partial") ? s.data : null;
  };
  const data = synthesize({
    market: pick("market"),
    technical: pick("technical"),
    risk: pick("risk"),
    fearGreed: pick("sentiment"),
    news: pick("news"),
  });
  const inputs = (["market", "technical", "risk", "sentiment", "news"] as const)
    .map((t) => e[t])
    .flatMap((s) => (s && s.status !== "unavailable" && s.status !== "failed" ? [s] : []));
  const sources = inputs.map((s) => s.source);
  const source = sources.includes("simulated") ? "simulated" : sources.includes("snapshot") ? "snapshot" : inputs.length ? "live" : null;
  const asOfs = inputs
    .map((s) => s.asOf)
    .filter((a): a is string => !!a)
    .sort();
  const applied = data.reasons.length;
  const completeness = applied / (applied + data.missing.length);
  return {
    status: applied === 0 ? "failed" : data.missing.length > 0 ? "partial" : "ok",
    data,
    source,
    asOf: asOfs[0] ?? null,
    reason: data.missing.length ? `Missing inputs: ${data.missing.join(", ")}.` : undefined,
    completeness,
  };
}

export const SECTION_COMPUTERS: { [K in AnalysisType]: (ctx: SectionContext) => Promise<Computed<SectionData[K]>> } = {
  market,
  sentiment,
  news,
  technical,
  risk,
  onchain,
  derivatives,
  defi,
  synthesis,
};
