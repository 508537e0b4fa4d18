/**
 * Archive before delete: auth logs past retention go to `ARCHIVE_DIR/auth_logs-YYYY-MM.jsonl.gz` (one gzip
 * JSON line per row, every column, month of the row's UTC timestamp) before they leave the table.
 *
 * Exactly once across crashes: a month's file is rewritten whole (its existing lines, then the old rows
 * whose id it does not hold yet) to a temporary file, fsynced, renamed over the old one and the directory
 * fsynced; only then are the rows deleted, by id, in small batches. A crash before the rename leaves the old
 * file and every row; a crash after it leaves rows that the file already holds, which the next run skips
 * writing and deletes. Reads page by (timestamp, id) and deletes take 1000 ids at a time, yielding between
 * batches, so logins never wait on the job.
 */
import { once } from "node:events";
import { closeSync, createReadStream, createWriteStream, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { createGunzip, createGzip } from "node:zlib";
import { execute } from "@ucie/db";
import { sql } from "drizzle-orm";
import type { Services } from "../services";

const PAGE = 1000;

export interface ArchiveResult {
  archived: number;
  deleted: number;
  files: string[];
}

export interface ArchiveOptions {
  /** runs after a month's file is durable and before its rows are deleted (tests inject a crash here) */
  afterWrite?: (file: string) => Promise<void> | void;
}

const yieldToOthers = () => new Promise((r) => setImmediate(r));

function fsyncPath(p: string): void {
  const fd = openSync(p, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function archiveFileName(month: string): string {
  return `auth_logs-${month}.jsonl.gz`;
}

/** Archive, then delete, every auth log older than `cutoff`. */
export async function archiveAuthLogs(services: Services, cutoff: Date, opts: ArchiveOptions = {}): Promise<ArchiveResult> {
  const dir = services.config.archiveDir;
  const result: ArchiveResult = { archived: 0, deleted: 0, files: [] };
  for (;;) {
    const [oldest] = (
      await execute<{ month: string; start: string; end: string }>(
        services.db,
        sql`
        select to_char(m at time zone 'UTC', 'YYYY-MM') as month, m::text as start, (m + interval '1 month')::text as end
        from (select date_trunc('month', min("timestamp") at time zone 'UTC') at time zone 'UTC' as m
              from auth_logs where "timestamp" < ${cutoff}) o
        where m is not null`,
      )
    ).rows;
    if (!oldest) return result;
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, archiveFileName(oldest.month));
    const { ids, written } = await rewriteMonth(services, file, oldest.start, oldest.end, cutoff);
    await opts.afterWrite?.(file);
    result.archived += written;
    result.files.push(file);
    for (let i = 0; i < ids.length; i += PAGE) {
      const batch = ids.slice(i, i + PAGE);
      const deleted = await services.db.execute(
        sql`delete from auth_logs where id in (select value::uuid from json_array_elements_text(${JSON.stringify(batch)}::json))`,
      );
      result.deleted += Number((deleted as { affectedRows?: number }).affectedRows ?? (deleted as { count?: number }).count ?? 0);
      await yieldToOthers();
    }
    if (ids.length === 0) throw new Error(`auth logs of ${oldest.month} past retention could not be read for archiving`);
  }
}

/**
 * Rewrite the month's file with its old lines plus the rows in [start, min(end, cutoff)) it lacks.
 * Resolves to the ids of every such row (already archived or not: all may now be deleted).
 */
async function rewriteMonth(
  services: Services,
  file: string,
  start: string,
  end: string,
  cutoff: Date,
): Promise<{ ids: string[]; written: number }> {
  const tmp = `${file}.tmp`;
  const gzip = createGzip();
  const out = createWriteStream(tmp);
  gzip.pipe(out);
  const closed = once(out, "close");
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await once(gzip, "drain");
  };
  const ids: string[] = [];
  let written = 0;
  try {
    const present = new Set<string>();
    if (existsSync(file)) {
      const input = createReadStream(file).pipe(createGunzip());
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        if (!line) continue;
        present.add((JSON.parse(line) as { id: string }).id);
        await write(line);
      }
    }
    let after: { ts: string; id: string } | null = null;
    for (;;) {
      const page: { id: string; ts: string; j: string }[] = (
        await execute<{ id: string; ts: string; j: string }>(
          services.db,
          sql`
          select a.id, a."timestamp"::text as ts, row_to_json(a)::text as j from auth_logs a
          where a."timestamp" >= ${start}::timestamptz and a."timestamp" < ${end}::timestamptz and a."timestamp" < ${cutoff}
            ${after ? sql`and (a."timestamp", a.id) > (${after.ts}::timestamptz, ${after.id}::uuid)` : sql``}
          order by a."timestamp", a.id limit ${PAGE}`,
        )
      ).rows;
      const fresh = page.filter((r) => !present.has(r.id));
      for (const r of page) ids.push(r.id);
      // one write per page: zlib handles each write as its own chunk
      if (fresh.length > 0) await write(fresh.map((r) => r.j).join("\n"));
      written += fresh.length;
      if (page.length < PAGE) break;
      after = { ts: page.at(-1)!.ts, id: page.at(-1)!.id };
      await yieldToOthers();
    }
    gzip.end();
    await closed;
    fsyncPath(tmp);
    renameSync(tmp, file);
    fsyncPath(path.dirname(file));
  } catch (err) {
    gzip.destroy();
    out.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  return { ids, written };
}
