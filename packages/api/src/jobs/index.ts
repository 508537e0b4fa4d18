import type { Services } from "../services";
import { cleanup } from "./cleanup";
import { refreshPrices, syncCatalogue, syncCoinList } from "../market/catalogue";
import { evaluateAlerts } from "../alerts/evaluate";
import { fetchMissingLogos } from "../market/logos";
import type { JobDefinition } from "./scheduler";

export { cleanup, AUTH_LOG_RETENTION_DAYS, type CleanupCounts } from "./cleanup";
export { startScheduler, runJobTick, claimTick, tickKeyFor, type JobDefinition, type Scheduler, type JobOutcome } from "./scheduler";

/** Every periodic job of a UCIE server, with its interval from the config. */
export function defaultJobs(services: Services): JobDefinition[] {
  const { config } = services;
  return [
    { name: "cleanup", intervalMs: 60 * 60_000, run: (s) => cleanup(s) },
    // prices between daily syncs: one CoinGecko call a minute for the top 250, well inside the keyless budget
    { name: "prices", intervalMs: config.PRICE_REFRESH_SECONDS * 1000, quiet: true, run: (s, tick) => refreshPrices(s, tick.signal) },
    {
      name: "alerts",
      intervalMs: config.ALERT_INTERVAL_SECONDS * 1000,
      quiet: true,
      run: async (s, tick) => {
        const { checked, triggered, expired } = await evaluateAlerts(s, { signal: tick.signal });
        return { checked, triggered, expired };
      },
    },
    // the first tick after start-up of a new day runs at once, so a fresh install leaves the snapshot quickly
    {
      name: "token-sync",
      intervalMs: config.TOKEN_SYNC_INTERVAL_HOURS * 3_600_000,
      leaseMs: 10 * 60_000,
      run: async (s, tick) => {
        const synced = await syncCatalogue(s, tick.signal);
        s.caches.search.clear();
        // logos of coins new to the catalogue, fetched once and served from our own origin
        const logos = await fetchMissingLogos(s, { signal: tick.signal });
        return { ...synced, logos };
      },
    },
    // every coin CoinGecko lists (about 17,000), unranked: searchable, priced on demand (market/on-demand.ts)
    {
      name: "coin-list",
      intervalMs: 24 * 3_600_000,
      leaseMs: 10 * 60_000,
      run: async (s, tick) => {
        const { source, listed, added, delisted, note } = await syncCoinList(s, tick.signal);
        s.caches.search.clear();
        return { source, listed, added, delisted, ...(note ? { note } : {}) };
      },
    },
  ];
}
