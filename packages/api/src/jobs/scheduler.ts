/**
 * The one scheduler for every periodic job. Time is cut into ticks of each job's interval; at each tick
 * every instance tries to claim the (job, tick) row in job_runs and only the one whose INSERT wins runs
 * it, so with several instances on one database each tick runs once. A claim whose run never finished
 * (the instance died) can be taken over after a lease, so a crash mid-run does not skip a daily job.
 */
import { sql } from "drizzle-orm";
import { execute } from "@ucie/db";
import type { Services } from "../services";

export interface JobDefinition {
  name: string;
  intervalMs: number;
  /** how long a claimed run may go unfinished before another instance may take it over */
  leaseMs?: number;
  /** runs every minute or so: log its routine runs at debug, not info */
  quiet?: boolean;
  run(services: Services, tick: { key: string; signal: AbortSignal }): Promise<unknown>;
}

export interface JobOutcome {
  job: string;
  tickKey: string;
  ran: boolean;
  result?: unknown;
  error?: string;
}

export function tickKeyFor(job: JobDefinition, at: Date): string {
  return String(Math.floor(at.getTime() / job.intervalMs));
}

/** Claim this tick of the job for this instance; true when we won it. */
export async function claimTick(services: Services, job: JobDefinition, tickKey: string): Promise<boolean> {
  const leaseSeconds = Math.ceil((job.leaseMs ?? Math.min(job.intervalMs, 15 * 60_000)) / 1000);
  const { rows } = await execute(
    services.db,
    sql`
    insert into job_runs (job, tick_key, instance_id)
    values (${job.name}, ${tickKey}, ${services.instanceId})
    on conflict (job, tick_key) do update
      set instance_id = excluded.instance_id, started_at = now(), error = null
      where job_runs.finished_at is null and job_runs.started_at < now() - make_interval(secs => ${leaseSeconds})
    returning id`,
  );
  return rows.length === 1;
}

/** Run one tick of a job if this instance wins the claim. */
export async function runJobTick(
  services: Services,
  job: JobDefinition,
  tickKey = tickKeyFor(job, services.clock.now()),
  signal: AbortSignal = new AbortController().signal,
): Promise<JobOutcome> {
  if (!(await claimTick(services, job, tickKey))) return { job: job.name, tickKey, ran: false };
  const log = services.logger.child({ job: job.name, tick: tickKey });
  const started = performance.now();
  try {
    const result = await job.run(services, { key: tickKey, signal });
    await services.db.execute(sql`
      update job_runs set finished_at = now(), result = ${JSON.stringify(result ?? null)}::jsonb
      where job = ${job.name} and tick_key = ${tickKey}`);
    services.telemetry.job(job.name, "ok");
    log[job.quiet ? "debug" : "info"]({ result, ms: Math.round(performance.now() - started) }, `job ${job.name} done`);
    return { job: job.name, tickKey, ran: true, result };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // finished (with an error): a failed run is not retried within its tick, the next tick tries again
    await services.db
      .execute(
        sql`update job_runs set finished_at = now(), error = ${message.slice(0, 2000)} where job = ${job.name} and tick_key = ${tickKey}`,
      )
      .catch(() => {});
    services.telemetry.job(job.name, "error");
    log.error({ err, ms: Math.round(performance.now() - started) }, `job ${job.name} failed`);
    return { job: job.name, tickKey, ran: true, error: message };
  }
}

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Start every job: one check now, then at each tick boundary (plus a small random delay so instances
 * do not stampede the database at the same millisecond).
 */
export function startScheduler(services: Services, jobs: JobDefinition[]): Scheduler {
  const controller = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();

  const schedule = (job: JobDefinition, delayMs: number) => {
    if (controller.signal.aborted) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const p = runJobTick(services, job, undefined, controller.signal)
        .catch((err: unknown) => services.logger.error({ err, job: job.name }, "job tick failed"))
        .finally(() => {
          running.delete(p);
          const now = services.clock.now().getTime();
          const next = (Math.floor(now / job.intervalMs) + 1) * job.intervalMs;
          schedule(job, next - now + Math.floor(Math.random() * 250));
        });
      running.add(p);
    }, delayMs);
    timer.unref();
    timers.add(timer);
  };

  for (const job of jobs) schedule(job, Math.floor(Math.random() * 500));

  return {
    async stop() {
      controller.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}
