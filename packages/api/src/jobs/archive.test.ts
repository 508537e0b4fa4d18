import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { execute } from "@ucie/db";
import { sql } from "drizzle-orm";
import { loadConfig } from "@ucie/config";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../lib/clock";
import { createServices, type Services } from "../services";
import { archiveAuthLogs } from "./archive";
import { cleanup } from "./cleanup";

const COLUMNS = ["id", "user_id", "actor_id", "event_type", "ip_address", "user_agent", "success", "error_message", "timestamp"];

/** Every line of every archive file, parsed. */
function archived(dir: string): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const f of readdirSync(dir).sort()) {
    out[f] = gunzipSync(readFileSync(path.join(dir, f)))
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  return out;
}

describe.each(testDbKinds())("auth log archive on %s", (kind) => {
  let database: TestDatabase;
  let services: Services;
  let dir: string;
  let userId: string;
  const clock = new FakeClock(new Date("2026-06-01T12:00:00Z"));
  const cutoff = new Date("2026-03-03T12:00:00Z"); // 90 days before the clock

  const insertLogs = async (at: string, n: number, event = "login") =>
    database.db.execute(sql`insert into auth_logs (user_id, event_type, success, ip_address, user_agent, error_message, "timestamp")
      select ${userId}, ${event}, g % 2 = 0, '192.0.2.' || g, 'UA "quoted" ' || g, case when g % 3 = 0 then 'bad password' end,
             ${at}::timestamptz + (g || ' milliseconds')::interval
      from generate_series(1, ${n}) g`);
  const count = async (where = sql`true`) =>
    Number((await execute<{ n: number }>(database.db, sql`select count(*)::int as n from auth_logs where ${where}`)).rows[0]!.n);

  beforeAll(async () => {
    database = await createTestDb(kind);
    const [u] = (
      await execute<{ id: string }>(
        database.db,
        sql`insert into users (email, password_hash) values ('arch@example.com', 'h') returning id`,
      )
    ).rows;
    userId = u!.id;
  });
  afterAll(async () => {
    await database?.close();
  });

  const dirs: string[] = [];
  const freshDir = () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ucie-archive-"));
    dirs.push(dir);
    services = createServices(database, { clock, config: loadConfig({ ARCHIVE_DIR: dir, LOG_LEVEL: "silent" }) });
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("writes one gzip JSON-lines file per UTC month with every column, then deletes exactly those rows", async () => {
    freshDir();
    await insertLogs("2026-01-31T23:59:59.997Z", 5); // 2 in January, 3 from 00:00:00.000 UTC in February
    await insertLogs("2026-02-10T00:00:00Z", 1200);
    await insertLogs("2026-03-03T11:59:59Z", 2); // past the cutoff by a second
    await insertLogs("2026-03-04T00:00:00Z", 3, "logout"); // inside retention: stays
    const before = (
      await execute<Record<string, unknown>>(database.db, sql`select row_to_json(a) as r from auth_logs a where "timestamp" < ${cutoff}`)
    ).rows;

    const counts = await cleanup(services);
    expect(counts.authLogs).toBe(1207);

    const files = archived(dir);
    expect(Object.keys(files)).toEqual(["auth_logs-2026-01.jsonl.gz", "auth_logs-2026-02.jsonl.gz", "auth_logs-2026-03.jsonl.gz"]);
    expect(files["auth_logs-2026-01.jsonl.gz"]).toHaveLength(2);
    expect(files["auth_logs-2026-02.jsonl.gz"]).toHaveLength(1203);
    expect(files["auth_logs-2026-03.jsonl.gz"]).toHaveLength(2);
    const lines = Object.values(files).flat();
    for (const line of lines) expect(Object.keys(line).sort()).toEqual([...COLUMNS].sort());
    expect(lines.find((l) => l.error_message === "bad password")).toMatchObject({ user_id: userId, event_type: "login" });
    // every archived line is the row as it was
    const byId = new Map(before.map((b) => [(b.r as { id: string }).id, b.r]));
    for (const line of lines) expect(line).toEqual(JSON.parse(JSON.stringify(byId.get(line.id as string))));
    expect(await count()).toBe(3);
    expect(await count(sql`event_type = 'logout'`)).toBe(3);
  });

  it("keeps every log when the archive cannot be written, and still does the rest of the clean-up", async () => {
    freshDir();
    const notADir = path.join(dir, "file");
    writeFileSync(notADir, "");
    const broken = createServices(database, {
      clock,
      config: loadConfig({ ARCHIVE_DIR: path.join(notADir, "archive"), LOG_LEVEL: "silent" }),
    });
    await insertLogs("2026-01-05T00:00:00Z", 5);
    await database.db.execute(sql`insert into sessions (user_id, token_hash, created_at, expires_at)
      values (${userId}, 'archive-expired', '2026-05-01T00:00:00Z', '2026-05-02T00:00:00Z')`);
    await expect(cleanup(broken)).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(await count(sql`"timestamp" < ${cutoff}`)).toBe(5);
    const [s] = (
      await execute<{ n: number }>(database.db, sql`select count(*)::int as n from sessions where token_hash = 'archive-expired'`)
    ).rows;
    expect(s!.n).toBe(0);
    await cleanup(services);
    expect(await count(sql`"timestamp" < ${cutoff}`)).toBe(0);
  });

  it("loses and repeats nothing when it crashes between writing the file and deleting the rows", async () => {
    freshDir();
    await insertLogs("2026-01-05T00:00:00Z", 1500);
    let crashes = 0;
    await expect(
      archiveAuthLogs(services, cutoff, {
        afterWrite: () => {
          crashes++;
          throw new Error("killed after fsync");
        },
      }),
    ).rejects.toThrow("killed after fsync");
    expect(crashes).toBe(1);
    // the file is durable and complete, and every row is still in the table
    expect(archived(dir)["auth_logs-2026-01.jsonl.gz"]).toHaveLength(1500);
    expect(await count(sql`"timestamp" < ${cutoff}`)).toBe(1500);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);

    // more old rows of the same month arrive before the rerun (a restored backup, a clock that was wrong)
    await insertLogs("2026-01-20T00:00:00Z", 10, "failed_login");
    const result = await archiveAuthLogs(services, cutoff);
    expect(result).toMatchObject({ archived: 10, deleted: 1510 });

    const lines = archived(dir)["auth_logs-2026-01.jsonl.gz"]!;
    const ids = lines.map((l) => l.id as string);
    expect(ids).toHaveLength(1510);
    expect(new Set(ids).size).toBe(1510);
    expect(lines.filter((l) => l.event_type === "failed_login")).toHaveLength(10);
    expect(await count(sql`"timestamp" < ${cutoff}`)).toBe(0);

    // a run with nothing past retention touches nothing
    expect(await archiveAuthLogs(services, cutoff)).toEqual({ archived: 0, deleted: 0, files: [] });
    expect(existsSync(path.join(dir, "auth_logs-2026-01.jsonl.gz"))).toBe(true);
  });
});
