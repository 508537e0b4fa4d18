/**
 * Scheduled jobs as the admin sees them: their last runs from job_runs, the next tick, and "run now".
 * A manual run claims its own tick key in job_runs through the scheduler's claim, so it runs exactly
 * once even with several instances, and shows up in the run history like any other.
 */
import { randomUUID } from "node:crypto";
import { desc, eq, inArray, sql } from "drizzle-orm";
import { jobRuns } from "@ucie/db";
import { defaultJobs } from "../jobs";
import { runJobTick, type JobDefinition } from "../jobs/scheduler";
import type { Services } from "../services";
import { logAdminAction, type AdminActor } from "./audit";

export const RUNS_PER_JOB = 10;

export interface JobRunRow {
  tickKey: string;
  instanceId: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  result: unknown;
  error: string | null;
  manual: boolean;
}

export interface JobStatus {
  name: string;
  intervalMs: number;
  nextRunAt: Date;
  runs: JobRunRow[];
}

export async function listJobs(services: Services, jobs: JobDefinition[] = defaultJobs(services)): Promise<JobStatus[]> {
  const names = jobs.map((j) => j.name);
  // the last few runs of each job in one query (a window over the job's runs, newest first)
  const ranked = services.db
    .select({
      job: jobRuns.job,
      tickKey: jobRuns.tickKey,
      instanceId: jobRuns.instanceId,
      startedAt: jobRuns.startedAt,
      finishedAt: jobRuns.finishedAt,
      result: jobRuns.result,
      error: jobRuns.error,
      n: sql<number>`row_number() over (partition by ${jobRuns.job} order by ${jobRuns.startedAt} desc)`.as("n"),
    })
    .from(jobRuns)
    .where(inArray(jobRuns.job, names))
    .as("ranked");
  const rows = await services.db
    .select()
    .from(ranked)
    .where(sql`${ranked.n} <= ${RUNS_PER_JOB}`)
    .orderBy(desc(ranked.startedAt));
  const now = services.clock.now().getTime();
  return jobs.map((job) => ({
    name: job.name,
    intervalMs: job.intervalMs,
    nextRunAt: new Date((Math.floor(now / job.intervalMs) + 1) * job.intervalMs),
    runs: rows
      .filter((r) => r.job === job.name)
      .map((r) => ({
        tickKey: r.tickKey,
        instanceId: r.instanceId,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
        result: r.result,
        error: r.error,
        manual: r.tickKey.startsWith("manual-"),
      })),
  }));
}

/**
 * Start one run of `name` now. Returns once the run is claimed; the run goes on in the background
 * (a token sync may take minutes) and its outcome lands in job_runs like a scheduled one.
 */
export async function runJobNow(
  services: Services,
  actor: AdminActor,
  name: string,
  jobs: JobDefinition[] = defaultJobs(services),
): Promise<{ ok: true; tickKey: string; done: Promise<unknown> } | { ok: false; reason: "unknown" }> {
  const job = jobs.find((j) => j.name === name);
  if (!job) return { ok: false, reason: "unknown" };
  const tickKey = `manual-${randomUUID()}`;
  await logAdminAction(services.db, services, actor, "admin_job_run", { reason: name });
  const done = runJobTick(services, job, tickKey).catch((err: unknown) =>
    services.logger.error({ err, job: name }, "manual job run failed"),
  );
  // wait for the claim row, so the jobs page shows the run as soon as this answers
  for (let i = 0; i < 50; i++) {
    const [row] = await services.db.select({ id: jobRuns.id }).from(jobRuns).where(eq(jobRuns.tickKey, tickKey)).limit(1);
    if (row) break;
    await Promise.race([done, new Promise((r) => setTimeout(r, 20))]);
  }
  return { ok: true, tickKey, done };
}
