/**
 * The Drizzle schema and the committed migrations agree: drizzle-kit generate, run against a scratch copy
 * of the migrations folder, finds nothing to write. A schema change without its migration fails here.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "./migrate";

const packageDir = path.resolve(migrationsFolder, "..");
// the package exports no bin path: find it beside its package.json
const drizzleKit = path.join(path.dirname(createRequire(import.meta.url).resolve("drizzle-kit")), "bin.cjs");
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** drizzle-kit generate into a copy of the migrations (optionally without the last ones); the files it added */
async function generate(drop = 0): Promise<{ added: string[]; output: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ucie-drift-"));
  scratch.push(dir);
  cpSync(migrationsFolder, dir, { recursive: true });
  if (drop > 0) {
    const journalFile = path.join(dir, "meta/_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { idx: number; tag: string }[] };
    for (const e of journal.entries.splice(-drop)) {
      rmSync(path.join(dir, `${e.tag}.sql`));
      rmSync(path.join(dir, `meta/${String(e.idx).padStart(4, "0")}_snapshot.json`));
    }
    writeFileSync(journalFile, JSON.stringify(journal, null, 2));
  }
  const before = new Set(readdirSync(dir));
  // drizzle-kit reads --out relative to the working directory
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      drizzleKit,
      "generate",
      "--dialect",
      "postgresql",
      "--schema",
      "./src/schema/index.ts",
      "--casing",
      "snake_case",
      "--out",
      path.relative(packageDir, dir),
    ],
    { cwd: packageDir, timeout: 60_000 },
  );
  return { added: readdirSync(dir).filter((f) => !before.has(f)), output: stdout + stderr };
}

describe("schema and migrations", () => {
  it("agree: drizzle-kit generate has nothing to write", async () => {
    const { added, output } = await generate();
    expect(output).toContain("No schema changes");
    expect(added).toEqual([]);
  });

  it("would catch drift: without the last migration, generate writes one", async () => {
    const { added } = await generate(1);
    expect(added.filter((f) => f.endsWith(".sql"))).toHaveLength(1);
  });
});
