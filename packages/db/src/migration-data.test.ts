/**
 * Data migrations that hand-written SQL performs (not just DDL): applied to a database holding the
 * older shape, they must carry its rows over.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "./migrate";

/** A copy of the migrations folder whose journal stops before `tag`. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ucie-migrations-"));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Array<{ tag: string }> };
  journal.entries = journal.entries.slice(
    0,
    journal.entries.findIndex((e) => e.tag === tag),
  );
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

describe("migration 0003/0004: access codes stored hashed", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("replaces each plaintext code by its SHA-256, keeps its prefix and redemption, and drops the plaintext", async () => {
    const pg = await PGlite.create({ extensions: { pg_trgm } });
    try {
      const old = migrationsBefore("0003_access_codes_hashed_2fa_disabled");
      dirs.push(old);
      await migratePglite(drizzle(pg), { migrationsFolder: old });
      await pg.exec(`insert into access_codes (code) values ('UCIE-7KQ2-M9TX-P4WD'), ('UCIE-AAAA-BBBB-CCCC')`);

      await migratePglite(drizzle(pg), { migrationsFolder });

      const { rows } = await pg.query<{ code_hash: string; prefix: string; redeemed: boolean }>(
        `select code_hash, prefix, redeemed from access_codes order by prefix`,
      );
      const sha = (s: string) => createHash("sha256").update(s).digest("hex");
      expect(rows).toEqual([
        { code_hash: sha("UCIE-7KQ2-M9TX-P4WD"), prefix: "UCIE-7KQ2", redeemed: false },
        { code_hash: sha("UCIE-AAAA-BBBB-CCCC"), prefix: "UCIE-AAAA", redeemed: false },
      ]);
      const cols = await pg.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_name = 'access_codes'`,
      );
      expect(cols.rows.map((r) => r.column_name)).not.toContain("code");
    } finally {
      await pg.close();
    }
  }, 60_000);
});
