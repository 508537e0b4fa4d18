/**
 * The health page: upstream sources (this instance's last success and error, every instance's counts
 * from metric_counters), analysis cache hit rate per type, database size per table, open streams.
 */
import { and, eq, gte, sql } from "drizzle-orm";
import { execute, metricCounters } from "@ucie/db";
import type { Services } from "../services";

/** The upstream sources UCIE calls (market/errors.ts UpstreamProvider). */
export const SOURCES = ["coingecko", "fear-greed", "news", "defillama", "derivatives", "mempool"] as const;

export interface SourceHealth {
  source: string;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastError: string | null;
  hour: { ok: number; errors: number; rateLimited: number };
  day: { ok: number; errors: number; rateLimited: number };
  budget: { remaining: number; limit: number } | null;
}

export interface CacheHealth {
  type: string;
  hour: { hits: number; misses: number; hitRate: number | null };
  day: { hits: number; misses: number; hitRate: number | null };
}

export interface TableSize {
  table: string;
  bytes: number;
  /** the planner's estimate; null until the table was first analysed */
  rows: number | null;
}

export interface Health {
  sources: SourceHealth[];
  cache: CacheHealth[];
  tables: TableSize[];
  openStreams: number;
  marketData: string;
  checkedAt: Date;
}

type Totals = Map<string, { hour: number; day: number }>;

async function counters(services: Services, kind: "cache" | "upstream"): Promise<Totals> {
  const now = services.clock.now().getTime();
  const hourAgo = new Date(now - 3_600_000);
  const rows = await services.db
    .select({
      subject: metricCounters.subject,
      outcome: metricCounters.outcome,
      hour: sql<string>`coalesce(sum(${metricCounters.count}) filter (where ${metricCounters.minute} >= ${hourAgo.toISOString()}::timestamptz), 0)`,
      day: sql<string>`sum(${metricCounters.count})`,
      lastAt: sql<string | null>`max(${metricCounters.minute})`,
    })
    .from(metricCounters)
    .where(and(eq(metricCounters.kind, kind), gte(metricCounters.minute, new Date(now - 86_400_000))))
    .groupBy(metricCounters.subject, metricCounters.outcome);
  const totals: Totals = new Map();
  for (const r of rows) totals.set(`${r.subject}|${r.outcome}`, { hour: Number(r.hour), day: Number(r.day) });
  return totals;
}

const rate = (hits: number, misses: number) => (hits + misses ? hits / (hits + misses) : null);

export async function readHealth(services: Services): Promise<Health> {
  const { telemetry } = services;
  // what this instance counted but has not written yet belongs in the totals too
  await telemetry.flush(services.db).catch((err: unknown) => services.logger.warn({ err }, "could not write metric counters"));
  const [upstream, cache] = await Promise.all([counters(services, "upstream"), counters(services, "cache")]);
  const get = (t: Totals, subject: string, outcome: string) => t.get(`${subject}|${outcome}`) ?? { hour: 0, day: 0 };

  const sources = await Promise.all(
    SOURCES.map(async (source) => {
      const state = telemetry.sources.get(source);
      const ok = get(upstream, source, "ok");
      const err = get(upstream, source, "error");
      const limited = get(upstream, source, "rate_limited");
      return {
        source,
        lastSuccessAt: state?.lastSuccessAt ?? null,
        lastErrorAt: state?.lastErrorAt ?? null,
        lastError: state?.lastError ?? null,
        hour: { ok: ok.hour, errors: err.hour, rateLimited: limited.hour },
        day: { ok: ok.day, errors: err.day, rateLimited: limited.day },
        budget: await telemetry.budgetOf(source).catch(() => null),
      };
    }),
  );

  const types = [...new Set([...cache.keys()].map((k) => k.split("|")[0]!))].sort();
  const cacheHealth = types.map((type) => {
    const hits = get(cache, type, "hit");
    const misses = get(cache, type, "miss");
    return {
      type,
      hour: { hits: hits.hour, misses: misses.hour, hitRate: rate(hits.hour, misses.hour) },
      day: { hits: hits.day, misses: misses.day, hitRate: rate(hits.day, misses.day) },
    };
  });

  const { rows } = await execute<{ table: string; bytes: string; rows: string | null }>(
    services.db,
    sql`select c.relname as "table", pg_total_relation_size(c.oid) as bytes, case when c.reltuples < 0 then null else c.reltuples::bigint end as rows
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname = 'public'
        order by pg_total_relation_size(c.oid) desc`,
  );

  return {
    sources,
    cache: cacheHealth,
    tables: rows.map((r) => ({ table: r.table, bytes: Number(r.bytes), rows: r.rows === null ? null : Number(r.rows) })),
    openStreams: (await telemetry.sseOpen.get()).values[0]?.value ?? 0,
    marketData: services.config.MARKET_DATA,
    checkedAt: services.clock.now(),
  };
}
