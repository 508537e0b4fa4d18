import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { DataDirInUseError } from "./data-dir-lock";
import { NotificationTap, openDatabase } from "./embedded";
import { execute } from "./execute";
import { migrate } from "./migrate";

const server = { role: "server", command: "ucie server" } as const;
const cli = { role: "cli", command: "ucie cli test" } as const;

describe("embedded database served on a local socket", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ucie-embedded-"));
  const config = { DATA_DIR: dataDir, DB_POOL_MAX: 10 };
  let served: Database;

  beforeAll(async () => {
    served = await openDatabase(config, server);
    await served.db.execute(sql`create table embedded_test (v text)`);
  }, 60_000);
  afterAll(async () => {
    await served?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is reachable at the URL it gives, only by its owner (a Unix socket in the data directory)", async () => {
    expect(served.url).toBe(`postgresql://postgres@/postgres?host=${dataDir}`);
    expect(served.kind).toBe("pglite");
    expect(readdirSync(dataDir)).toContain(".s.PGSQL.5432");
    expect(statSync(dataDir).mode & 0o077).toBe(0);
    expect(statSync(path.join(dataDir, ".s.PGSQL.5432")).mode & 0o777).toBe(0o600);
    const [row] = (await execute<{ n: number }>(served.db, sql`select count(*)::int as n from users`)).rows;
    expect(row!.n).toBe(0);
  });

  it("a CLI gets the live database: each sees the other's writes at once", async () => {
    const client = await openDatabase(config, cli);
    try {
      expect(client.url).toBe(served.url);
      await client.db.execute(sql`insert into embedded_test (v) values ('from-the-cli')`);
      const seen = (await execute<{ code: string }>(served.db, sql`select v as code from embedded_test`)).rows;
      expect(seen.map((r) => r.code)).toContain("from-the-cli");
    } finally {
      await client.close();
    }
  });

  it("keeps clients apart: hundreds of concurrent statements from two pools get their own results", async () => {
    const client = await openDatabase(config, cli);
    if (client.raw.kind !== "postgres" || served.raw.kind !== "postgres") throw new Error("expected postgres.js");
    const pools = [served.raw.sql, client.raw.sql];
    try {
      const wrong: number[] = [];
      await Promise.all(
        Array.from({ length: 400 }, async (_, i) => {
          const pool = pools[i % 2]!;
          if (i % 9 === 0) {
            // failing statements in the middle of others' sequences
            await expect(pool.unsafe("select 1 / ($1::int - $1::int)", [i])).rejects.toThrow(/division by zero/);
            return;
          }
          // unnamed statements (prepare: false), as drizzle's execute sends them
          const rows = await pool.unsafe("select $1::int as n, $2::text as s, $3::int + 0 as m", [i, `s${i}`, i]);
          if (rows[0]?.n !== i || rows[0]?.s !== `s${i}` || rows[0]?.m !== i) wrong.push(i);
        }),
      );
      expect(wrong).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("a client's transaction is its own: another client's writes neither join it nor are rolled back with it", async () => {
    const client = await openDatabase(config, cli);
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let inside!: () => void;
      const started = new Promise<void>((r) => (inside = r));
      const tx = client.db
        .transaction(async (t) => {
          await t.execute(sql`insert into embedded_test (v) values ('rolled-back')`);
          inside();
          await held;
          throw new Error("roll back");
        })
        .catch(() => {});
      await started;
      // the server's own write waits for the client's transaction, then commits on its own
      const write = served.db.execute(sql`insert into embedded_test (v) values ('kept')`);
      release();
      await Promise.all([tx, write]);
      const codes = (await execute<{ code: string }>(served.db, sql`select v as code from embedded_test`)).rows.map((r) => r.code);
      expect(codes).toContain("kept");
      expect(codes).not.toContain("rolled-back");
    } finally {
      await client.close();
    }
  });

  it("delivers NOTIFY from any client to the server's listeners", async () => {
    const got: string[] = [];
    const stop = await served.listen("ucie_test_channel", (p) => got.push(p));
    const client = await openDatabase(config, cli);
    try {
      await client.notify("ucie_test_channel", "from the cli");
      await served.notify("ucie_test_channel", "from the server");
      await expect.poll(() => got.sort()).toEqual(["from the cli", "from the server"]);
      await expect(client.listen("ucie_test_channel", () => {})).rejects.toThrow(/only the server/);
    } finally {
      await client.close();
      await stop();
    }
  });

  it("refuses a second server on the data directory, naming it and the holder's pid", async () => {
    const err = await openDatabase(config, server).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirInUseError);
    expect((err as Error).message).toBe(
      `The data directory ${dataDir} is in use by process ${process.pid} (ucie server): stop it first, or set DATA_DIR to another directory.`,
    );
    // the first one still serves
    expect(await served.ping()).toBe(true);
  });
});

describe("the CLI with no server running", () => {
  it("opens the data directory itself, holding it until done; a server started meanwhile waits, then sees its writes", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "ucie-embedded-"));
    const config = { DATA_DIR: dataDir, DB_POOL_MAX: 10 };
    try {
      const own = await openDatabase(config, cli);
      expect(own.url).toBeUndefined();
      expect(own.raw.kind).toBe("pglite");
      await migrate(own);
      await own.db.execute(sql`create table embedded_test (v text)`);
      await own.db.execute(sql`insert into embedded_test (v) values ('offline')`);
      // a server started meanwhile waits for the CLI to be done, then opens the files with the CLI's writes in them
      const serving = openDatabase(config, server);
      await own.close();
      const served = await serving;
      try {
        const codes = (await execute<{ code: string }>(served.db, sql`select v as code from embedded_test`)).rows;
        expect(codes.map((r) => r.code)).toEqual(["offline"]);
      } finally {
        await served.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("a data directory whose path is too long for a Unix socket", () => {
  it("is served on 127.0.0.1 on a free port instead, and the CLI finds it there", async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), "ucie-embedded-"));
    const dataDir = path.join(base, "a-data-directory-with-a-long-name-".repeat(3));
    const config = { DATA_DIR: dataDir, DB_POOL_MAX: 4 };
    const served = await openDatabase(config, server);
    try {
      expect(served.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const client = await openDatabase(config, cli);
      try {
        expect(client.url).toBe(served.url);
        expect(await client.ping()).toBe(true);
      } finally {
        await client.close();
      }
    } finally {
      await served.close();
      rmSync(base, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("NotificationTap", () => {
  const backend = (type: string, body: Buffer) => {
    const head = Buffer.alloc(5);
    head.write(type, 0);
    head.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  };
  const notification = (channel: string, payload: string) =>
    backend("A", Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from(`${channel}\0${payload}\0`)]));

  it("finds notifications among other messages however the stream is cut", () => {
    const stream = Buffer.concat([
      backend("C", Buffer.from("SELECT 1\0")),
      notification("alerts", '{"t":[["u",1]]}'),
      backend("Z", Buffer.from("I")),
      notification("sessions", "x".repeat(5000)),
      backend("Z", Buffer.from("I")),
    ]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const got: [string, string][] = [];
      const tap = new NotificationTap((c, p) => got.push([c, p]));
      for (let i = 0; i < stream.length; i += size) tap.feed(stream.subarray(i, i + size));
      expect(got).toEqual([
        ["alerts", '{"t":[["u",1]]}'],
        ["sessions", "x".repeat(5000)],
      ]);
    }
  });
});
