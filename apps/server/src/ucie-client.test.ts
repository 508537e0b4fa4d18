/**
 * @ucie/client against a real server: a subscription that survives a server restart and resumes without
 * a repeat, and the two examples (packages/client/examples) run as a user would run them.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ALERT_TRIGGER_CHANNEL, evaluateAlerts, FakeClock } from "@ucie/api";
import { createUcieClient, isUcieClientError } from "@ucie/client";
import { ucieAnalysisCache, ucieTokens } from "@ucie/db";
import { createTestDb, defaultTestDbKind, type TestDatabase } from "@ucie/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countSubscriptions, startTestServer, type TestServer } from "./testing";

const examples = fileURLToPath(new URL("../../../packages/client/examples/", import.meta.url));

async function setPrice(server: TestServer, coinId: string, price: number) {
  await server.database.db.update(ucieTokens).set({ currentPriceUsd: price }).where(eq(ucieTokens.coingeckoId, coinId));
}

/** Run an example with the token in its environment; `until` ends it once its output says enough. */
function runExample(file: string, env: Record<string, string>, until?: (out: string) => boolean) {
  const child = spawn(process.execPath, ["--import", "tsx", `${examples}${file}`], {
    cwd: fileURLToPath(new URL("../../../packages/client/", import.meta.url)),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = { stdout: "", stderr: "", code: null as number | null };
  child.stdout.on("data", (b: Buffer) => {
    result.stdout += b.toString();
    if (until?.(result.stdout)) child.kill("SIGINT");
  });
  child.stderr.on("data", (b: Buffer) => void (result.stderr += b.toString()));
  const exited = new Promise<typeof result>((resolve) => child.on("exit", (code) => resolve({ ...result, code })));
  return { result, exited, kill: () => child.kill("SIGKILL") };
}

describe("@ucie/client against a real server", () => {
  let database: TestDatabase;
  let server: TestServer;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));
  const fire = async (s: TestServer) => (clock.advance(60_000), evaluateAlerts(s.services));

  beforeAll(async () => {
    database = await createTestDb(defaultTestDbKind());
    server = await startTestServer({ database, clock });
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it("keeps a subscription through a server restart and resumes after the last event, with no repeat", async () => {
    const web = await server.signedInClient();
    const { token } = await web.trpc.auth.tokens.create.mutate({ name: "restart", scopes: ["read", "alerts"] });
    const ucie = createUcieClient({ url: server.url, token, reconnectDelayMs: () => 100 });
    await setPrice(server, "ethereum", 2_000);
    const a1 = await ucie.alerts.create.mutate({ symbol: "ETH", type: "price_above", threshold: 2_100 });

    let subs = countSubscriptions(server);
    const events: { id: string; alertId: string }[] = [];
    const failures: string[] = [];
    const sub = ucie.alerts.onTriggered.subscribe(undefined, {
      onData: (e) => void events.push({ id: e.id, alertId: e.data.alertId }),
      onError: (err) => void failures.push(isUcieClientError(err) ? String(err.data?.code) : String(err)),
    });
    await expect.poll(() => subs.opened(ALERT_TRIGGER_CHANNEL)).toBe(1);
    await setPrice(server, "ethereum", 2_150);
    await fire(server);
    await expect.poll(() => events.length).toBe(1);

    // restart on the same address and database; a firing while the client is away is not lost
    const port = new URL(server.url).port;
    await server.close();
    server = await startTestServer({ database, clock, env: { PORT: port } });
    subs = countSubscriptions(server);
    const a2 = await web.trpc.alerts.create.mutate({ symbol: "ETH", type: "price_below", threshold: 1_900 });
    await setPrice(server, "ethereum", 1_850);
    await fire(server);
    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => subs.opened(ALERT_TRIGGER_CHANNEL)).toBe(1);
    const a3 = await web.trpc.alerts.create.mutate({ symbol: "ETH", type: "price_above", threshold: 1_900 });
    await setPrice(server, "ethereum", 1_950);
    await fire(server);
    await expect.poll(() => events.length).toBeGreaterThanOrEqual(3);
    expect(events.map((e) => e.alertId)).toEqual([a1.id, a2.id, a3.id]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(failures).toEqual([]);
    sub.unsubscribe();
  });

  it("examples/alerts-to-console.ts prints the user's firings", async () => {
    const web = await server.signedInClient();
    const { token } = await web.trpc.auth.tokens.create.mutate({ name: "console", scopes: ["alerts"] });
    await setPrice(server, "bitcoin", 30_000);
    await web.trpc.alerts.create.mutate({ symbol: "BTC", type: "price_above", threshold: 31_000 });
    const subs = countSubscriptions(server);
    const run = runExample("alerts-to-console.ts", { UCIE_URL: server.url, UCIE_TOKEN: token }, (out) => out.includes("price_above"));
    try {
      await expect.poll(() => subs.opened(ALERT_TRIGGER_CHANNEL), { timeout: 20_000 }).toBe(1);
      await setPrice(server, "bitcoin", 31_500);
      await fire(server);
      const done = await run.exited;
      expect(done.stderr).toBe("");
      expect(done.stdout).toContain("Listening for your alerts");
      expect(done.stdout).toMatch(/BTC {2}price_above {2}31500/);
    } finally {
      run.kill();
    }
  });

  it("examples/oversold.ts prints the coins whose RSI is under 30, most oversold first", async () => {
    const web = await server.signedInClient();
    const { token } = await web.trpc.auth.tokens.create.mutate({ name: "bot", scopes: ["read"] });
    const technical = (rsi14: number) => ({ data: { rsi14 }, source: "live", asOf: clock.now().toISOString(), status: "ok" });
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + 3_600_000);
    await database.db.insert(ucieAnalysisCache).values([
      {
        coinId: "bitcoin",
        symbol: "BTC",
        analysisType: "technical",
        data: technical(24.5),
        dataQualityScore: 90,
        createdAt: now,
        expiresAt,
      },
      {
        coinId: "ethereum",
        symbol: "ETH",
        analysisType: "technical",
        data: technical(55),
        dataQualityScore: 90,
        createdAt: now,
        expiresAt,
      },
      {
        coinId: "solana",
        symbol: "SOL",
        analysisType: "technical",
        data: technical(18.2),
        dataQualityScore: 90,
        createdAt: now,
        expiresAt,
      },
    ]);
    const done = await runExample("oversold.ts", { UCIE_URL: server.url, UCIE_TOKEN: token }).exited;
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    expect(done.stdout.trim().split("\n")).toEqual(["SOL      RSI 18.2", "BTC      RSI 24.5"]);
  });

  it("an example told no token says what to do", async () => {
    const done = await runExample("oversold.ts", { UCIE_URL: server.url, UCIE_TOKEN: "" }).exited;
    expect(done.code).toBe(2);
    expect(done.stderr).toContain("UCIE_TOKEN");
  });
});
