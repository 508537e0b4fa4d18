/**
 * The token page's price history and coin details in a real browser: range buttons (1D to Max) that a
 * keyboard can use, the chosen range pressed and named; the details card with supply, all-time figures,
 * links opened with rel="noopener noreferrer" and the description as text (live, fake upstream), and the
 * snapshot's figures labelled offline. axe clean; screenshots at 1280 and 375 px.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncCatalogue } from "@ucie/api";
import { startFakeUpstream, type FakeUpstream } from "@ucie/api/testing";
import type { TestServer } from "@ucie/server/testing";
import { expectNoSeriousA11yViolations, screenshot, withServerAndBrowser } from "./helpers";

describe("token page: ranges and details (live, fake upstream)", () => {
  let up: FakeUpstream;
  let server: TestServer;
  let browser: Browser;
  let token: string;
  // hooks run first to last and after-hooks last to first: the upstream outlives the server
  beforeAll(async () => {
    up = await startFakeUpstream();
  });
  afterAll(async () => {
    await up?.close();
  });
  withServerAndBrowser(
    async (s, b) => {
      server = s;
      browser = b;
      await syncCatalogue(server.services);
      token = (await server.signedInClient()).token;
    },
    () => ({ env: { MARKET_DATA: "live", ...up.env } }),
  );

  for (const width of [1280, 375]) {
    it(`switches ranges from the keyboard and shows the coin's details at ${width} px`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
      const page = await context.newPage();
      await page.goto(`${server.url}/token/bitcoin`);
      const group = page.getByRole("group", { name: "Chart range" });
      const pressed = () => group.locator("button[aria-pressed='true']").allInnerTexts();
      await expect.poll(pressed).toEqual(["1M"]);
      await expect.poll(() => page.locator(".history-caption").innerText()).toMatch(/Showing 1 month, hourly candles/);
      await expect.poll(() => page.locator(".history-chart-canvas canvas").count()).toBeGreaterThan(0);

      // keyboard: focus 1D, press Enter; then Tab to 7D and Space
      await group.getByRole("button", { name: /^1D/ }).focus();
      await page.keyboard.press("Enter");
      await expect.poll(pressed).toEqual(["1D"]);
      await expect.poll(() => page.locator(".history-caption").innerText()).toMatch(/Showing 1 day, hourly candles/);
      await page.keyboard.press("Tab");
      await page.keyboard.press("Space");
      await expect.poll(pressed).toEqual(["7D"]);
      expect(page.url()).toMatch(/range=7D/);
      await group.getByRole("button", { name: /^1Y/ }).click();
      await expect.poll(() => page.locator(".history-caption").innerText()).toMatch(/Showing 1 year, daily candles/);
      const days = up.requests.filter((r) => r.path === "/coins/bitcoin/market_chart").map((r) => r.query.days);
      expect(days).toEqual(expect.arrayContaining(["1", "7", "30", "365"]));

      const details = page.locator(".details-card");
      await expect.poll(() => details.locator(".details-description").innerText()).toMatch(/^Bitcoin is a cryptocurrency & a test coin\./);
      const text = await details.innerText();
      expect(text).not.toMatch(/alert|<script|<a /);
      expect(text).toMatch(/Max supply\s+21,000,000/i);
      expect(text).toMatch(/Genesis date\s+2009-01-03/i);
      expect(text).toMatch(/All-time high\s+\$[\d,]+ on \d{4}-\d\d-\d\d/i);
      const links = details.locator(".details-links a");
      expect(await links.count()).toBe(2);
      for (const a of await links.all()) {
        expect(await a.getAttribute("rel")).toBe("noopener noreferrer");
        expect(await a.getAttribute("href")).toMatch(/^https:\/\//);
      }
      expect(await details.locator(".details-categories li").allInnerTexts()).toEqual(["Layer 1 (L1)", "Smart Contract Platform"]);

      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, `token-range-details-${width}`);
      await context.close();
    });
  }
});

describe("token page: details offline", () => {
  let server: TestServer;
  let browser: Browser;
  let token: string;
  withServerAndBrowser(async (s, b) => {
    server = s;
    browser = b;
    token = (await server.signedInClient()).token;
  });

  it("shows the snapshot's supply and all-time figures, labelled, and simulated hourly candles labelled so", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/token/ethereum?range=7D`);
    const details = page.locator(".details-card");
    await expect.poll(() => details.innerText()).toMatch(/All-time low\s+\$[\d.,]+ on \d{4}-/i);
    expect(await details.innerText()).toMatch(/descriptions and links need live data/);
    expect(await details.locator(".badge.snapshot").count()).toBe(1);
    await expect.poll(() => page.locator(".history-card").innerText()).toMatch(/simulated hourly prices/);
    expect(await page.locator(".history-card .badge.simulated").count()).toBe(1);
    await expectNoSeriousA11yViolations(page);

    // a coin outside the snapshot: the search says the snapshot is all there is offline
    await page.goto(`${server.url}/`);
    await page.getByRole("combobox").first().fill("zorbi");
    await expect.poll(() => page.locator(".token-search-empty").innerText()).toMatch(/Offline, the 100 coins of the 2021-06-24 snapshot/);
    await context.close();
  });
});
