import type { Config } from "@ucie/config";
import type { Logger } from "../lib/logger";
import { isUpstreamError } from "./errors";
import { createLiveMarket, type LiveMarketOptions } from "./live";
import { createOfflineMarket } from "./offline";
import type { MarketService } from "./types";

export * from "./types";
export { UpstreamError, isUpstreamError, type UpstreamErrorKind, type UpstreamProvider } from "./errors";
export { createOfflineMarket } from "./offline";
export { createLiveMarket, type LiveMarketOptions } from "./live";
export { CoinGeckoClient } from "./coingecko";

/**
 * The market service for MARKET_DATA. `offline`: the bundled snapshot and simulated history. `live`:
 * upstream APIs only (failures throw UpstreamError). `auto`: live, and per call the offline answer when
 * the upstream cannot answer; the result's `source` says which one was used.
 */
export function createMarketService(config: Config, logger: Logger, opts: LiveMarketOptions = {}): MarketService {
  if (config.MARKET_DATA === "offline") return createOfflineMarket();
  const live = createLiveMarket(config, logger, opts);
  if (config.MARKET_DATA === "live") return live;
  return withFallback(live, createOfflineMarket(), logger);
}

type Method = Exclude<keyof MarketService, "mode" | "checkPlan">;

function withFallback(live: MarketService, offline: MarketService, logger: Logger): MarketService {
  const lastWarned = new Map<string, number>();
  async function fallback<T>(method: Method, call: (market: MarketService) => Promise<T>): Promise<T> {
    try {
      return await call(live);
    } catch (err) {
      if (!isUpstreamError(err) || err.kind === "aborted") throw err;
      // one warning per provider a minute: a dead upstream must not flood the log
      const now = Date.now();
      if ((lastWarned.get(err.provider) ?? 0) < now - 60_000) {
        lastWarned.set(err.provider, now);
        logger.warn({ provider: err.provider, kind: err.kind, status: err.status, method }, `${err.message}; using offline data`);
      }
      try {
        return await call(offline);
      } catch {
        throw err;
      }
    }
  }
  return {
    ...live,
    mode: "auto",
    topCoins: (...a) => fallback("topCoins", (m) => m.topCoins(...a)),
    history: (...a) => fallback("history", (m) => m.history(...a)),
    coinsList: (...a) => fallback("coinsList", (m) => m.coinsList(...a)),
    marketsByIds: (...a) => fallback("marketsByIds", (m) => m.marketsByIds(...a)),
    hourlyHistory: (...a) => fallback("hourlyHistory", (m) => m.hourlyHistory(...a)),
    details: (...a) => fallback("details", (m) => m.details(...a)),
    prices: (...a) => fallback("prices", (m) => m.prices(...a)),
    fearGreed: (...a) => fallback("fearGreed", (m) => m.fearGreed(...a)),
    news: (...a) => fallback("news", (m) => m.news(...a)),
    defiTvl: (...a) => fallback("defiTvl", (m) => m.defiTvl(...a)),
    derivatives: (...a) => fallback("derivatives", (m) => m.derivatives(...a)),
    bitcoinOnchain: (...a) => fallback("bitcoinOnchain", (m) => m.bitcoinOnchain(...a)),
    exchangeRates: (...a) => fallback("exchangeRates", (m) => m.exchangeRates(...a)),
  };
}
