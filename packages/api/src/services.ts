/**
 * Everything domain code needs, built once per process and injected (no module-level singletons):
 * config, database, clock, logger, mailer, live events. Tests build their own with fakes where a
 * real part cannot run (clock), and real parts everywhere else.
 */
import type { Config } from "@ucie/config";
import { loadConfig } from "@ucie/config";
import { execute, type Database, type Db } from "@ucie/db";
import { sql } from "drizzle-orm";
import { systemClock, type Clock } from "./lib/clock";
import { EventBus } from "./lib/events";
import { silentLogger, type Logger } from "./lib/logger";
import { AnonymousCallLimiter, OneAtATime, StreamSlots, Turns } from "./lib/request-limits";
import { createMailer, type Mailer } from "./lib/mail";
import { SingleFlight } from "./analysis/single-flight";
import { createPasswordChecker, type PasswordChecker } from "./auth/password-strength";
import { loadDeviceKey } from "./auth/device-cookie";
import { loadTotpKey } from "./auth/totp-secret";
import { SessionCache } from "./auth/session-cache";
import type { SessionPolicy } from "./auth/session-types";
import { createMarketService } from "./market";
import { TtlCache } from "./market/cache";
import { AnswerCache } from "./lib/answer-cache";
import { Telemetry } from "./lib/telemetry";
import { OnDemandMarket } from "./market/on-demand";
import type { Candle, DataSource, MarketService } from "./market/types";
import type { VapidKeys } from "./notifications/vapid";
import { deliveryOptions, type DeliveryOptions } from "./notifications/options";

/** In-process caches of one instance: owned here, so tests that build many Services never share them. */
export interface ServiceCaches {
  /** validated sessions by token hash (auth/session-cache.ts; evicted by auth/revocation.ts) */
  sessions: SessionCache;
  /** daily candles the alert metrics read, by coin id (alerts/metrics.ts) */
  alertHistory: Map<string, { at: number; candles: Candle[]; source: DataSource }>;
  /** recent `tokens.search` answers by normalised query and limit (routers/tokens.ts); cleared by catalogue syncs */
  search: TtlCache;
  /** batched, single-flight market data for unranked coins (market/on-demand.ts) */
  onDemand: OnDemandMarket;
  /** in-flight analysis sections and upstream calls, shared by concurrent requests (analysis/engine.ts) */
  analysisFlights: SingleFlight;
  /** the VAPID key pair once read from the database (notifications/vapid.ts) */
  vapid: { keys: Promise<VapidKeys> | null };
  /** the exchange rates prices are shown through (preferences/preferences.ts) */
  exchangeRates: TtlCache;
  /** answered screener pages, by query, for a few seconds (screener/screener.ts; cleared when the job writes) */
  screener: TtlCache;
  /**
   * finished HTTP answers to anonymous public queries, for 2 s (lib/answer-cache.ts, used by the server's
   * /trpc route); cleared with the search and screener caches
   */
  answers: AnswerCache;
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
  /** how notifications leave: timeouts, retries, address policy (notifications/options.ts) */
  delivery: DeliveryOptions;
  /** the device-cookie HMAC key, read (or made) once from `server_secrets` */
  deviceKey(): Promise<Buffer>;
  /** the AES-256-GCM key of TOTP secrets at rest (auth/totp-secret.ts), read (or made) once from `server_secrets` */
  totpKey(): Promise<Buffer>;
  /** this instance's counters of anonymous calls and open streams (lib/request-limits.ts) */
  limits: {
    anonymousCalls: AnonymousCallLimiter;
    streams: StreamSlots;
    bigAnswers: Turns;
    /** catalogue searches on embedded PGlite, one at a time with the loop's I/O between them (routers/tokens.ts) */
    embeddedSearches: OneAtATime;
  };
  /** Prometheus registry and the per-minute counters of the health page (lib/telemetry.ts) */
  telemetry: Telemetry;
}

export interface ServiceOverrides {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
  mailer?: Mailer;
  instanceId?: string;
  market?: MarketService;
  delivery?: Partial<DeliveryOptions>;
}

export function createServices(database: Database, overrides: ServiceOverrides = {}): Services {
  const config = overrides.config ?? loadConfig({});
  const logger = overrides.logger ?? silentLogger;
  let deviceKey: Promise<Buffer> | undefined;
  let totpKey: Promise<Buffer> | undefined;
  const clock = overrides.clock ?? systemClock;
  const telemetry = new Telemetry(() => clock.now());
  telemetry.trackDbPool(async () => {
    if (database.raw.kind !== "postgres") return 0; // PGlite in this process: one connection, never a pool
    const { rows } = await execute<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from pg_stat_activity where application_name = 'ucie' and state = 'active' and pid <> pg_backend_pid()`,
    );
    return Number(rows[0]?.n ?? 0);
  });
  const market = overrides.market ?? createMarketService(config, logger, { observer: telemetry });
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
    delivery: deliveryOptions(config, overrides.delivery),
    caches: {
      sessions: new SessionCache(),
      alertHistory: new Map(),
      analysisFlights: new SingleFlight(),
      exchangeRates: new TtlCache(4),
      screener: new TtlCache(200),
      answers: new AnswerCache(),
      vapid: { keys: null },
      search: new TtlCache(2_000),
      onDemand: new OnDemandMarket({ db: database.db, market, logger, clock }),
    },
    deviceKey: () =>
      (deviceKey ??= loadDeviceKey(database.db).catch((err: unknown) => {
        deviceKey = undefined;
        throw err;
      })),
    totpKey: () =>
      (totpKey ??= loadTotpKey(database.db).catch((err: unknown) => {
        totpKey = undefined;
        throw err;
      })),
    limits: {
      anonymousCalls: new AnonymousCallLimiter(config.ANON_CALLS_PER_MINUTE),
      streams: new StreamSlots({ perSession: config.STREAMS_PER_SESSION, perIp: config.STREAMS_PER_IP }),
      bigAnswers: new Turns(),
      embeddedSearches: new OneAtATime(),
    },
    telemetry,
  };
}
