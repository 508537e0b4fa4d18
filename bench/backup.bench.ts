/**
 * Backup and restore at scale: 100,000 auth-log rows and 10,000 alerts (1,000 users, 250 coins), backed up
 * with `writeBackup` (what `pnpm cli backup` runs) and restored into a second, empty database with
 * `restoreBackup`. Reports both times and the file size. Postgres from BENCH_DATABASE_URL, else PGlite.
 *
 * Run alone: `node --import tsx bench/backup.bench.ts` (writes bench/results/backup.json).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate, restoreBackup, writeBackup, type Database } from "@ucie/db";
import { runStandalone, scratchDatabase } from "./lib";

export interface BackupBenchResult {
  database: string;
  authLogs: number;
  alerts: number;
  backupMs: number;
  restoreMs: number;
  fileMb: number;
}

const AUTH_LOGS = 100_000;
const ALERTS = 10_000;

async function exec(database: Database, text: string): Promise<void> {
  if (database.raw.kind === "postgres") await database.raw.sql.unsafe(text);
  else await database.raw.client.exec(text);
}

async function seed(database: Database): Promise<void> {
  await exec(
    database,
    `INSERT INTO users (email, password_hash, email_verified)
    SELECT 'bench' || i || '@example.test', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g', true
    FROM generate_series(1, 1000) AS i`,
  );
  await exec(
    database,
    `WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users)
    INSERT INTO auth_logs (user_id, event_type, ip_address, user_agent, success, error_message, "timestamp")
    SELECT u.id, CASE WHEN i % 10 = 0 THEN 'failed_login' ELSE 'login' END, '198.51.100.' || (i % 250),
           'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
           i % 10 <> 0, CASE WHEN i % 10 = 0 THEN 'wrong password' END, now() - (i || ' minutes')::interval
    FROM generate_series(1, ${AUTH_LOGS}) AS i JOIN u ON u.n = 1 + i % 1000`,
  );
  await exec(
    database,
    `WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users)
    INSERT INTO ucie_alerts (user_id, symbol, coin_id, alert_type, threshold_value, condition_details, repeat_mode)
    SELECT u.id, 'C' || (i % 250), 'coin-' || (i % 250), 'price_cross', 100 + i, '{"direction":"any"}'::jsonb, 'repeat'
    FROM generate_series(1, ${ALERTS}) AS i JOIN u ON u.n = 1 + i % 1000`,
  );
}

export async function benchBackup(serverUrl?: string): Promise<BackupBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ucie-bench-backup-"));
  const source = await scratchDatabase(serverUrl);
  const target = await scratchDatabase(serverUrl);
  try {
    await migrate(source.database);
    await migrate(target.database);
    await seed(source.database);
    const file = path.join(dir, "bench.jsonl.gz");
    let t = performance.now();
    const summary = await writeBackup(source.database, file);
    const backupMs = Math.round(performance.now() - t);
    t = performance.now();
    const restored = await restoreBackup(target.database, file);
    const restoreMs = Math.round(performance.now() - t);
    if (!restored.ok || restored.rows.auth_logs !== AUTH_LOGS || restored.rows.ucie_alerts !== ALERTS) {
      throw new Error(`restore did not bring every row back: ${JSON.stringify(restored)}`);
    }
    return {
      database: serverUrl ? "Postgres" : "PGlite",
      authLogs: AUTH_LOGS,
      alerts: ALERTS,
      backupMs,
      restoreMs,
      fileMb: Math.round((summary.bytes / 2 ** 20) * 10) / 10,
    };
  } finally {
    await source.drop();
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await runStandalone(import.meta.url, "backup", () => benchBackup(process.env.BENCH_DATABASE_URL));
