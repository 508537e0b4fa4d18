/**
 * Raw SQL on either driver. `db.execute` answers differently per driver: postgres.js an array of rows
 * (with `count`), PGlite `{ rows, affectedRows }`. Every raw statement goes through here, so callers see
 * one shape.
 */
import type { SQL } from "drizzle-orm";
import type { DbOrTx } from "./client";

export interface ExecuteResult<T> {
  rows: T[];
  /** rows written by an insert, update or delete (else the rows returned) */
  rowCount: number;
}

export async function execute<T = Record<string, unknown>>(db: DbOrTx, query: SQL): Promise<ExecuteResult<T>> {
  const result: unknown = await db.execute(query);
  // the row shape is the statement's: T is the caller's description of its select list
  const rows = (Array.isArray(result) ? result : isRowsResult(result) ? result.rows : []) as T[];
  return { rows, rowCount: affected(result) ?? rows.length };
}

function isRowsResult(r: unknown): r is { rows: unknown[] } {
  return typeof r === "object" && r !== null && "rows" in r && Array.isArray(r.rows);
}

function affected(r: unknown): number | undefined {
  if (typeof r !== "object" || r === null) return undefined;
  if ("affectedRows" in r && typeof r.affectedRows === "number") return r.affectedRows;
  if ("count" in r && typeof r.count === "number") return r.count;
  return undefined;
}
