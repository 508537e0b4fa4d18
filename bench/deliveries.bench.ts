/**
 * The outbox drained: 10,000 queued webhook deliveries (real alert firings, 100 users with one webhook
 * each) sent by two delivery worker loops at once (two Services on the same database, as two instances) to a
 * local node:http receiver. Reports the time and checks that none is lost (every delivery id arrived and
 * every row is `delivered`) and none repeated (as many requests as distinct ids).
 *
 * Postgres from BENCH_DATABASE_URL, else PGlite. Run alone: `node --import tsx bench/deliveries.bench.ts`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createServices, FakeClock, startDeliveryWorker, type Services } from "@ucie/api";
import { loadConfig } from "@ucie/config";
import { createDb, migrate, type Database } from "@ucie/db";
import { runStandalone, scratchDatabase } from "./lib";

const DELIVERIES = 10_000;
const USERS = 100;

async function exec(database: Database, text: string): Promise<unknown[]> {
  if (database.raw.kind === "postgres") return [...(await database.raw.sql.unsafe(text))];
  return (await database.raw.client.query(text)).rows;
}

export async function benchDeliveries(databaseUrl = process.env.BENCH_DATABASE_URL) {
  const ids: string[] = [];
  const receiver = http.createServer((req, res) => {
    ids.push(String(req.headers["x-ucie-delivery"]));
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const scratch = await scratchDatabase(databaseUrl, { poolMax: 10 });
  const second = scratch.url ? await createDb({ url: scratch.url, poolMax: 10 }) : scratch.database;
  const clock = new FakeClock(new Date("2026-01-01T00:00:00Z"));
  const config = loadConfig({ MARKET_DATA: "offline", LOG_LEVEL: "silent", WEBHOOK_ALLOW_PRIVATE: "true" });
  const make = (database: Database): Services =>
    createServices(database, { config, clock, mailer: { send: async () => {} }, delivery: { batchSize: 50 } });
  const workers = [make(scratch.database), make(second)];
  try {
    await migrate(scratch.database);
    await exec(
      scratch.database,
      `INSERT INTO users (email, password_hash, email_verified) SELECT 'd' || i || '@example.test', 'x', true FROM generate_series(1, ${USERS}) i`,
    );
    await exec(
      scratch.database,
      `INSERT INTO notification_channels (user_id, name, url, format, secret) SELECT id, 'bench', '${url}', 'json', 'whsec_bench' FROM users`,
    );
    // 10,000 real firings (alert + trigger) and the delivery each queued
    await exec(
      scratch.database,
      `WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users),
       a AS (
         INSERT INTO ucie_alerts (user_id, symbol, coin_id, alert_type, threshold_value)
         SELECT u.id, 'BTC', 'bitcoin', 'price_above', 1000 + i FROM generate_series(1, ${DELIVERIES}) i JOIN u ON u.n = 1 + i % ${USERS}
         RETURNING id, user_id, threshold_value),
       t AS (
         INSERT INTO ucie_alert_triggers (alert_id, user_id, symbol, coin_id, alert_type, value, tick_key, details, triggered_at)
         SELECT id, user_id, 'BTC', 'bitcoin', 'price_above', threshold_value + 1, 'bench', jsonb_build_object('threshold', threshold_value), '2026-01-01T00:00:00Z'
         FROM a RETURNING seq, alert_id, user_id)
       INSERT INTO notification_deliveries (user_id, kind, channel_id, channel_key, trigger_seq, alert_id, next_attempt_at, created_at)
       SELECT t.user_id, 'webhook', c.id, c.id::text, t.seq, t.alert_id, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
       FROM t JOIN notification_channels c ON c.user_id = t.user_id`,
    );

    // the production loop: each instance's worker, 50 sends in flight, started on a full outbox
    const countDelivered = async () =>
      (
        (await exec(scratch.database, `SELECT count(*)::int AS n FROM notification_deliveries WHERE status = 'delivered'`)) as {
          n: number;
        }[]
      )[0]!.n;
    const t0 = performance.now();
    const running = await Promise.all(workers.map((w) => startDeliveryWorker(w)));
    while ((await countDelivered()) < DELIVERIES && performance.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 50));
    const drainMs = Math.round(performance.now() - t0);
    await Promise.all(running.map((r) => r.stop()));

    const [row] = (await exec(
      scratch.database,
      `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*)::int AS total FROM notification_deliveries`,
    )) as {
      delivered: number;
      total: number;
    }[];
    const distinct = new Set(ids).size;
    return {
      deliveries: row!.total,
      delivered: row!.delivered,
      received: ids.length,
      distinct,
      lost: row!.total - distinct,
      repeated: ids.length - distinct,
      drainMs,
      perSecond: Math.round((row!.total / drainMs) * 1000),
      workers: workers.length,
      ...(databaseUrl ? {} : { note: "PGlite: both workers share one in-process database" }),
    };
  } finally {
    await Promise.all(workers.map((w) => w.events.close()));
    if (second !== scratch.database) await second.close();
    await scratch.drop();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
}

await runStandalone(import.meta.url, "deliveries", () => benchDeliveries());
