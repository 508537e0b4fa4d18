import { bigint, index, primaryKey, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

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

/**
 * Per-minute counters shared by every instance (cache hits and misses, upstream outcomes, job runs), for
 * the admin health page. Each instance adds its in-memory counts in one batched upsert every few
 * seconds, so a busy server writes a handful of rows a minute, never a row per request.
 */
export const metricCounters = pgTable(
  "metric_counters",
  {
    minute: timestamp({ withTimezone: true }).notNull(),
    /** "cache", "upstream", "job" */
    kind: text().notNull(),
    /** the analysis type, the source, or the job name */
    subject: text().notNull(),
    /** "hit" | "miss", "ok" | "error" | "rate_limited", "ok" | "error" */
    outcome: text().notNull(),
    count: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.minute, t.kind, t.subject, t.outcome] }), index("metric_counters_minute_idx").on(t.minute)],
);
