import { sql } from "drizzle-orm";
import { execute } from "./execute";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, testDbKinds, type TestDatabase } from "./testing";

/** Run raw SQL; resolves to the Postgres error code (e.g. 23505) or null when it succeeded. */
async function pgError(database: TestDatabase, query: string): Promise<string | null> {
  try {
    await database.db.execute(sql.raw(query));
    return null;
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    return e.code ?? e.cause?.code ?? "unknown";
  }
}

const UNIQUE = "23505";
const CHECK = "23514";
const NOT_NULL = "23502";
const FK = "23503";

describe.each(testDbKinds())("schema on %s", (kind) => {
  let d: TestDatabase;
  let userA: string;
  let userB: string;
  const q = async (query: string): Promise<Record<string, unknown>[]> => {
    return (await execute(d.db, sql.raw(query))).rows;
  };
  const one = async (query: string) => (await q(query))[0]!;

  beforeAll(async () => {
    d = await createTestDb(kind);
    userA = String((await one(`insert into users (email, password_hash) values ('a@example.com', 'h') returning id`)).id);
    userB = String((await one(`insert into users (email, password_hash) values ('b@example.com', 'h') returning id`)).id);
  });
  afterAll(async () => {
    await d?.close();
  });

  it("has the nine seed tables and at least 35 indexes", async () => {
    const tables = (await q(`select table_name from information_schema.tables where table_schema = 'public'`)).map((r) => r.table_name);
    for (const t of [
      "users",
      "sessions",
      "access_codes",
      "auth_logs",
      "ucie_tokens",
      "ucie_analysis_cache",
      "ucie_phase_data",
      "ucie_watchlist",
      "ucie_alerts",
    ]) {
      expect(tables).toContain(t);
    }
    const idx = await one(`select count(*)::int as n from pg_indexes where schemaname = 'public' and indexname not like '%_pkey'`);
    expect(Number(idx.n)).toBeGreaterThanOrEqual(35);
  });

  it("keeps the seed's column names", async () => {
    const cols = async (t: string) =>
      (await q(`select column_name from information_schema.columns where table_name = '${t}'`)).map((r) => r.column_name);
    expect(await cols("ucie_tokens")).toEqual(
      expect.arrayContaining([
        "id",
        "coingecko_id",
        "symbol",
        "name",
        "market_cap_rank",
        "image_url",
        "current_price_usd",
        "market_cap_usd",
        "total_volume_usd",
        "price_change_24h",
        "is_active",
        "last_updated",
        "created_at",
      ]),
    );
    expect(await cols("ucie_alerts")).toEqual(
      expect.arrayContaining([
        "id",
        "user_id",
        "symbol",
        "alert_type",
        "threshold_value",
        "condition_details",
        "triggered",
        "triggered_at",
        "trigger_count",
        "last_checked_at",
        "created_at",
        "expires_at",
        "enabled",
      ]),
    );
    expect(await cols("auth_logs")).toEqual(
      expect.arrayContaining(["id", "user_id", "event_type", "ip_address", "user_agent", "success", "error_message", "timestamp"]),
    );
    expect(await cols("users")).toEqual(
      expect.arrayContaining(["id", "email", "password_hash", "email_verified", "verification_token", "created_at", "updated_at"]),
    );
  });

  describe("users", () => {
    it("refuses a duplicate e-mail", async () => {
      expect(await pgError(d, `insert into users (email, password_hash) values ('a@example.com', 'h')`)).toBe(UNIQUE);
    });
    it.each(["A@example.com", " a2@example.com", "a3@example.com "])("refuses a non-normalised e-mail %j", async (email) => {
      expect(await pgError(d, `insert into users (email, password_hash) values ('${email}', 'h')`)).toBe(CHECK);
    });
    it("requires a password hash", async () => {
      expect(await pgError(d, `insert into users (email) values ('c@example.com')`)).toBe(NOT_NULL);
    });
    it("moves updated_at on every update (trigger)", async () => {
      const before = await one(`select updated_at from users where id = '${userA}'`);
      await new Promise((r) => setTimeout(r, 20));
      await d.db.execute(sql.raw(`update users set email_verified = true where id = '${userA}'`));
      const after = await one(`select updated_at from users where id = '${userA}'`);
      expect(new Date(String(after.updated_at)).getTime()).toBeGreaterThan(new Date(String(before.updated_at)).getTime());
    });
  });

  describe("sessions", () => {
    it("refuses an expiry not after creation", async () => {
      expect(
        await pgError(
          d,
          `insert into sessions (user_id, token_hash, created_at, expires_at) values ('${userA}', 'h1', now(), now() - interval '1 second')`,
        ),
      ).toBe(CHECK);
    });
    it("refuses a duplicate token hash and an unknown user", async () => {
      await d.db.execute(
        sql.raw(`insert into sessions (user_id, token_hash, expires_at) values ('${userA}', 'dup', now() + interval '1 day')`),
      );
      expect(
        await pgError(d, `insert into sessions (user_id, token_hash, expires_at) values ('${userA}', 'dup', now() + interval '1 day')`),
      ).toBe(UNIQUE);
      expect(
        await pgError(
          d,
          `insert into sessions (user_id, token_hash, expires_at) values ('00000000-0000-0000-0000-000000000000', 'x', now() + interval '1 day')`,
        ),
      ).toBe(FK);
    });
  });

  describe("access_codes", () => {
    it("keeps one row per code hash", async () => {
      await d.db.execute(sql.raw(`insert into access_codes (code_hash, prefix) values ('hash-abcd', 'UCIE-ABCD')`));
      expect(await pgError(d, `insert into access_codes (code_hash, prefix) values ('hash-abcd', 'UCIE-ABCD')`)).toBe(UNIQUE);
      expect(await pgError(d, `insert into access_codes (prefix) values ('UCIE-ABCD')`)).toBe(NOT_NULL);
    });
    it("refuses an inconsistent redemption", async () => {
      const row = (_: string) => `insert into access_codes (code_hash, prefix`;
      expect(await pgError(d, `${row("1")}, redeemed) values ('h-r1', 'UCIE-R1', true)`)).toBe(CHECK);
      expect(await pgError(d, `${row("2")}, redeemed, redeemed_by) values ('h-r2', 'UCIE-R2', false, '${userA}')`)).toBe(CHECK);
      expect(await pgError(d, `${row("3")}, redeemed, redeemed_at) values ('h-r3', 'UCIE-R3', false, now())`)).toBe(CHECK);
      expect(
        await pgError(d, `${row("4")}, redeemed, redeemed_by, redeemed_at) values ('h-r4', 'UCIE-R4', true, '${userA}', now())`),
      ).toBeNull();
    });
  });

  describe("auth_logs", () => {
    it("accepts the known event types and refuses others", async () => {
      for (const e of [
        "register",
        "login",
        "failed_login",
        "logout",
        "email_verified",
        "verification_sent",
        "password_reset_requested",
        "password_reset",
        "session_revoked",
        "rate_limited",
        "security_alert",
      ]) {
        expect(await pgError(d, `insert into auth_logs (event_type, success) values ('${e}', true)`)).toBeNull();
      }
      expect(await pgError(d, `insert into auth_logs (event_type, success) values ('hacked', true)`)).toBe(CHECK);
    });
  });

  describe("market and analysis", () => {
    it("refuses a duplicate coingecko id but allows a shared ticker", async () => {
      await d.db.execute(
        sql.raw(
          `insert into ucie_tokens (coingecko_id, symbol, name) values ('uniswap', 'UNI', 'Uniswap'), ('unicorn-token', 'UNI', 'Unicorn')`,
        ),
      );
      expect(await pgError(d, `insert into ucie_tokens (coingecko_id, symbol, name) values ('uniswap', 'UNI2', 'Again')`)).toBe(UNIQUE);
    });
    it("caches once per (coin, type) and bounds the quality score", async () => {
      const ins = (coin: string, score: number) =>
        `insert into ucie_analysis_cache (symbol, coin_id, analysis_type, data, data_quality_score, expires_at) values ('UNI', '${coin}', 'market', '{}', ${score}, now() + interval '5 minutes')`;
      expect(await pgError(d, ins("uniswap", 80))).toBeNull();
      expect(await pgError(d, ins("unicorn-token", 80))).toBeNull(); // same ticker, another coin: allowed
      expect(await pgError(d, ins("uniswap", 70))).toBe(UNIQUE);
      expect(await pgError(d, ins("bitcoin", 101))).toBe(CHECK);
      expect(await pgError(d, ins("ethereum", -1))).toBe(CHECK);
    });
    it("keeps one row per (session, coin, phase) and phases 1-4", async () => {
      const ins = (phase: number) =>
        `insert into ucie_phase_data (session_id, symbol, coin_id, phase_number, phase_data, expires_at) values ('s1', 'BTC', 'bitcoin', ${phase}, '{}', now() + interval '1 hour')`;
      expect(await pgError(d, ins(1))).toBeNull();
      expect(await pgError(d, ins(1))).toBe(UNIQUE);
      expect(await pgError(d, ins(0))).toBe(CHECK);
      expect(await pgError(d, ins(5))).toBe(CHECK);
    });
  });

  describe("watchlist and alerts", () => {
    it("keeps one watchlist row per (user, coin)", async () => {
      const ins = (coin: string) => `insert into ucie_watchlist (user_id, symbol, coin_id) values ('${userB}', 'UNI', '${coin}')`;
      expect(await pgError(d, ins("uniswap"))).toBeNull();
      expect(await pgError(d, ins("unicorn-token"))).toBeNull();
      expect(await pgError(d, ins("uniswap"))).toBe(UNIQUE);
    });
    it("requires a threshold on price alerts and a known type", async () => {
      const ins = (type: string, threshold: string) =>
        `insert into ucie_alerts (user_id, symbol, coin_id, alert_type, threshold_value) values ('${userB}', 'BTC', 'bitcoin', '${type}', ${threshold})`;
      for (const t of ["price_above", "price_below", "price_cross"]) expect(await pgError(d, ins(t, "null"))).toBe(CHECK);
      expect(await pgError(d, ins("price_above", "50000"))).toBeNull();
      expect(await pgError(d, ins("sentiment_change", "null"))).toBeNull();
      expect(await pgError(d, ins("moon", "1"))).toBe(CHECK);
    });
  });

  describe("deleting a user", () => {
    it("cascades to sessions, watchlist and alerts, and sets codes and logs to null", async () => {
      const u = String((await one(`insert into users (email, password_hash) values ('gone@example.com', 'h') returning id`)).id);
      await d.db.execute(
        sql.raw(`insert into sessions (user_id, token_hash, expires_at) values ('${u}', 'gone-hash', now() + interval '1 day')`),
      );
      await d.db.execute(sql.raw(`insert into ucie_watchlist (user_id, symbol, coin_id) values ('${u}', 'BTC', 'bitcoin')`));
      const alert = String(
        (
          await one(
            `insert into ucie_alerts (user_id, symbol, coin_id, alert_type, threshold_value) values ('${u}', 'BTC', 'bitcoin', 'price_above', 1) returning id`,
          )
        ).id,
      );
      await d.db.execute(
        sql.raw(
          `insert into ucie_alert_triggers (alert_id, user_id, symbol, coin_id, alert_type, tick_key) values ('${alert}', '${u}', 'BTC', 'bitcoin', 'price_above', 't1')`,
        ),
      );
      await d.db.execute(
        sql.raw(
          `insert into access_codes (code_hash, prefix, redeemed, redeemed_by, redeemed_at) values ('h-gone', 'UCIE-GONE', true, '${u}', now())`,
        ),
      );
      await d.db.execute(sql.raw(`insert into auth_logs (user_id, event_type, success) values ('${u}', 'login', true)`));

      await d.db.execute(sql.raw(`delete from users where id = '${u}'`));

      const count = async (t: string, where: string) => Number((await one(`select count(*)::int as n from ${t} where ${where}`)).n);
      expect(await count("sessions", `token_hash = 'gone-hash'`)).toBe(0);
      expect(await count("ucie_watchlist", `user_id = '${u}'`)).toBe(0);
      expect(await count("ucie_alerts", `user_id = '${u}'`)).toBe(0);
      expect(await count("ucie_alert_triggers", `user_id = '${u}'`)).toBe(0);
      const code = await one(`select redeemed, redeemed_by from access_codes where code_hash = 'h-gone'`);
      expect(code.redeemed).toBe(true);
      expect(code.redeemed_by).toBeNull();
      expect(await count("auth_logs", `user_id is null and event_type = 'login'`)).toBeGreaterThanOrEqual(1);
    });
  });
});
