import type { Config } from "@ucie/config";
import type { Logger } from "../lib/logger";
import type { MarketService } from "./types";

export * from "./types";

/** Placeholder until the market-data providers land: every call fails loudly. */
export function createMarketService(_config: Config, _logger: Logger): MarketService {
  const missing = async (): Promise<never> => {
    throw new Error("market data providers are not wired yet");
  };
  return {
    mode: "offline",
    topCoins: missing,
    history: missing,
    prices: missing,
    fearGreed: missing,
    news: missing,
    defiTvl: missing,
    derivatives: missing,
    bitcoinOnchain: missing,
  };
}
