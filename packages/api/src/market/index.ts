import type { Config } from "@ucie/config";
import type { Logger } from "../lib/logger";
import { createOfflineMarket } from "./offline";
import type { MarketService } from "./types";

export * from "./types";
export { UpstreamError, isUpstreamError, type UpstreamErrorKind, type UpstreamProvider } from "./errors";
export { createOfflineMarket } from "./offline";

/** The market service for MARKET_DATA: offline (bundled snapshot and simulated history); live providers land next. */
export function createMarketService(config: Config, logger: Logger): MarketService {
  const offline = createOfflineMarket();
  if (config.MARKET_DATA !== "offline") {
    logger.warn({ mode: config.MARKET_DATA }, "live market providers are not wired yet: serving the offline snapshot");
  }
  return { ...offline, mode: config.MARKET_DATA };
}
