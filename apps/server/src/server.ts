/**
 * Start and stop a whole UCIE server in this process: database, migrations, catalogue seed, HTTP.
 * `main.ts` uses it with the environment; HTTP tests use it with their own database and config.
 */
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import {
  bootstrap,
  createServices,
  defaultJobs,
  startDeliveryWorker,
  startScheduler,
  type ServiceOverrides,
  type Services,
} from "@ucie/api";
import type { Config } from "@ucie/config";
import { openDatabase, type Database } from "@ucie/db";
import { createApp } from "./app";

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  server: Server;
  firstAccessCode: string | null;
  close(): Promise<void>;
}

export interface StartOptions extends ServiceOverrides {
  config: Config;
  /** an existing database (tests); otherwise one is created from the config */
  database?: Database;
  webDist?: string;
  /** run the periodic jobs (token sync, alerts, clean-up); default true */
  jobs?: boolean;
}

/**
 * Node's `requestTimeout` bounds the receipt of a request (headers and body), not the response: the
 * timer stops once the body has arrived, so a slow body is cut off with a 408 while an SSE response
 * may run for as long as it likes. Node checks the timers every `connectionsCheckingInterval` (30 s by
 * default, which would double the bound), so the check runs at a tenth of the shorter limit.
 */
export function createHttpServer(app: ReturnType<typeof createApp>, config: Config): Server {
  const headersTimeout = Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS);
  const server = createServer(
    {
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 10))),
    },
    app,
  );
  server.keepAliveTimeout = 65_000;
  return server;
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { config } = opts;
  const ownsDatabase = !opts.database;
  const database = opts.database ?? (await openDatabase(config, { role: "server", command: "ucie server" }));
  const services = createServices(database, opts);
  const { firstAccessCode } = await bootstrap(services);
  // one log line: is CoinGecko reachable and does the configured key fit the plan (not awaited: never delays start-up)
  if (config.MARKET_DATA !== "offline") void services.market.checkPlan?.().catch(() => {});
  const scheduler = opts.jobs === false ? null : startScheduler(services, defaultJobs(services));
  // counts the health page reads across instances: written in batches, not per request
  const counters = services.telemetry.startFlushing(services.db, services.logger);
  if (config.METRICS_TOKEN) services.telemetry.enableDefaultMetrics();
  // the outbox's sender runs on every instance (claims are SKIP LOCKED): more instances, more throughput
  const deliveries = opts.jobs === false ? null : await startDeliveryWorker(services);
  const app = createApp({ services, webDist: opts.webDist });
  const server = createHttpServer(app, config);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    services,
    server,
    firstAccessCode,
    close() {
      closing ??= (async () => {
        await scheduler?.stop();
        await deliveries?.stop();
        await new Promise<void>((resolve) => {
          // stop accepting; in-flight requests finish; idle keep-alive sockets go now
          server.close(() => resolve());
          for (const res of app.locals.streams as Set<import("express").Response>) res.end();
          server.closeIdleConnections();
          // the streams just ended leave idle keep-alive sockets behind once their last bytes are out
          setTimeout(() => server.closeIdleConnections(), 100).unref();
          setTimeout(() => server.closeAllConnections(), 10_000).unref();
        });
        await counters.stop();
        await services.events.close();
        if (ownsDatabase) await database.close();
      })();
      return closing;
    },
  };
}
