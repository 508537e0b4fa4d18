/**
 * GET /metrics through a real server: hidden without the token, Prometheus text with it, and the
 * analysis cache counted per type as hits and misses after an uncached and a cached analysis.
 */
import { defaultTestDbKind } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { procedureLabel } from "./metrics";
import { startTestServer, type TestClient, type TestServer } from "./testing";

const TOKEN = "metrics-token-for-tests-0123456789";

function analyse(client: TestClient, sessionId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.trpc.analysis.stream.subscribe({ symbol: "BTC", sessionId }, { onComplete: () => resolve(), onError: reject });
  });
}

const scrape = (server: TestServer, auth?: string) => fetch(`${server.url}/metrics`, auth ? { headers: { authorization: auth } } : {});

/** The value of one sample line, e.g. `ucie_analysis_cache_requests_total{type="technical",result="hit"}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : undefined;
}

describe("metrics", () => {
  let server: TestServer;
  let off: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ kind: defaultTestDbKind(), env: { METRICS_TOKEN: TOKEN } });
    off = await startTestServer({ kind: "pglite" });
  });
  afterAll(async () => {
    await server?.close();
    await off?.close();
  });

  it("answers 404 without the token, with a wrong one, and when METRICS_TOKEN is unset", async () => {
    expect((await scrape(server)).status).toBe(404);
    expect((await scrape(server, "Bearer wrong-token")).status).toBe(404);
    expect((await scrape(server, TOKEN)).status).toBe(404);
    expect((await scrape(off, `Bearer ${TOKEN}`)).status).toBe(404);
  });

  it("counts one hit and the misses after an uncached and a cached analysis", async () => {
    const alice = await server.signedInClient();
    await analyse(alice, "metrics-1");
    await analyse(alice, "metrics-2");
    await alice.trpc.system.ping.query();

    const res = await scrape(server, `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const cache = (result: string) => sample(text, "ucie_analysis_cache_requests_total", { type: "technical", result });
    expect(cache("miss")).toBe(1);
    expect(cache("hit")).toBe(1);
    expect(sample(text, "ucie_http_requests_total", { procedure: "system.ping", code: "200" })).toBe(1);
    expect(sample(text, "ucie_http_request_duration_seconds_count", { procedure: "system.ping" })).toBe(1);
    for (const name of ["ucie_sse_streams_open", "ucie_alert_tick_duration_seconds", "ucie_alerts_fired_total", "ucie_db_pool_in_use"])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain("process_cpu_user_seconds_total");

    // and the counts reach the database for the health page of every instance
    await server.services.telemetry.flush(server.services.db);
    const rows = await server.services.db.query.metricCounters.findMany();
    expect(rows.filter((r) => r.kind === "cache" && r.subject === "technical").map((r) => [r.outcome, r.count])).toEqual(
      expect.arrayContaining([
        ["hit", 1],
        ["miss", 1],
      ]),
    );
  });

  it("labels requests only with the router's procedure names", () => {
    expect(procedureLabel("/system.ping")).toBe("system.ping");
    expect(procedureLabel("/admin.users")).toBe("admin.users");
    expect(procedureLabel("/../../etc/passwd")).toBe("unknown");
    expect(procedureLabel("/system.ping,auth.me")).toBe("batch");
  });
});
