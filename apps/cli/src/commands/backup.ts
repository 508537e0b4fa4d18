import { existsSync } from "node:fs";
import path from "node:path";
import type { Services } from "@ucie/api";
import { restoreBackup, writeBackup } from "@ucie/db";
import { flag } from "../args";

/** A path as the operator typed it: relative to where they ran `pnpm cli`, not to apps/cli. */
const fromWorkDir = (services: Services, file: string) => path.resolve(services.config.workDir, file);

export async function backupCommand(services: Services, args: string[]): Promise<number> {
  const out = flag(args, "--out");
  if (!out) {
    console.error("usage: backup --out FILE   (e.g. backup --out ucie-backup.jsonl.gz)");
    return 2;
  }
  const started = performance.now();
  const summary = await writeBackup(services.database, fromWorkDir(services, out));
  for (const [table, n] of Object.entries(summary.rows)) console.log(`${table.padEnd(28)} ${n} rows`);
  console.log(
    `backup written to ${summary.file} (${(summary.bytes / 1024).toFixed(1)} KiB, schema ${summary.migration}, ${Math.round(performance.now() - started)} ms)`,
  );
  return 0;
}

export async function restoreCommand(services: Services, args: string[]): Promise<number> {
  const [file] = args;
  if (!file || file.startsWith("--")) {
    console.error("usage: restore FILE   (into an empty database)");
    return 2;
  }
  const source = fromWorkDir(services, file);
  if (!existsSync(source)) {
    console.error(`restore: no such file ${source}`);
    return 2;
  }
  const result = await restoreBackup(services.database, source);
  if (!result.ok) {
    console.error(result.message);
    return 1;
  }
  for (const [table, n] of Object.entries(result.rows)) console.log(`${table.padEnd(28)} ${n} rows`);
  const migrated = result.migratedTo === result.migration ? "" : `, migrated to ${result.migratedTo}`;
  console.log(`restored ${source} (schema ${result.migration}${migrated})`);
  return 0;
}
