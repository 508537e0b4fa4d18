import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restoreBackup, writeBackup, type BackupHeader } from "./backup";
import { createDb } from "./client";
import { execute } from "./execute";
import { appliedMigration, migrate, migrationJournal } from "./migrate";
import { createTestDb, prepareTestDbs, testDbKinds, type TestDbKind, type TestDatabase } from "./testing";

const dir = mkdtempSync(path.join(os.tmpdir(), "ucie-backup-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// PGlite's initdb and migrations belong to set-up, not to the first test's time
beforeAll(prepareTestDbs);

/** Source and target kinds: across databases when Postgres is there, PGlite to PGlite otherwise. */
const pairs: [TestDbKind, TestDbKind][] = testDbKinds().includes("postgres")
  ? [
      ["pglite", "postgres"],
      ["postgres", "pglite"],
    ]
  : [["pglite", "pglite"]];

const q = async <T = Record<string, unknown>>(d: TestDatabase, query: string): Promise<T[]> =>
  (await execute<T>(d.db, sql.raw(query))).rows;

describe.each(pairs)("backup on %s, restored into %s", (from, to) => {
  it("restores every row with its own timestamps, jsonb and ids, and moves sequences past them", async () => {
    const source = await createTestDb(from);
    const target = await createTestDb(to);
    try {
      const [u] = await q<{ id: string }>(
        source,
        `insert into users (email, password_hash, email_verified) values ('a@example.com', '$argon2id$x', true) returning id`,
      );
      await q(source, `update users set created_at = '2025-01-02T03:04:05.123456Z', updated_at = '2025-02-03T04:05:06.654321Z'`);
      const [alert] = await q<{ id: string }>(
        source,
        `insert into ucie_alerts (user_id, symbol, coin_id, alert_type, threshold_value, condition_details, updated_at)
         values ('${u!.id}', 'BTC', 'bitcoin', 'price_cross', 0.1, '{"direction":"up","nested":{"x":[1,2.5,null]}}', '2025-03-01T00:00:00Z') returning id`,
      );
      for (let i = 0; i < 3; i++) {
        await q(
          source,
          `insert into ucie_alert_triggers (alert_id, user_id, symbol, coin_id, alert_type, value, tick_key, details)
           values ('${alert!.id}', '${u!.id}', 'BTC', 'bitcoin', 'price_cross', ${1e-7 * (i + 1)}, 't${i}', '{"price": 123.456}')`,
        );
      }
      // a deleted trigger: its seq must never be handed out again after a restore
      await q(source, `delete from ucie_alert_triggers where tick_key = 't2'`);
      await q(
        source,
        `insert into ucie_analysis_cache (symbol, coin_id, analysis_type, data, data_quality_score, expires_at) values ('BTC', 'bitcoin', 'market', '{}', 50, now())`,
      );

      const file = path.join(dir, `roundtrip-${from}-${to}.jsonl.gz`);
      const summary = await writeBackup(source, file);
      expect(summary.rows).toMatchObject({ users: 1, ucie_alerts: 1, ucie_alert_triggers: 2 });
      expect(summary.rows).not.toHaveProperty("ucie_analysis_cache");

      const result = await restoreBackup(target, file);
      expect(result).toMatchObject({ ok: true, rows: { users: 1, ucie_alerts: 1, ucie_alert_triggers: 2 } });

      const snapshot = async (d: TestDatabase) => ({
        users: await q(
          d,
          `select id, email, password_hash, (extract(epoch from created_at) * 1e6)::bigint::text as c, (extract(epoch from updated_at) * 1e6)::bigint::text as u from users`,
        ),
        alerts: await q(d, `select id, condition_details, threshold_value, updated_at = '2025-03-01T00:00:00Z' as kept from ucie_alerts`),
        triggers: await q(d, `select seq::int, tick_key, value, details from ucie_alert_triggers order by seq`),
      });
      expect(await snapshot(target)).toEqual(await snapshot(source));
      expect((await snapshot(target)).alerts[0]).toMatchObject({ kept: true });
      expect(await q(target, `select count(*)::int as n from ucie_analysis_cache`)).toEqual([{ n: 0 }]);
      const [next] = await q<{ seq: number }>(
        target,
        `insert into ucie_alert_triggers (alert_id, user_id, symbol, coin_id, alert_type, tick_key) values ('${alert!.id}', '${u!.id}', 'BTC', 'bitcoin', 'price_cross', 'after') returning seq::int`,
      );
      expect(next!.seq).toBe(4);
    } finally {
      await source.close();
      await target.close();
    }
  });

  it("takes one snapshot while 20 writers commit: every writer's rows and counter agree", async () => {
    const source = await createTestDb(from, { poolMax: 24 });
    const target = await createTestDb(to);
    try {
      const [u] = await q<{ id: string }>(source, `insert into users (email, password_hash) values ('w@example.com', 'h') returning id`);
      let stop = false;
      let committed = 0;
      const writer = async (w: number) => {
        for (let n = 0; !stop; n++) {
          await source.db.transaction(async (tx) => {
            await tx.execute(sql`insert into ucie_watchlist (user_id, symbol, coin_id) values (${u!.id}, 'W', ${`w${w}-${n}`})`);
            await tx.execute(
              sql`insert into ucie_alerts (user_id, symbol, coin_id, alert_type) values (${u!.id}, 'W', ${`w${w}-${n}`}, 'sentiment_change')`,
            );
            await tx.execute(sql`insert into ucie_alert_coin_samples (coin_id, price_usd) values (${`writer-${w}`}, 1)
              on conflict (coin_id) do update set price_usd = ucie_alert_coin_samples.price_usd + 1`);
          });
          committed++;
          // a real client waits on its network between transactions; in-process PGlite would otherwise spin in microtasks
          await new Promise((r) => setImmediate(r));
        }
      };
      const writers = Array.from({ length: 20 }, (_, w) => writer(w));
      while (committed < 40) await new Promise((r) => setTimeout(r, 5));
      const file = path.join(dir, `concurrent-${from}-${to}.jsonl.gz`);
      await writeBackup(source, file);
      const atBackup = committed;
      while (committed < atBackup + 40) await new Promise((r) => setTimeout(r, 5));
      stop = true;
      await Promise.all(writers);

      expect(await restoreBackup(target, file)).toMatchObject({ ok: true });
      const perWriter = await q<{ w: string; watch: number; alerts: number; counter: number | null }>(
        target,
        `select w.w, count(*)::int as watch,
           (select count(*)::int from ucie_alerts a where split_part(a.coin_id, '-', 1) = w.w) as alerts,
           (select price_usd::int from ucie_alert_coin_samples s where s.coin_id = 'writer-' || substr(w.w, 2)) as counter
         from (select split_part(coin_id, '-', 1) as w from ucie_watchlist) w group by w.w`,
      );
      const restored = perWriter.reduce((s, r) => s + r.watch, 0);
      expect(restored).toBeGreaterThan(0);
      // writers kept committing after the backup: the restored state is the earlier snapshot, whole
      const [total] = await q<{ n: number }>(source, `select count(*)::int as n from ucie_watchlist`);
      expect(restored).toBeLessThan(total!.n);
      for (const r of perWriter)
        expect({ w: r.w, alerts: r.alerts, counter: r.counter }).toEqual({ w: r.w, alerts: r.watch, counter: r.watch });
    } finally {
      await source.close();
      await target.close();
    }
  });
});

describe.each(testDbKinds())("restore into %s", (kind) => {
  it("refuses a database that holds data, says how to start from an empty one, and writes nothing", async () => {
    const source = await createTestDb(kind);
    const target = await createTestDb(kind);
    try {
      await q(source, `insert into users (email, password_hash) values ('a@example.com', 'h')`);
      const file = path.join(dir, `nonempty-${kind}.jsonl.gz`);
      await writeBackup(source, file);
      await q(target, `insert into access_codes (code_hash, prefix) values ('keep-hash', 'UCIE-KEEP')`);
      const result = await restoreBackup(target, file);
      expect(result).toMatchObject({ ok: false, reason: "not_empty" });
      expect(!result.ok && result.message).toMatch(/already holds data \(access_codes\)/);
      expect(!result.ok && result.message).toMatch(kind === "pglite" ? /DATA_DIR=/ : /createdb/);
      expect(await q(target, `select count(*)::int as n from users`)).toEqual([{ n: 0 }]);
    } finally {
      await source.close();
      await target.close();
    }
  });

  it("refuses a truncated backup and leaves the database empty", async () => {
    const source = await createTestDb(kind);
    const target = await createTestDb(kind);
    try {
      await q(source, `insert into users (email, password_hash) select 'u' || i || '@example.com', 'h' from generate_series(1, 50) i`);
      const file = path.join(dir, `truncated-${kind}.jsonl.gz`);
      await writeBackup(source, file);
      const text = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
      // drop the end marker and the last rows, as a copy cut short would
      writeFileSync(file, gzipSync(text.slice(0, -5).join("\n")));
      expect(await restoreBackup(target, file)).toMatchObject({ ok: false, reason: "truncated" });
      writeFileSync(file, readFileSync(file).subarray(0, 40));
      expect(await restoreBackup(target, file)).toMatchObject({ ok: false });
      expect(await q(target, `select count(*)::int as n from users`)).toEqual([{ n: 0 }]);
    } finally {
      await source.close();
      await target.close();
    }
  });

  it("restores a backup of an older schema into that schema, then migrates it to the latest", async () => {
    const journal = migrationJournal();
    const older = journal.at(-2)!;
    const source = await createDb();
    const target = await createTestDb(kind);
    try {
      await migrate(source, { upTo: older.tag });
      expect((await appliedMigration(source))?.tag).toBe(older.tag);
      await source.db.execute(sql`insert into users (email, password_hash) values ('old@example.com', 'h')`);
      const file = path.join(dir, `older-${kind}.jsonl.gz`);
      await writeBackup(source, file);
      const header = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8").split("\n")[0]!) as BackupHeader;
      expect(header.migration.tag).toBe(older.tag);

      expect(await restoreBackup(target, file)).toMatchObject({
        ok: true,
        migration: older.tag,
        migratedTo: journal.at(-1)!.tag,
        rows: { users: 1 },
      });
      expect((await appliedMigration(target))?.tag).toBe(journal.at(-1)!.tag);
      expect(await q(target, `select email from users`)).toEqual([{ email: "old@example.com" }]);
      // the later migrations ran: the updated_at trigger works again after the restore
      await q(target, `update users set email_verified = true`);
      const [row] = await q<{ fresh: boolean }>(target, `select updated_at > now() - interval '1 minute' as fresh from users`);
      expect(row!.fresh).toBe(true);
    } finally {
      await source.close();
      await target.close();
    }
  });
});
