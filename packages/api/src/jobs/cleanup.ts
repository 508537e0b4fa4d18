/**
 * Retention: expired sessions, cache rows, phase data, reset tokens, pending two-factor logins and throttle
 * windows, auth logs past 90 days (archived to ARCHIVE_DIR first, see archive.ts), old job records. Deletes run
 * in small batches, each its own short statement, so a large backlog never holds locks that a login would wait on.
 */
import { sql, type SQL } from "drizzle-orm";
import { execute } from "@ucie/db";
import type { Services } from "../services";
import { archiveAuthLogs, type ArchiveOptions } from "./archive";

export const AUTH_LOG_RETENTION_DAYS = 90;
const BATCH = 1000;

export interface CleanupCounts {
  sessions: number;
  analysisCache: number;
  phaseData: number;
  authLogs: number;
  passwordResetTokens: number;
  twoFactorChallenges: number;
  throttle: number;
  jobRuns: number;
  /** sent or given-up notification deliveries past 30 days */
  deliveries: number;
}

async function deleteInBatches(services: Services, table: string, key: string, where: SQL): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount: n } = await execute(
      services.db,
      sql`
      delete from ${sql.identifier(table)} where ${sql.identifier(key)} in (
        select ${sql.identifier(key)} from ${sql.identifier(table)} where ${where} limit ${BATCH}
      )`,
    );
    total += n;
    if (n < BATCH) return total;
    await new Promise((r) => setImmediate(r));
  }
}

export async function cleanup(services: Services, archive: ArchiveOptions = {}): Promise<CleanupCounts> {
  const now = services.clock.now();
  const authCutoff = new Date(now.getTime() - AUTH_LOG_RETENTION_DAYS * 86_400_000);
  const day = 86_400_000;
  const counts = {
    sessions: await deleteInBatches(services, "sessions", "id", sql`expires_at <= ${now}`),
    analysisCache: await deleteInBatches(services, "ucie_analysis_cache", "id", sql`expires_at <= ${now}`),
    phaseData: await deleteInBatches(services, "ucie_phase_data", "id", sql`expires_at <= ${now}`),
    passwordResetTokens: await deleteInBatches(
      services,
      "password_reset_tokens",
      "id",
      sql`expires_at <= ${new Date(now.getTime() - day)}`,
    ),
    // pending two-factor logins last 5 minutes; an abandoned one is only a row to forget
    twoFactorChallenges: await deleteInBatches(services, "two_factor_challenges", "id", sql`expires_at <= ${now}`),
    throttle: await deleteInBatches(
      services,
      "auth_throttle",
      "key",
      sql`window_start < ${new Date(now.getTime() - day)} and (blocked_until is null or blocked_until < ${now})`,
    ),
    jobRuns: await deleteInBatches(services, "job_runs", "id", sql`started_at < ${new Date(now.getTime() - 30 * day)}`),
    deliveries: await deleteInBatches(
      services,
      "notification_deliveries",
      "id",
      sql`status in ('delivered', 'failed') and created_at < ${new Date(now.getTime() - 30 * day)}`,
    ),
  };
  // last: an archive that cannot be written (full disk, no permission) keeps the logs and fails the run, after the rest is done
  return { ...counts, authLogs: (await archiveAuthLogs(services, authCutoff, archive)).deleted };
}
