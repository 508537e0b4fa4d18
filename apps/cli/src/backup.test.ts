/** `pnpm cli backup` and `pnpm cli restore` as real processes, from an embedded database to the other kind. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDb, defaultTestDbKind, type TestDatabase } from "@ucie/db/testing";
import { afterAll, describe, expect, it } from "vitest";

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(path.join(os.tmpdir(), "ucie-cli-backup-"));

/** Run `pnpm cli ...` as pnpm does (inside apps/cli, INIT_CWD where the operator typed it). */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  // the test runner's own database settings must not leak into the CLI's environment
  const { DATABASE_URL: _url, DATA_DIR: _dir, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/main.ts", ...args],
      {
        cwd: cliDir,
        timeout: 120_000,
        env: { ...inherited, LOG_LEVEL: "warn", MARKET_DATA: "offline", INIT_CWD: work, ...env },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("backup and restore commands", () => {
  let target: TestDatabase | undefined;
  afterAll(async () => {
    await target?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("back up the embedded database, restore into an empty one, refuse a second restore", async () => {
    const source = { DATA_DIR: "source-data" };
    const created = await cli(["access-codes", "create", "--count", "3"], source);
    expect(created.code, created.stderr).toBe(0);
    const codes = created.stdout.trim().split("\n");
    expect(codes).toHaveLength(3);

    const backup = await cli(["backup", "--out", "ucie.jsonl.gz"], source);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/access_codes\s+3 rows/);
    expect(statSync(path.join(work, "ucie.jsonl.gz")).size).toBeGreaterThan(0);

    // into Postgres when the tests have one, else into a second data directory
    let into: Record<string, string> = { DATA_DIR: "restored-data" };
    if (defaultTestDbKind() === "postgres") {
      target = await createTestDb("postgres");
      into = { DATABASE_URL: target.url! };
    }
    const restored = await cli(["restore", "ucie.jsonl.gz"], into);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/access_codes\s+3 rows/);
    expect(restored.stdout).toMatch(/users\s+0 rows/);

    const listed = await cli(["access-codes", "list"], into);
    // codes are stored hashed: the list shows each one's first group
    for (const code of codes) expect(listed.stdout).toContain(`\t${code.slice(0, 9)}-…\t`);

    const again = await cli(["restore", "ucie.jsonl.gz"], into);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refusing to restore: .* already holds data \(access_codes\)/);
  }, 240_000);
});
