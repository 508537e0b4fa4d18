/**
 * What this instance counts about itself: Prometheus metrics (prom-client, one registry per Services,
 * scraped at GET /metrics) and the few counts that matter across instances (analysis cache hits and
 * misses, upstream outcomes, job runs), which are also added to `metric_counters` per minute in batched
 * upserts for the admin health page. Nothing here imports tRPC or Express.
 */
import { sql } from "drizzle-orm";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Db } from "@ucie/db";
import type { Logger } from "./logger";

export type UpstreamOutcome = "ok" | "error" | "rate_limited";
export type CounterKind = "cache" | "upstream" | "job";

/** What a market client reports per upstream call (market/http.ts). */
export interface UpstreamObserver {
  upstream(source: string, outcome: UpstreamOutcome, error?: string): void;
  /** a provider's client-side call budget, read when metrics are scraped */
  budget(source: string, read: () => Promise<{ remaining: number; limit: number }>): void;
}

export interface SourceState {
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastError: string | null;
}

const MINUTE = 60_000;

export class Telemetry implements UpstreamObserver {
  readonly registry = new Registry();
  readonly httpRequests: Counter<"procedure" | "code">;
  readonly httpDuration: Histogram<"procedure">;
  readonly sseOpen: Gauge;
  readonly upstreamRequests: Counter<"source" | "outcome">;
  readonly upstreamBudget: Gauge<"source">;
  readonly cacheRequests: Counter<"type" | "result">;
  readonly alertTickDuration: Histogram;
  readonly alertsFired: Counter;
  readonly jobRuns: Counter<"job" | "outcome">;
  readonly dbPoolInUse: Gauge;
  /** last success and error per upstream source, on this instance (the counts are in the database) */
  readonly sources = new Map<string, SourceState>();
  private readonly budgets = new Map<string, () => Promise<{ remaining: number; limit: number }>>();
  /** counts not yet written: "minute|kind|subject|outcome" -> n */
  private pending = new Map<string, number>();
  private defaultMetrics = false;
  private dbPoolReader: (() => Promise<number>) | null = null;

  constructor(private readonly now: () => Date = () => new Date()) {
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: "ucie_http_requests_total",
      help: "tRPC requests by procedure and HTTP status",
      labelNames: ["procedure", "code"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "ucie_http_request_duration_seconds",
      help: "tRPC request duration by procedure",
      labelNames: ["procedure"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.sseOpen = new Gauge({ name: "ucie_sse_streams_open", help: "open server-sent event streams on this instance", registers });
    this.upstreamRequests = new Counter({
      name: "ucie_upstream_requests_total",
      help: "upstream market-data calls by source and outcome (ok, error, rate_limited)",
      labelNames: ["source", "outcome"],
      registers,
    });
    const budgets = this.budgets;
    this.upstreamBudget = new Gauge({
      name: "ucie_upstream_budget_remaining",
      help: "calls left in the current client-side budget window, per source",
      labelNames: ["source"],
      registers,
      async collect() {
        for (const [source, read] of budgets) this.set({ source }, (await read()).remaining);
      },
    });
    this.cacheRequests = new Counter({
      name: "ucie_analysis_cache_requests_total",
      help: "analysis section reads by type and result (hit, miss)",
      labelNames: ["type", "result"],
      registers,
    });
    this.alertTickDuration = new Histogram({
      name: "ucie_alert_tick_duration_seconds",
      help: "duration of one alert evaluation pass",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.alertsFired = new Counter({ name: "ucie_alerts_fired_total", help: "alert firings recorded by this instance", registers });
    this.jobRuns = new Counter({
      name: "ucie_job_runs_total",
      help: "scheduled job runs by job and outcome (ok, error)",
      labelNames: ["job", "outcome"],
      registers,
    });
    const pool = (): Promise<number> => (this.dbPoolReader ? this.dbPoolReader().catch(() => 0) : Promise.resolve(0));
    this.dbPoolInUse = new Gauge({
      name: "ucie_db_pool_in_use",
      help: "database connections of UCIE (every instance) running a query right now",
      registers,
      async collect() {
        this.set(await pool());
      },
    });
  }

  /** Process metrics (CPU, memory, event loop, GC): only when they are scraped, since they add timers. */
  enableDefaultMetrics(): void {
    if (this.defaultMetrics) return;
    this.defaultMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** How ucie_db_pool_in_use is read at scrape time. */
  trackDbPool(read: () => Promise<number>): void {
    this.dbPoolReader = read;
  }

  cache(type: string, result: "hit" | "miss"): void {
    this.cacheRequests.inc({ type, result });
    this.count("cache", type, result);
  }

  upstream(source: string, outcome: UpstreamOutcome, error?: string): void {
    this.upstreamRequests.inc({ source, outcome });
    this.count("upstream", source, outcome);
    const state = this.sources.get(source) ?? { lastSuccessAt: null, lastErrorAt: null, lastError: null };
    if (outcome === "ok") state.lastSuccessAt = this.now();
    else {
      state.lastErrorAt = this.now();
      state.lastError = error?.slice(0, 300) ?? outcome;
    }
    this.sources.set(source, state);
  }

  budget(source: string, read: () => Promise<{ remaining: number; limit: number }>): void {
    this.budgets.set(source, read);
  }

  async budgetOf(source: string): Promise<{ remaining: number; limit: number } | null> {
    const read = this.budgets.get(source);
    return read ? read() : null;
  }

  job(job: string, outcome: "ok" | "error"): void {
    this.jobRuns.inc({ job, outcome });
    this.count("job", job, outcome);
  }

  private count(kind: CounterKind, subject: string, outcome: string): void {
    const minute = Math.floor(this.now().getTime() / MINUTE) * MINUTE;
    const key = `${minute}|${kind}|${subject}|${outcome}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  /** Add the pending counts to `metric_counters`: one upsert for all of them. */
  async flush(db: Db): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch].map(([key, n]) => {
      const [minute, kind, subject, outcome] = key.split("|") as [string, string, string, string];
      return sql`(${new Date(Number(minute)).toISOString()}::timestamptz, ${kind}, ${subject}, ${outcome}, ${n})`;
    });
    try {
      await db.execute(sql`
        insert into metric_counters (minute, kind, subject, outcome, count) values ${sql.join(rows, sql`, `)}
        on conflict (minute, kind, subject, outcome) do update set count = metric_counters.count + excluded.count`);
    } catch (err) {
      // put them back: a database blip must not lose the counts
      for (const [key, n] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + n);
      throw err;
    }
  }

  /** `flush`, logging a failure instead of throwing (the counts stay pending for the next flush). */
  async flushOrWarn(db: Db, logger: Logger): Promise<void> {
    await this.flush(db).catch((err: unknown) => logger.warn({ err }, "could not write metric counters"));
  }

  /** Flush every `intervalMs` until stopped (the server starts this; the stop flushes once more). */
  startFlushing(db: Db, logger: Logger, intervalMs = 10_000): { stop(): Promise<void> } {
    const timer = setInterval(() => void this.flushOrWarn(db, logger), intervalMs);
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await this.flushOrWarn(db, logger);
      },
    };
  }
}
