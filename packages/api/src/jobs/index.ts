import type { Services } from "../services";
import { cleanup } from "./cleanup";
import { refreshPrices, syncCatalogue, syncCoinList } from "../market/catalogue";
import { evaluateAlerts } from "../alerts/evaluate";
import { fetchMissingLogos } from "../market/logos";
import { refreshExchangeRates } from "../preferences/preferences";
import { refreshScreener } from "../screener/screener";
import type { JobDefinition } from "./scheduler";

export { cleanup, AUTH_LOG_RETENTION_DAYS, type CleanupCounts } from "./cleanup";
export { startScheduler, runJobTick, claimTick, tickKeyFor, type JobDefinition, type Scheduler, type JobOutcome } from "./scheduler";

/** Every periodic job of a UCIE server, with its interval from the config. */
export function defaultJobs(services: Services): JobDefinition[] {
  const { config } = services;
  return [
    { name: "cleanup", intervalMs: 60 * 60_000, run: (s) => cleanup(s) },
    // prices between daily syncs: one CoinGecko call a minute for the top 250, well inside the keyless budget
    {
      name: "prices",
      intervalMs: config.PRICE_REFRESH_SECONDS * 1000,
      quiet: true,
      run: async (s, tick) => {
        const prices = await refreshPrices(s, tick.signal);
        // the display currencies' rates move with the prices: one more call a tick; a failure keeps the last rates
        const rates = await refreshExchangeRates(s, tick.signal).then(
          (r) => r.source,
          (err: unknown) => (s.logger.warn({ err }, "exchange rates not refreshed"), "failed"),
        );
        return { ...prices, rates };
      },
    },
    {
      name: "alerts",
      intervalMs: config.ALERT_INTERVAL_SECONDS * 1000,
      quiet: true,
      run: async (s, tick) => {
        const end = s.telemetry.alertTickDuration.startTimer();
        const { checked, triggered, expired } = await evaluateAlerts(s, { signal: tick.signal });
        end();
        s.telemetry.alertsFired.inc(triggered);
        return { checked, triggered, expired };
      },
    },
    // a batch of coins per tick (all of them offline): 250 histories spread over about 50 minutes
    {
      name: "screener",
      intervalMs: 5 * 60_000,
      leaseMs: 10 * 60_000,
      quiet: true,
      run: (s, tick) => refreshScreener(s, { signal: tick.signal }),
    },
    // the first tick after start-up of a new day runs at once, so a fresh install leaves the snapshot quickly
    {
      name: "token-sync",
      intervalMs: config.TOKEN_SYNC_INTERVAL_HOURS * 3_600_000,
      leaseMs: 10 * 60_000,
      run: async (s, tick) => {
        const synced = await syncCatalogue(s, tick.signal);
        s.caches.search.clear();
        s.caches.answers.clear();
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
        s.caches.answers.clear();
        return { source, listed, added, delisted, ...(note ? { note } : {}) };
      },
    },
  ];
}
