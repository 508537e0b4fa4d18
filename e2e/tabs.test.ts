/**
 * Six tabs, one stream: the tabs of one browser share a single alerts SSE connection (a leader tab holds it
 * and rebroadcasts), so they never use up the browser's six connections per origin. Closing the leader
 * hands the stream to another tab without losing a trigger.
 */
import { evaluateAlerts } from "@ucie/api";
import type { TestServer } from "@ucie/server/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, startE2EServer } from "./helpers";

describe("live alerts across tabs", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  const streams = new Map<Page, number>();
  let ticks = 0;

  const setPrice = async (id: string, price: number) => {
    const text = "UPDATE ucie_tokens SET current_price_usd = $1 WHERE coingecko_id = $2";
    const raw = server.database.raw;
    if (raw.kind === "postgres") await raw.sql.unsafe(text, [price, id]);
    else await raw.client.query(text, [price, id]);
  };
  const openStreams = () => [...streams.values()].reduce((a, b) => a + b, 0);
  const toastIn = (page: Page, text: string) => page.locator(".toast").filter({ hasText: text }).count();

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    const client = await server.signedInClient();
    await client.trpc.alerts.create.mutate({ symbol: "bitcoin", type: "price_above", threshold: 40_000, repeat: "repeat" });
    await client.trpc.alerts.create.mutate({ symbol: "ethereum", type: "price_above", threshold: 4_000 });
    context = await browser.newContext();
    await context.addCookies([{ name: "ucie_session", value: client.token, url: server.url }]);
    context.on("page", (page) => {
      streams.set(page, 0);
      page.on("request", (req) => {
        if (req.url().includes("alerts.onTriggered")) streams.set(page, (streams.get(page) ?? 0) + 1);
      });
      page.on("close", () => streams.delete(page));
    });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it("opens one alerts stream for six tabs and shows a trigger in every tab", async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 6; i++) {
      const page = await context.newPage();
      await page.goto(`${server.url}/${i % 2 ? "watchlist" : "alerts"}`);
      pages.push(page);
    }
    await expect.poll(openStreams, { timeout: 15_000 }).toBe(1);
    // every tab has taken part in the election: one holds the stream's lock, five wait for it (and so stay off the network)
    const lockState = () =>
      pages[0]!.evaluate(async () => {
        const q = await navigator.locks.query();
        const mine = (l: { name?: string }) => l.name === "ucie:alert-triggers";
        return { held: (q.held ?? []).filter(mine).length, pending: (q.pending ?? []).filter(mine).length };
      });
    await expect.poll(lockState, { timeout: 15_000 }).toEqual({ held: 1, pending: 5 });
    expect(openStreams()).toBe(1);
    // the tabs still load pages and data: connections are not exhausted
    await expect.poll(() => pages[5]!.getByRole("heading", { level: 1 }).textContent()).toBe("Watchlist");

    await setPrice("bitcoin", 41_000);
    await evaluateAlerts(server.services, { tickKey: `tabs-${++ticks}` });
    for (const page of pages) await expect.poll(() => toastIn(page, "BTC"), { timeout: 15_000 }).toBe(1);
  });

  it("hands the stream to another tab when the leader closes, and loses nothing", async () => {
    const pages = [...streams.keys()];
    const leader = pages.find((p) => streams.get(p)! > 0)!;
    await leader.close();
    await expect.poll(openStreams, { timeout: 15_000 }).toBe(1);

    await setPrice("ethereum", 4_100);
    await evaluateAlerts(server.services, { tickKey: `tabs-${++ticks}` });
    for (const page of streams.keys()) await expect.poll(() => toastIn(page, "ETH"), { timeout: 15_000 }).toBe(1);
  });
});
