/**
 * Keyset pagination for the admin lists: the cursor is the (timestamp, id) of the last row shown, so a
 * page is one index range scan however deep, and rows added meanwhile neither repeat nor vanish.
 */
import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

export interface Cursor {
  at: Date;
  id: string;
}

export interface Page<T> {
  items: T[];
  /** pass back as `cursor` for the next page; null on the last page */
  nextCursor: string | null;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.at.toISOString()}|${c.id}`).toString("base64url");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor, or null when it is not one this server made. */
export function decodeCursor(text: string): Cursor | null {
  const [iso, id, ...rest] = Buffer.from(text, "base64url").toString("utf8").split("|");
  if (rest.length || !iso || !id || !UUID.test(id)) return null;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? null : { at, id };
}

/** Rows after the cursor in (time desc, id desc) order. */
export function afterCursor(cursor: Cursor | undefined, time: PgColumn, id: PgColumn): SQL | undefined {
  if (!cursor) return undefined;
  return or(lt(time, cursor.at), and(eq(time, cursor.at), lt(id, cursor.id)));
}

/** Cut one extra fetched row into the next cursor. */
export function toPage<T>(rows: T[], limit: number, key: (row: T) => Cursor): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}
