/** The auth log, filtered and paginated, and as CSV (capped) for download. */
import { and, desc, eq, gte, lte, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { authLogs, users, type AuthEventType } from "@ucie/db";
import type { Services } from "../services";
import { logAdminAction, type AdminActor } from "./audit";
import { afterCursor, toPage, type Cursor, type Page } from "./cursor";
import type { AuthLogFilter } from "./schemas";

/** The most rows one CSV download carries (auth logs are kept 90 days). */
export const CSV_ROW_LIMIT = 50_000;

export interface AuthLogRow {
  id: string;
  timestamp: Date;
  eventType: AuthEventType;
  success: boolean;
  userId: string | null;
  userEmail: string | null;
  actorEmail: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  errorMessage: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function where(filter: AuthLogFilter): SQL | undefined {
  const user = filter.user?.toLowerCase();
  return and(
    user ? (UUID.test(user) ? eq(authLogs.userId, user) : eq(users.email, user)) : undefined,
    filter.eventType ? eq(authLogs.eventType, filter.eventType) : undefined,
    filter.success === undefined ? undefined : eq(authLogs.success, filter.success),
    filter.ip ? eq(authLogs.ipAddress, filter.ip) : undefined,
    filter.from ? gte(authLogs.timestamp, filter.from) : undefined,
    filter.to ? lte(authLogs.timestamp, filter.to) : undefined,
  );
}

async function query(services: Services, filter: AuthLogFilter, cursor: Cursor | undefined, limit: number): Promise<AuthLogRow[]> {
  const actors = alias(users, "actors");
  return services.db
    .select({
      id: authLogs.id,
      timestamp: authLogs.timestamp,
      eventType: authLogs.eventType,
      success: authLogs.success,
      userId: authLogs.userId,
      userEmail: users.email,
      actorEmail: actors.email,
      ipAddress: authLogs.ipAddress,
      userAgent: authLogs.userAgent,
      errorMessage: authLogs.errorMessage,
    })
    .from(authLogs)
    .leftJoin(users, eq(users.id, authLogs.userId))
    .leftJoin(actors, eq(actors.id, authLogs.actorId))
    .where(and(where(filter), afterCursor(cursor, authLogs.timestamp, authLogs.id)))
    .orderBy(desc(authLogs.timestamp), desc(authLogs.id))
    .limit(limit);
}

export async function listAuthLog(
  services: Services,
  input: AuthLogFilter & { cursor?: Cursor | undefined; limit: number },
): Promise<Page<AuthLogRow>> {
  const rows = await query(services, input, input.cursor, input.limit + 1);
  return toPage(rows, input.limit, (r) => ({ at: r.timestamp, id: r.id }));
}

/**
 * A cell a spreadsheet will not run: text starting with = + - @ (or a tab / carriage return, which some
 * read past) gets a leading apostrophe (OWASP "CSV Injection"), and every cell is quoted.
 */
export function csvCell(value: string | number | boolean | Date | null): string {
  if (value === null) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

const COLUMNS = [
  "timestamp",
  "eventType",
  "success",
  "userEmail",
  "userId",
  "actorEmail",
  "ipAddress",
  "userAgent",
  "errorMessage",
] as const;

/** The filtered log as CSV text, newest first, at most CSV_ROW_LIMIT rows; the download itself is logged. */
export async function authLogCsv(services: Services, actor: AdminActor, filter: AuthLogFilter): Promise<{ csv: string; rows: number }> {
  const rows = await query(services, filter, undefined, CSV_ROW_LIMIT);
  const lines = [COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(","))];
  await logAdminAction(services.db, services, actor, "admin_log_exported", { reason: `${rows.length} rows` });
  return { csv: `${lines.join("\r\n")}\r\n`, rows: rows.length };
}
