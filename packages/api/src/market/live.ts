/**
 * The live providers behind one MarketService: CoinGecko for coins, prices and history; alternative.me,
 * CryptoCompare-format news, DefiLlama, Binance futures and mempool.space for the analysis. Hot answers
 * are cached briefly and identical in-flight calls share one upstream request.
 */
import type { Config } from "@ucie/config";
import type { Logger } from "../lib/logger";
import { TtlCache } from "./cache";
import { UpstreamError, type UpstreamProvider } from "./errors";
import { CoinGeckoClient, type CoinGeckoOptions } from "./coingecko";
import { fetchChains, fetchProtocols, matchTvl } from "./defillama";
import { toCoinDetails } from "./details";
import { fetchDerivatives } from "./derivatives";
import { fetchFearGreed } from "./fear-greed";
import { HttpClient, type RetryPolicy } from "./http";
import { fetchBitcoinOnchain } from "./mempool";
import { fetchNews } from "./news";
import type { MarketService, Sourced } from "./types";

export interface LiveMarketOptions extends CoinGeckoOptions {
  retry?: RetryPolicy;
}

/** how long each kind of answer is reused (ms) */
export const CACHE_TTL = {
  topCoins: 60_000,
  prices: 20_000,
  history: 10 * 60_000,
  hourly: 5 * 60_000,
  coinsList: 60 * 60_000,
  /** descriptions, links and supply change rarely: once a day */
  details: 24 * 60 * 60_000,
  fearGreed: 10 * 60_000,
  news: 5 * 60_000,
  defi: 10 * 60_000,
  derivatives: 60_000,
  onchain: 60_000,
  exchangeRates: 60_000,
} as const;

export interface LiveMarket extends MarketService {
  coingecko: CoinGeckoClient;
  cache: TtlCache;
}

export function createLiveMarket(config: Config, logger: Logger, opts: LiveMarketOptions = {}): LiveMarket {
  const coingecko = new CoinGeckoClient(config, logger, opts);
  const client = (provider: "fear-greed" | "news" | "defillama" | "derivatives" | "mempool", baseUrl: string) =>
    new HttpClient({
      provider,
      baseUrl,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      logger,
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.observer ? { observer: opts.observer } : {}),
    });
  const fng = client("fear-greed", config.FEAR_GREED_API_BASE);
  const news = client("news", config.NEWS_API_BASE);
  const llama = client("defillama", config.DEFILLAMA_API_BASE);
  const futures = client("derivatives", config.DERIVATIVES_API_BASE);
  const mempool = client("mempool", config.MEMPOOL_API_BASE);
  const cache = new TtlCache();
  /** the cached, coalesced call; a caller's abort surfaces as UpstreamError("aborted") like every other failure */
  const cached = async <T>(
    provider: UpstreamProvider,
    key: string,
    ttl: number,
    load: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> => {
    try {
      return await cache.get(key, ttl, load, signal);
    } catch (err) {
      if (!(err instanceof UpstreamError) && signal?.aborted)
        throw new UpstreamError(provider, "aborted", "the call was aborted", { cause: err });
      throw err;
    }
  };
  const live = <T>(data: T, asOf = new Date(), extra: Partial<Sourced<T>> = {}): Sourced<T> => ({ data, source: "live", asOf, ...extra });

  return {
    mode: "live",
    coingecko,
    cache,
    checkPlan: (signal) => coingecko.checkPlan(signal),

    async topCoins(limit, signal) {
      // one cached page of 250 serves every limit up to 250
      const page = Math.max(250, limit);
      const coins = await cached("coingecko", `markets:${page}`, CACHE_TTL.topCoins, () => coingecko.markets(page), signal);
      const latest = Math.max(0, ...coins.map((c) => (c.last_updated ? Date.parse(c.last_updated) || 0 : 0)));
      return live(coins.slice(0, limit), latest ? new Date(latest) : new Date());
    },

    async history(coinId, days, signal) {
      const { candles, note } = await cached(
        "coingecko",
        `history:${coinId}:${days}`,
        CACHE_TTL.history,
        () => coingecko.dailyCandles(coinId, days),
        signal,
      );
      const last = candles.at(-1);
      return live(candles, last ? new Date(last.t) : new Date(), note ? { note } : {});
    },

    async coinsList(signal) {
      return live(await cached("coingecko", "coins-list", CACHE_TTL.coinsList, () => coingecko.coinsList(), signal));
    },

    async marketsByIds(coinIds, signal) {
      // callers batch and cache (market/on-demand.ts); this is the plain upstream call
      const coins = await coingecko.marketsByIds(coinIds, signal);
      return live(coins);
    },

    async hourlyHistory(coinId, days, signal) {
      const candles = await cached(
        "coingecko",
        `hourly:${coinId}:${days}`,
        CACHE_TTL.hourly,
        () => coingecko.hourlyCandles(coinId, days),
        signal,
      );
      const last = candles.at(-1);
      return live(candles, last ? new Date(last.t) : new Date());
    },

    async details(coinId, signal) {
      const d = await cached("coingecko", `details:${coinId}`, CACHE_TTL.details, () => coingecko.coinDetails(coinId), signal);
      return live(toCoinDetails(d));
    },

    async prices(coinIds, signal) {
      const ids = [...new Set(coinIds)].sort();
      const { prices, asOf } = await cached(
        "coingecko",
        `prices:${ids.join(",")}`,
        CACHE_TTL.prices,
        () => coingecko.simplePrice(ids),
        signal,
      );
      return live(prices, asOf);
    },

    async exchangeRates(signal) {
      return live(await cached("coingecko", "exchange-rates", CACHE_TTL.exchangeRates, () => coingecko.exchangeRates(), signal));
    },

    async fearGreed(days, signal) {
      const points = await cached("fear-greed", `fng:${days}`, CACHE_TTL.fearGreed, () => fetchFearGreed(fng, days), signal);
      return live(points, points[0]?.timestamp ?? new Date());
    },

    async news(coin, limit, signal) {
      const items = await cached(
        "news",
        `news:${coin.symbol.toUpperCase()}`,
        CACHE_TTL.news,
        () => fetchNews(news, coin.symbol, 50),
        signal,
      );
      return live(items.slice(0, limit));
    },

    async defiTvl(coin, signal) {
      const [protocols, chains] = await Promise.all([
        cached("defillama", "llama:protocols", CACHE_TTL.defi, () => fetchProtocols(llama), signal),
        cached("defillama", "llama:chains", CACHE_TTL.defi, () => fetchChains(llama), signal),
      ]);
      return live(matchTvl(coin, protocols, chains));
    },

    async derivatives(coin, signal) {
      const data = await cached(
        "derivatives",
        `futures:${coin.symbol.toUpperCase()}`,
        CACHE_TTL.derivatives,
        () => fetchDerivatives(futures, coin.symbol),
        signal,
      );
      return live(data);
    },

    async bitcoinOnchain(signal) {
      return live(await cached("mempool", "mempool", CACHE_TTL.onchain, () => fetchBitcoinOnchain(mempool), signal));
    },
  };
}
