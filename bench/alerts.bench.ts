/**
 * Alert evaluation at scale: 100,000 enabled alerts (the four price types, repeating so that all stay
 * enabled; 1,000 users; 250 coins) on Postgres. Times
 * one steady-state evaluation tick (prices moved since the previous tick, as every minute in production)
 * and, in the same run, a bare `SELECT count(*)` over the same table, so the ratio survives a slower machine.
 * Target: the tick under one second.
 *
 * Postgres comes from BENCH_DATABASE_URL (a server URL; a scratch database is created and dropped). Without
 * it the bench runs on PGlite, whose figures only show that it works, and says so.
 *
 * Every user has a webhook, so the tick also writes one outbox row per firing (notification_deliveries).
 *
 * Run alone: `node --import tsx bench/alerts.bench.ts` (writes bench/results/alerts.json).
 */
import { createServices, evaluateAlerts, FakeClock } from "@ucie/api";
import { loadConfig } from "@ucie/config";
import { migrate, type Database } from "@ucie/db";
import { runStandalone, scratchDatabase } from "./lib";

export interface AlertsBenchResult {
  alerts: number;
  evaluateMs: number;
  countMs: number;
  ratio: number;
  /** outbox rows written by the measured tick */
  queued: number;
}

const ALERTS = 100_000;
const USERS = 1_000;
const COINS = 250;

/** plain SQL through the raw driver (the bench needs no query builder) */
async function exec(database: Database, text: string): Promise<void> {
  if (database.raw.kind === "postgres") await database.raw.sql.unsafe(text);
  else await database.raw.client.exec(text);
}

async function seed(database: Database): Promise<void> {
  await exec(
    database,
    `
    INSERT INTO ucie_tokens (coingecko_id, symbol, name, market_cap_rank, current_price_usd, price_change_pct_1h,
                             price_change_pct_24h, total_volume_usd, is_active, last_updated, source)
    SELECT 'coin-' || i, 'C' || i, 'Coin ' || i, i, 100 + i, (i % 7) - 3, (i % 21) - 10, 1e6 * i, true, now(), 'snapshot'
    FROM generate_series(1, ${COINS}) AS i`,
  );
  await exec(
    database,
    `
    INSERT INTO users (email, password_hash, email_verified)
    SELECT 'bench' || i || '@example.test', 'x', true FROM generate_series(1, ${USERS}) AS i`,
  );
  // thresholds spread around each coin's price so a few percent fire, as in real use
  await exec(
    database,
    `
    WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users)
    INSERT INTO ucie_alerts (user_id, symbol, coin_id, alert_type, threshold_value, condition_details, repeat_mode, cooldown_seconds)
    SELECT u.id, 'C' || c, 'coin-' || c, t.type,
           -- + i / 1e7: no two enabled alerts of a user are identical (a unique index refuses them)
           CASE t.type WHEN 'percent_change' THEN 1 + (i % 15) ELSE (100 + c) * (0.8 + (i % 41) / 100.0) END + i / 1e7,
           CASE t.type WHEN 'price_cross' THEN '{"direction":"any"}'::jsonb
                       WHEN 'percent_change' THEN '{"window":"24h","direction":"any"}'::jsonb ELSE '{}'::jsonb END,
           'repeat', 600
    FROM generate_series(1, ${ALERTS}) AS i
    CROSS JOIN LATERAL (SELECT 1 + (i * 7919) % ${COINS} AS c) cc
    CROSS JOIN LATERAL (SELECT (ARRAY['price_above', 'price_below', 'price_cross', 'percent_change'])[1 + i % 4] AS type) t
    JOIN u ON u.n = 1 + i % ${USERS}`,
  );
  // every user has a webhook, so each firing also writes its outbox row in the tick's transaction
  await exec(
    database,
    `INSERT INTO notification_channels (user_id, name, url, format, secret)
     SELECT id, 'bench', 'http://127.0.0.1:9/hook', 'json', 'whsec_bench' FROM users`,
  );
  await exec(database, `ANALYZE`);
}

export async function benchAlerts(
  databaseUrl = process.env.BENCH_DATABASE_URL,
): Promise<AlertsBenchResult & { note?: string; firstTickMs: number; triggered: number }> {
  const scratch = await scratchDatabase(databaseUrl);
  const { database } = scratch;
  const note = databaseUrl ? undefined : "PGlite (BENCH_DATABASE_URL unset): the one-second target is for Postgres";
  const clock = new FakeClock(new Date("2026-01-01T00:00:00Z"));
  const services = createServices(database, {
    config: loadConfig({ MARKET_DATA: "offline", LOG_LEVEL: "silent", ALERT_INTERVAL_SECONDS: "60" }),
    clock,
    mailer: { send: async () => {} },
  });
  try {
    await migrate(database);
    await seed(database);

    // first tick: every alert gets its first sample (crosses need one)
    let t0 = performance.now();
    await evaluateAlerts(services);
    const firstTickMs = performance.now() - t0;

    // a minute later, prices moved: the steady state that runs every ALERT_INTERVAL_SECONDS
    await exec(database, `UPDATE ucie_tokens SET current_price_usd = current_price_usd * (0.97 + (market_cap_rank % 7) / 100.0)`);
    clock.advance(60_000);
    t0 = performance.now();
    const tick = await evaluateAlerts(services);
    const evaluateMs = performance.now() - t0;

    t0 = performance.now();
    await exec(database, `SELECT count(*) FROM ucie_alerts`);
    const countMs = performance.now() - t0;

    return {
      alerts: tick.checked,
      evaluateMs: Math.round(evaluateMs),
      countMs: Math.round(countMs * 100) / 100,
      ratio: Math.round(evaluateMs / countMs),
      firstTickMs: Math.round(firstTickMs),
      triggered: tick.triggered,
      queued: tick.queued,
      ...(note ? { note } : {}),
    };
  } finally {
    await services.events.close();
    await scratch.drop();
  }
}

await runStandalone(import.meta.url, "alerts", () => benchAlerts());
