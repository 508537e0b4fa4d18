import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/**
 * One row per (job, tick): inserting it is how an instance claims a scheduled tick, so with several
 * instances on one database each tick runs once. A run that crashed keeps `finished_at` NULL.
 */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    job: text().notNull(),
    tickKey: text().notNull(),
    instanceId: text().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    result: jsonb(),
    error: text(),
  },
  (t) => [uniqueIndex("job_runs_job_tick_unique").on(t.job, t.tickKey), index("job_runs_started_idx").on(t.startedAt)],
);
