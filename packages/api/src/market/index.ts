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
const METHODS: Method[] = ["topCoins", "history", "prices", "fearGreed", "news", "defiTvl", "derivatives", "bitcoinOnchain"];

function withFallback(live: MarketService, offline: MarketService, logger: Logger): MarketService {
  const lastWarned = new Map<string, number>();
  const out: Record<string, unknown> = { ...live, mode: "auto" };
  for (const m of METHODS) {
    const liveFn = live[m] as (...args: unknown[]) => Promise<unknown>;
    const offlineFn = offline[m] as (...args: unknown[]) => Promise<unknown>;
    out[m] = async (...args: unknown[]) => {
      try {
        return await liveFn(...args);
      } catch (err) {
        if (!isUpstreamError(err) || err.kind === "aborted") throw err;
        // one warning per provider a minute: a dead upstream must not flood the log
        const now = Date.now();
        if ((lastWarned.get(err.provider) ?? 0) < now - 60_000) {
          lastWarned.set(err.provider, now);
          logger.warn({ provider: err.provider, kind: err.kind, status: err.status, method: m }, `${err.message}; using offline data`);
        }
        try {
          return await offlineFn(...args);
        } catch {
          throw err;
        }
      }
    };
  }
  return out as unknown as MarketService;
}
