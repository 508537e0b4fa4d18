/**
 * CoinGecko API v3 client (public/demo and pro plans). Wire formats as documented at
 * docs.coingecko.com: /coins/markets, /coins/{id}/market_chart(/range), /coins/{id}/ohlc, /search,
 * /simple/price, /ping. Every call goes through one shared call budget (config.coingeckoCallsPerMinute).
 */
import type { UpstreamObserver } from "../lib/telemetry";
import { z } from "zod";
import type { Config } from "@ucie/config";
import type { Logger } from "../lib/logger";
import { UpstreamError } from "./errors";
import { exchangeRatesSchema, usdRatesFrom } from "./exchange-rates";
import { CallBudget, HttpClient, type RetryPolicy } from "./http";
import { DAY_MS } from "./simulate";
import type { Candle, MarketCoin, Sourced } from "./types";

const num = z
  .number()
  .nullish()
  .transform((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
const str = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

const marketCoin = z.object({
  id: z.string().min(1),
  symbol: z.string().min(1),
  name: z.string().min(1),
  image: str,
  current_price: num,
  market_cap: num,
  market_cap_rank: num,
  fully_diluted_valuation: num,
  total_volume: num,
  high_24h: num,
  low_24h: num,
  price_change_24h: num,
  price_change_percentage_24h: num,
  price_change_percentage_1h_in_currency: num,
  price_change_percentage_7d_in_currency: num,
  price_change_percentage_30d_in_currency: num,
  circulating_supply: num,
  total_supply: num,
  max_supply: num,
  ath: num,
  ath_change_percentage: num,
  ath_date: str,
  last_updated: str,
  sparkline_in_7d: z
    .object({ price: z.array(z.number().nullable()).transform((a) => a.filter((x): x is number => x !== null)) })
    .nullish()
    .transform((v) => v ?? null),
});
export const marketsSchema = z.array(marketCoin);

const point = z.tuple([z.number(), z.number().nullable()]);
export const marketChartSchema = z.object({
  prices: z.array(point),
  market_caps: z.array(point).optional(),
  total_volumes: z.array(point).optional(),
});
export const ohlcSchema = z.array(z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]));
export const searchSchema = z.object({
  coins: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      symbol: z.string(),
      api_symbol: z.string().optional(),
      market_cap_rank: z.number().nullable().optional(),
      thumb: z.string().optional(),
      large: z.string().optional(),
    }),
  ),
});
export const simplePriceSchema = z.record(
  z.string(),
  z.object({
    usd: z.number().optional(),
    usd_24h_change: z.number().nullable().optional(),
    usd_24h_vol: z.number().nullable().optional(),
    last_updated_at: z.number().optional(),
  }),
);
const pingSchema = z.object({ gecko_says: z.string() });

/** /coins/list without platforms: every coin CoinGecko lists (about 17,000) */
export const coinsListSchema = z.array(z.object({ id: z.string().min(1), symbol: z.string(), name: z.string() }).passthrough());
export type ListedCoin = { id: string; symbol: string; name: string };

/** /coins/{id} with localization, tickers, community and developer data off: only what the details card shows */
export const coinDetailsSchema = z.object({
  id: z.string().min(1),
  symbol: z.string(),
  name: z.string(),
  categories: z
    .array(z.string().nullable())
    .nullish()
    .transform((a) => (a ?? []).filter((c): c is string => Boolean(c))),
  description: z
    .object({ en: z.string().nullish() })
    .partial()
    .passthrough()
    .nullish()
    .transform((d) => d?.en ?? null),
  links: z
    .object({
      homepage: z.array(z.string().nullable()).nullish(),
      blockchain_site: z.array(z.string().nullable()).nullish(),
    })
    .passthrough()
    .nullish(),
  genesis_date: str,
  market_data: z
    .object({
      circulating_supply: num,
      total_supply: num,
      max_supply: num,
      ath: z.record(z.string(), z.number().nullable()).nullish(),
      ath_date: z.record(z.string(), z.string().nullable()).nullish(),
      atl: z.record(z.string(), z.number().nullable()).nullish(),
      atl_date: z.record(z.string(), z.string().nullable()).nullish(),
    })
    .passthrough()
    .nullish(),
});
export type CoinDetailsWire = z.output<typeof coinDetailsSchema>;

export type SearchHit = z.output<typeof searchSchema>["coins"][number];
export type PriceMap = Record<string, { usd: number; usd_24h_change?: number; usd_24h_vol?: number }>;

/** Days of history each plan may ask for (demo: the past year only). */
export const PLAN_HISTORY_DAYS = { demo: 365, pro: Infinity } as const;
/** ids per /simple/price call: keeps the URL well under common 8 KB limits */
export const PRICE_BATCH = 100;

export interface CoinGeckoOptions {
  retry?: RetryPolicy;
  /** length of the rate-limit window (60 s; tests shorten it) */
  rateWindowMs?: number;
  /** longest wait for the call budget before failing as rate_limited */
  maxBudgetWaitMs?: number;
  fetch?: typeof fetch;
  observer?: UpstreamObserver;
}

export class CoinGeckoClient {
  readonly http: HttpClient;
  readonly plan: "demo" | "pro";
  readonly hasKey: boolean;

  constructor(
    config: Pick<Config, "coingeckoBase" | "COINGECKO_API_KEY" | "COINGECKO_API_PLAN" | "coingeckoCallsPerMinute" | "UPSTREAM_TIMEOUT_MS">,
    private readonly logger: Logger,
    opts: CoinGeckoOptions = {},
  ) {
    this.plan = config.COINGECKO_API_PLAN;
    this.hasKey = Boolean(config.COINGECKO_API_KEY);
    const headers: Record<string, string> = {};
    if (config.COINGECKO_API_KEY) headers[this.plan === "pro" ? "x-cg-pro-api-key" : "x-cg-demo-api-key"] = config.COINGECKO_API_KEY;
    const budget = new CallBudget(config.coingeckoCallsPerMinute, opts.rateWindowMs ?? 60_000, opts.maxBudgetWaitMs ?? 30_000);
    opts.observer?.budget("coingecko", () => budget.remaining());
    this.http = new HttpClient({
      provider: "coingecko",
      baseUrl: config.coingeckoBase,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      headers,
      budget,
      logger,
      ...(opts.observer ? { observer: opts.observer } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  /**
   * The top `limit` coins by market cap with 7-day sparklines and 1h/24h/7d/30d changes. Always whole
   * pages of 250 (one call covers the catalogue sync and every smaller caller).
   */
  async markets(limit: number, signal?: AbortSignal): Promise<MarketCoin[]> {
    const perPage = 250;
    const out: MarketCoin[] = [];
    for (let page = 1; out.length < limit; page++) {
      const rows = await this.http.get("/coins/markets", marketsSchema, {
        signal,
        query: {
          vs_currency: "usd",
          order: "market_cap_desc",
          per_page: perPage,
          page,
          sparkline: true,
          price_change_percentage: "1h,24h,7d,30d",
        },
      });
      out.push(...(rows as MarketCoin[]));
      if (rows.length < perPage) break;
    }
    return out.slice(0, limit);
  }

  /** Every coin CoinGecko lists: id, symbol and name (one call; platforms left out). */
  async coinsList(signal?: AbortSignal): Promise<ListedCoin[]> {
    const rows = await this.http.get("/coins/list", coinsListSchema, { signal, query: { include_platform: false } });
    return rows.map(({ id, symbol, name }) => ({ id, symbol, name }));
  }

  /**
   * Market data for chosen coins (any rank), `PRICE_BATCH` ids per /coins/markets call; ids CoinGecko
   * does not know are absent from the answer.
   */
  async marketsByIds(ids: string[], signal?: AbortSignal): Promise<MarketCoin[]> {
    const unique = [...new Set(ids)].filter(Boolean);
    const out: MarketCoin[] = [];
    for (let i = 0; i < unique.length; i += PRICE_BATCH) {
      const rows = await this.http.get("/coins/markets", marketsSchema, {
        signal,
        query: {
          vs_currency: "usd",
          ids: unique.slice(i, i + PRICE_BATCH).join(","),
          per_page: 250,
          page: 1,
          sparkline: true,
          price_change_percentage: "1h,24h,7d,30d",
        },
      });
      out.push(...(rows as MarketCoin[]));
    }
    return out;
  }

  /** Daily candles for the last `days` days, oldest first, built from /market_chart (split per plan). */
  async dailyCandles(coinId: string, days: number, signal?: AbortSignal): Promise<{ candles: Candle[]; note?: string }> {
    const id = encodeURIComponent(coinId);
    const allowed = PLAN_HISTORY_DAYS[this.plan];
    let note: string | undefined;
    let want = days;
    if (days > allowed) {
      want = allowed;
      note = `the CoinGecko ${this.plan} plan serves ${allowed} days of history; ${days} were asked`;
    }
    const query = { vs_currency: "usd" };
    let chart: z.output<typeof marketChartSchema>;
    if (want <= 365) {
      chart = await this.http.get(`/coins/${id}/market_chart`, marketChartSchema, { signal, query: { ...query, days: want } });
    } else {
      // longer windows: consecutive /market_chart/range calls of at most a year each, oldest first
      chart = { prices: [], total_volumes: [] };
      const end = Date.now();
      for (let from = end - want * DAY_MS; from < end; from += 365 * DAY_MS) {
        const to = Math.min(end, from + 365 * DAY_MS);
        const part = await this.http.get(`/coins/${id}/market_chart/range`, marketChartSchema, {
          signal,
          query: { ...query, from: Math.floor(from / 1000), to: Math.floor(to / 1000) },
        });
        chart.prices.push(...part.prices);
        chart.total_volumes!.push(...(part.total_volumes ?? []));
      }
    }
    return { candles: chartToDailyCandles(chart, want), ...(note ? { note } : {}) };
  }

  /**
   * Hourly candles for the last `days` (1-90) days, oldest first. CoinGecko's /market_chart answers hourly
   * points for 2-90 days (5-minute points for 1 day, bucketed here into hours as well).
   */
  async hourlyCandles(coinId: string, days: number, signal?: AbortSignal): Promise<Candle[]> {
    const want = Math.max(1, Math.min(90, Math.floor(days)));
    const chart = await this.http.get(`/coins/${encodeURIComponent(coinId)}/market_chart`, marketChartSchema, {
      signal,
      query: { vs_currency: "usd", days: want },
    });
    return chartToCandles(chart, HOUR_MS, want * 24);
  }

  /** One coin's description, links, categories, supply and all-time figures (/coins/{id}). */
  async coinDetails(coinId: string, signal?: AbortSignal): Promise<CoinDetailsWire> {
    return this.http.get(`/coins/${encodeURIComponent(coinId)}`, coinDetailsSchema, {
      signal,
      query: {
        localization: false,
        tickers: false,
        market_data: true,
        community_data: false,
        developer_data: false,
        sparkline: false,
      },
    });
  }

  /** CoinGecko's own OHLC candles (granularity set by `days`: 30 min, 4 h or 4 days); no volume. */
  async ohlc(coinId: string, days: 1 | 7 | 14 | 30 | 90 | 180 | 365, signal?: AbortSignal): Promise<Omit<Candle, "volume">[]> {
    const rows = await this.http.get(`/coins/${encodeURIComponent(coinId)}/ohlc`, ohlcSchema, {
      signal,
      query: { vs_currency: "usd", days },
    });
    return rows.map(([t, open, high, low, close]) => ({ t, open, high, low, close }));
  }

  /** CoinGecko's search over its whole coin list. */
  async search(query: string, signal?: AbortSignal): Promise<SearchHit[]> {
    return (await this.http.get("/search", searchSchema, { signal, query: { query } })).coins;
  }

  /** USD prices for many ids, `PRICE_BATCH` ids per call; ids CoinGecko does not know are absent. */
  async simplePrice(ids: string[], signal?: AbortSignal): Promise<{ prices: PriceMap; asOf: Date }> {
    const unique = [...new Set(ids)].filter(Boolean);
    const prices: PriceMap = {};
    let latest = 0;
    for (let i = 0; i < unique.length; i += PRICE_BATCH) {
      const batch = unique.slice(i, i + PRICE_BATCH);
      const body = await this.http.get("/simple/price", simplePriceSchema, {
        signal,
        query: {
          ids: batch.join(","),
          vs_currencies: "usd",
          include_24hr_change: true,
          include_24hr_vol: true,
          include_last_updated_at: true,
        },
      });
      for (const [id, p] of Object.entries(body)) {
        if (typeof p.usd !== "number") continue;
        prices[id] = {
          usd: p.usd,
          ...(typeof p.usd_24h_change === "number" ? { usd_24h_change: p.usd_24h_change } : {}),
          ...(typeof p.usd_24h_vol === "number" ? { usd_24h_vol: p.usd_24h_vol } : {}),
        };
        if (p.last_updated_at) latest = Math.max(latest, p.last_updated_at * 1000);
      }
    }
    return { prices, asOf: latest ? new Date(latest) : new Date() };
  }

  /** /exchange_rates: US dollars per unit of each display currency */
  async exchangeRates(signal?: AbortSignal): Promise<Partial<Record<string, number>>> {
    return usdRatesFrom(await this.http.get("/exchange_rates", exchangeRatesSchema, { signal }));
  }

  /**
   * /ping on the configured host with the configured key; logs one line saying whether the key fits the
   * plan. Never throws and never logs the key.
   */
  async checkPlan(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const who = this.hasKey ? `${this.plan} key` : "no key (public API)";
    try {
      await this.http.get("/ping", pingSchema, { signal });
      const message = `CoinGecko reachable at ${this.http.baseUrl} with ${who}: the key fits the ${this.hasKey ? this.plan : "public"} plan`;
      this.logger.info({ plan: this.plan, base: this.http.baseUrl, keyed: this.hasKey }, message);
      return { ok: true, message };
    } catch (err) {
      const e = err as UpstreamError;
      const refused = e.kind === "http" && (e.status === 400 || e.status === 401 || e.status === 403);
      const message = refused
        ? `CoinGecko at ${this.http.baseUrl} refused the ${who} (${e.status}): the key does not fit COINGECKO_API_PLAN=${this.plan}`
        : `CoinGecko ping at ${this.http.baseUrl} failed (${e.message}); the ${who} could not be checked`;
      this.logger.warn({ plan: this.plan, base: this.http.baseUrl, keyed: this.hasKey, kind: e.kind, status: e.status }, message);
      return { ok: false, message };
    }
  }
}

/**
 * Daily OHLCV from a market_chart answer of any granularity (5-minute, hourly or daily points): a day's
 * candle opens at its first point and closes at the first point of the next day (or its own last point
 * for the running day); high and low span those points; volume is CoinGecko's rolling 24 h volume at the
 * close. Returns the last `days` candles, oldest first.
 */
export function chartToDailyCandles(chart: z.output<typeof marketChartSchema>, days: number): Candle[] {
  return chartToCandles(chart, DAY_MS, days);
}

export const HOUR_MS = 3_600_000;

/** OHLCV candles of `bucketMs` (a day or an hour) from a market_chart answer; the last `count`, oldest first. */
export function chartToCandles(chart: z.output<typeof marketChartSchema>, bucketMs: number, count: number): Candle[] {
  const prices = chart.prices.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1])).sort((a, b) => a[0] - b[0]);
  const volumes = (chart.total_volumes ?? []).filter((p): p is [number, number] => p[1] !== null).sort((a, b) => a[0] - b[0]);
  const byDay = new Map<number, [number, number][]>();
  for (const p of prices) {
    const d = Math.floor(p[0] / bucketMs) * bucketMs;
    let list = byDay.get(d);
    if (!list) byDay.set(d, (list = []));
    list.push(p);
  }
  const dayKeys = [...byDay.keys()].sort((a, b) => a - b);
  const candles: Candle[] = [];
  let vi = 0;
  for (let i = 0; i < dayKeys.length; i++) {
    const day = dayKeys[i]!;
    const pts = byDay.get(day)!;
    const next = byDay.get(day + bucketMs)?.[0];
    const closePoint = next ?? pts[pts.length - 1]!;
    const values = pts.map((p) => p[1]).concat(next ? [next[1]] : []);
    // the volume point at (or the latest before) the close
    while (vi + 1 < volumes.length && volumes[vi + 1]![0] <= closePoint[0]) vi++;
    // CoinGecko's volume is a rolling 24 h figure: an hourly candle shows its share of it
    const rolling = volumes[vi] && volumes[vi]![0] <= closePoint[0] + bucketMs ? volumes[vi]![1] : 0;
    const vol = rolling * Math.min(1, bucketMs / DAY_MS);
    candles.push({ t: day, open: pts[0]![1], high: Math.max(...values), low: Math.min(...values), close: closePoint[1], volume: vol });
  }
  return candles.slice(-Math.max(1, count));
}

export type { Sourced };
