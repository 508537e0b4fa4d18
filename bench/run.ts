/**
 * `pnpm bench`: every benchmark against the real server process, on Postgres when BENCH_DATABASE_URL is set and
 * embedded PGlite otherwise. Every ratio is measured in the same run. Prints a table and writes
 * bench/results/<name>.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import { createSession, createServices } from "@ucie/api";
import { createDb, migrate, users } from "@ucie/db";
import type { benchAlerts } from "./alerts.bench";
import type { benchAnalysis } from "./analysis.bench";
import type { benchDeliveries } from "./deliveries.bench";
import type { benchBackup } from "./backup.bench";
import { benchHistory, HAMMER_CLIENTS } from "./history.bench";
import { load, root, scratchDatabase, spawnServer, type LoadResult } from "./lib";
import { benchMetrics } from "./metrics.bench";
import { benchScreener } from "./screener.bench";
import type { benchSearch } from "./search.bench";
import { benchStartup } from "./startup.bench";

const results: Record<string, unknown> = {};
const rows: [string, string, string][] = [];
const row = (name: string, value: string, note = "") => {
  rows.push([name, value, note]);
  console.log(`  ${name}: ${value} ${note}`);
};

const benchUrl = process.env.BENCH_DATABASE_URL;
// Postgres: a scratch database the server process shares with us. PGlite: a data directory we seed, close,
// and hand to the server (PGlite is one process at a time).
const scratch = benchUrl ? await scratchDatabase(benchUrl) : null;
const databaseUrl = scratch?.url;
const dataDir = scratch ? undefined : mkdtempSync(path.join(os.tmpdir(), "ucie-bench-"));
const dbLabel = benchUrl ? "Postgres" : "PGlite";
console.log(`UCIE benchmarks on ${dbLabel}, ${os.cpus().length} cores, Node ${process.version}`);

// ---- start-up first, while nothing else of ours runs: `pnpm start` cold and warm, then idle memory
{
  const r = await benchStartup(benchUrl);
  results.startup = r;
  row("`pnpm start` cold (no build cache, empty database) to /readyz", `${(r.coldMs / 1000).toFixed(1)} s`, "target < 20 s");
  row(
    "`pnpm start` warm (built, existing data) to /readyz",
    `${(r.warmMedianMs / 1000).toFixed(1)} s`,
    `median of ${r.warmMs.map((ms) => (ms / 1000).toFixed(1)).join(", ")} s; target < 4 s`,
  );
  row("server RSS, idle after start-up", `${r.idleRssMb} MB`, `${benchUrl ? "target < 200 MB; " : ""}process: ${r.serverCommand}`);
}

// ---- seed accounts before the server opens the database (PGlite allows one process at a time)
const PASSWORD = "correct horse battery staple";
const ACCOUNTS = 1000;
let sessionToken: string;
{
  const database = scratch?.database ?? (await createDb({ dataDir: path.join(dataDir!, "pglite") }));
  await migrate(database);
  const passwordHash = await hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const values = Array.from({ length: ACCOUNTS }, (_, i) => ({ email: `bench${i}@example.com`, passwordHash, emailVerified: true }));
  const inserted = await database.db.insert(users).values(values).returning({ id: users.id });
  const services = createServices(database);
  sessionToken = (await createSession(database.db, inserted[0]!.id, services.clock, services.sessionPolicy)).token;
  if (!scratch) await database.close();
}

const server = await spawnServer(
  {
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir! }),
    MARKET_DATA: "offline",
    TRUST_PROXY: "true",
    ALERT_INTERVAL_SECONDS: "3600",
  },
  40_000 + Math.floor(Math.random() * 10_000),
);
let peakRss = server.rssMb();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssMb())), 250);

try {
  // ---- session validation cost: auth.me with a valid session vs a query that touches nothing
  // warm up (JIT, connection pool, session cache) before measuring
  await load({ url: `${server.url}/trpc/system.ping`, duration: 2 });
  await load({ url: `${server.url}/trpc/auth.me`, headers: { cookie: `ucie_session=${sessionToken}` }, duration: 2 });
  // the baseline before and after, so drift during the run does not favour either side
  const pingBefore = await load({ url: `${server.url}/trpc/system.ping` });
  const me = await load({ url: `${server.url}/trpc/auth.me`, headers: { cookie: `ucie_session=${sessionToken}` } });
  const pingAfter = await load({ url: `${server.url}/trpc/system.ping` });
  const ping = pingBefore.requestsPerSec <= pingAfter.requestsPerSec ? pingAfter : pingBefore;
  const ratio = me.requestsPerSec / ping.requestsPerSec;
  results.sessionValidation = { ping, me, ratio };
  row("system.ping (no database), 50 conns, best of two", `${ping.requestsPerSec} req/s`, `p99 ${ping.p99Ms} ms`);
  row("auth.me with a valid session, 50 conns", `${me.requestsPerSec} req/s`, `p99 ${me.p99Ms} ms`);
  row("auth.me / ping throughput ratio", ratio.toFixed(2), "target >= 0.7");

  // ---- screener.run: a filtered, sorted page of the stored signal rows (the job fills them at start-up)
  {
    const r = await benchScreener(server);
    results.screener = r;
    row(
      "system.ping, 50 conns (beside the screener)",
      `${r.ping.requestsPerSec} req/s`,
      `p99 ${r.ping.p99Ms} ms; server CPU ${r.ping.serverCpuUsPerAnswer} µs/answer`,
    );
    row(
      `screener.run (filter + sort, 50 rows) on ${dbLabel}, 50 conns`,
      `${r.screener.requestsPerSec} req/s`,
      `p99 ${r.screener.p99Ms} ms; server CPU ${r.screener.serverCpuUsPerAnswer} µs/answer; non-2xx ${r.screener.non2xx}`,
    );
    row("screener.run / ping in the same run: throughput, p99", `${r.ratio}, ${r.p99Ratio}`, "target >= 0.5 (throughput)");
  }

  // ---- logins: throughput, and how much hashing delays an unrelated request
  let n = 0;
  const loginLoad = load({
    url: `${server.url}/trpc/auth.login`,
    connections: 10,
    duration: 8,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          const i = n++ % ACCOUNTS;
          return {
            ...req,
            headers: {
              "content-type": "application/json",
              origin: server.url,
              "x-forwarded-for": `10.${(i >> 8) & 255}.${i & 255}.${n & 255}`,
            },
            body: JSON.stringify({ json: { email: `bench${i}@example.com`, password: PASSWORD } }),
          };
        },
      },
    ],
  });
  const pingDuringLogins = await load({ url: `${server.url}/trpc/system.ping`, connections: 5, duration: 8 });
  const logins: LoadResult = await loginLoad;
  results.login = { logins, pingDuringLogins };
  row("auth.login (argon2id), 10 conns", `${logins.requestsPerSec} logins/s`, `p99 ${logins.p99Ms} ms, non-2xx ${logins.non2xx}`);
  row(
    "system.ping while logins run, 5 conns",
    `p99 ${pingDuringLogins.p99Ms} ms`,
    `${pingDuringLogins.requestsPerSec} req/s (hashing off the event loop)`,
  );

  // ---- anonymous clients hammering the costliest public answer: how much it delays everyone else
  const h = await benchHistory(server.url);
  results.anonymousHistory = h;
  row(
    `system.ping p99 while ${HAMMER_CLIENTS} anonymous clients hammer 10-year tokens.history`,
    `${h.ratio}x its p99 alone`,
    `p99 ${h.pingDuring.p99Ms} ms vs ${h.pingAlone.p99Ms} ms; ${h.history.answered} histories answered, ${h.history.refused} refused (429); target <= 2x`,
  );

  // ---- metrics: system.ping with METRICS_TOKEN set against unset, two fresh servers, alternating rounds
  {
    const m = await benchMetrics(benchUrl);
    results.metrics = m;
    row(
      "system.ping, metrics on / off",
      m.ratio.toFixed(3),
      `median of ${m.roundRatios.length} alternating rounds (${m.roundRatios.join(", ")}); ${m.medianOn} vs ${m.medianOff} req/s; server CPU per request ${m.cpuUsPerRequestOn} vs ${m.cpuUsPerRequestOff} µs (off / on ${m.cpuRatio}); load average ${m.loadBefore[0]} to ${m.loadAfter[0]}; target >= 0.95`,
    );
  }

  // ---- the feature benchmarks each area provides
  for (const [file, fn] of [
    ["./search.bench.ts", "benchSearch"],
    ["./analysis.bench.ts", "benchAnalysis"],
    ["./alerts.bench.ts", "benchAlerts"],
    ["./deliveries.bench.ts", "benchDeliveries"],
    ["./backup.bench.ts", "benchBackup"],
  ] as const) {
    let mod: Record<string, (...a: unknown[]) => Promise<unknown>>;
    try {
      mod = (await import(file)) as typeof mod;
    } catch {
      row(fn, "not available", "");
      continue;
    }
    const out = await mod[fn]!(fn === "benchAnalysis" ? undefined : benchUrl);
    results[fn] = out;
    if (fn === "benchSearch") {
      // the same search over HTTP at 50 connections, as a ratio to system.ping in the same run (its own server)
      const { benchSearchLoad } = await import("./search.bench");
      const l = await benchSearchLoad(benchUrl ?? "");
      results.searchLoad = l;
      row(
        `tokens.search at 50 conns over ${l.coins.toLocaleString("en")} coins`,
        `${l.search.requestsPerSec} req/s, p99 ${l.search.p99Ms} ms`,
        `ping ${l.ping.requestsPerSec} req/s, p99 ${l.ping.p99Ms} ms; ratios ${l.throughputRatio} (target >= 0.5) / p99 ${l.p99Ratio} (target <= 2); before: 233 req/s, p99 466 ms`,
      );
      const r = out as Awaited<ReturnType<typeof benchSearch>>;
      row(
        `tokens.search over ${r.coins.toLocaleString("en")} coins`,
        `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
        `${r.queries} queries; slowest ${r.slowestQuery}`,
      );
    } else if (fn === "benchAnalysis") {
      const r = out as Awaited<ReturnType<typeof benchAnalysis>>;
      row(
        "analysis: first event of a cached analysis",
        `p50 ${r.cachedFirstEventMs.p50} ms, p99 ${r.cachedFirstEventMs.p99} ms`,
        "target < 100 ms",
      );
      row("analysis: full uncached, 4 phases (fake upstream)", `p50 ${r.uncachedFullMs.p50} ms, p99 ${r.uncachedFullMs.p99} ms`, "");
    } else if (fn === "benchDeliveries") {
      const r = out as Awaited<ReturnType<typeof benchDeliveries>>;
      row(
        `outbox: ${r.deliveries.toLocaleString("en")} queued webhook deliveries drained to a local receiver`,
        `${r.drainMs} ms (${r.perSecond.toLocaleString("en")}/s)`,
        `received ${r.received.toLocaleString("en")}, distinct ${r.distinct.toLocaleString("en")}, lost ${r.lost}, repeated ${r.repeated}; ${r.workers} workers`,
      );
    } else if (fn === "benchBackup") {
      const r = out as Awaited<ReturnType<typeof benchBackup>>;
      row(
        `backup / restore: ${r.authLogs.toLocaleString("en")} auth logs + ${r.alerts.toLocaleString("en")} alerts`,
        `backup ${r.backupMs} ms, restore ${r.restoreMs} ms`,
        `file ${r.fileMb} MB (gzip JSON lines)`,
      );
    } else {
      const r = out as Awaited<ReturnType<typeof benchAlerts>>;
      row(
        `alerts: one evaluation tick over ${r.alerts.toLocaleString("en")} enabled alerts`,
        `${r.evaluateMs} ms (${Math.round((r.alerts / r.evaluateMs) * 1000).toLocaleString("en")} alerts/s)`,
        `${r.ratio}x a bare count(*) (${r.countMs} ms); ${r.triggered} fired, ${r.queued} outbox rows written; target < 1 s on Postgres${r.note ? `; ${r.note}` : ""}`,
      );
    }
  }
  // ---- first load of the home page in Chromium (needs the built SPA: `pnpm bench` builds it)
  try {
    const { benchPageLoad } = await import("./page-load.bench");
    const r = await benchPageLoad(server.url);
    results.pageLoad = r;
    row("home page JavaScript on the wire (compressed)", `${(r.jsBytes / 1024).toFixed(1)} KB`, `${r.jsFiles} files; budget < 150 KB`);
    row(
      "home page first paint, 4x CPU, 1.6 Mbps, 150 ms",
      `median ${r.medianMs} ms`,
      `runs ${r.firstPaintMs.join(", ")} ms; budget < 2500 ms`,
    );
  } catch (err) {
    row("home page first load", "not measured", String(err instanceof Error ? err.message.split("\n")[0] : err));
  }
  row("server RSS, peak under load", `${peakRss} MB`, "");
  results.peakRssMb = peakRss;
} finally {
  clearInterval(sampler);
  await server.stop();
  await scratch?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

const out = {
  machine: { cores: os.cpus().length, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  database: dbLabel,
  at: new Date().toISOString(),
  results,
};
const file = path.join(root, "bench/results", `bench-${dbLabel.toLowerCase()}.json`);
writeFileSync(file, JSON.stringify(out, null, 2));
console.log(`\n| benchmark | result | note |\n|---|---|---|\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}`);
console.log(`\nwritten ${path.relative(root, file)}`);
process.exit(0);
