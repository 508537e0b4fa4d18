/**
 * Everything domain code needs, built once per process and injected (no module-level singletons):
 * config, database, clock, logger, mailer, live events. Tests build their own with fakes where a
 * real part cannot run (clock), and real parts everywhere else.
 */
import type { Config } from "@ucie/config";
import { loadConfig } from "@ucie/config";
import type { Database, Db } from "@ucie/db";
import { systemClock, type Clock } from "./lib/clock";
import { EventBus } from "./lib/events";
import { silentLogger, type Logger } from "./lib/logger";
import { createMailer, type Mailer } from "./lib/mail";
import { SingleFlight } from "./analysis/single-flight";
import { createPasswordChecker, type PasswordChecker } from "./auth/password-strength";
import { SessionCache } from "./auth/session-cache";
import type { SessionPolicy } from "./auth/session-types";
import { createMarketService } from "./market";
import { TtlCache } from "./market/cache";
import { OnDemandMarket } from "./market/on-demand";
import type { Candle, MarketService } from "./market/types";

/** In-process caches of one instance: owned here, so tests that build many Services never share them. */
export interface ServiceCaches {
  /** validated sessions by token hash (auth/session-cache.ts; evicted by auth/revocation.ts) */
  sessions: SessionCache;
  /** daily candles the alert metrics read, by coin id (alerts/metrics.ts) */
  alertHistory: Map<string, { at: number; candles: Candle[] }>;
  /** recent `tokens.search` answers by normalised query and limit (routers/tokens.ts); cleared by catalogue syncs */
  search: TtlCache;
  /** batched, single-flight market data for unranked coins (market/on-demand.ts) */
  onDemand: OnDemandMarket;
  /** in-flight analysis sections and upstream calls, shared by concurrent requests (analysis/engine.ts) */
  analysisFlights: SingleFlight;
}

export interface Services {
  config: Config;
  database: Database;
  db: Db;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  events: EventBus;
  sessionPolicy: SessionPolicy;
  /** breached-list and strength checks for new passwords; their data loads on first use */
  passwords: PasswordChecker;
  /** market data: CoinGecko and the other live sources, or the offline snapshot, per MARKET_DATA */
  market: MarketService;
  /** a name for this process, for job claims and logs */
  instanceId: string;
  caches: ServiceCaches;
}

export interface ServiceOverrides {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
  mailer?: Mailer;
  instanceId?: string;
  market?: MarketService;
}

export function createServices(database: Database, overrides: ServiceOverrides = {}): Services {
  const config = overrides.config ?? loadConfig({});
  const logger = overrides.logger ?? silentLogger;
  const clock = overrides.clock ?? systemClock;
  const market = overrides.market ?? createMarketService(config, logger);
  return {
    config,
    database,
    db: database.db,
    clock,
    logger,
    mailer: overrides.mailer ?? createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, logger }),
    events: new EventBus(database),
    sessionPolicy: {
      idleTimeoutMs: config.SESSION_IDLE_TIMEOUT_HOURS * 3_600_000,
      absoluteLifetimeMs: config.SESSION_ABSOLUTE_LIFETIME_DAYS * 86_400_000,
    },
    passwords: createPasswordChecker(),
    market,
    instanceId: overrides.instanceId ?? `${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    caches: {
      sessions: new SessionCache(),
      alertHistory: new Map(),
      analysisFlights: new SingleFlight(),
      search: new TtlCache(2_000),
      onDemand: new OnDemandMarket({ db: database.db, market, logger, clock }),
    },
  };
}
