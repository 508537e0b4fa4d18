import type { Browser, BrowserContext, Page } from "playwright-core";
import { startFakeUpstream, type FakeUpstream } from "@ucie/api/testing";
import type { TestServer } from "@ucie/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations, launchBrowser, screenshot, screenshotDir, startE2EServer } from "./helpers";

/** the four steps of the stepper, by their state class */
const stepStates = (page: Page) =>
  page
    .locator("ol.stepper > li")
    .evaluateAll((lis) =>
      lis.map((li) => ["complete", "partial", "failed", "running", "waiting"].find((c) => li.classList.contains(c)) ?? "?"),
    );
const finished = (s: string) => s === "complete" || s === "partial" || s === "failed";
/** the first `n` steps are done; false while the stepper is not on the page yet (the page loads on demand) */
const done = (states: string[], n = 4) => states.length === 4 && states.slice(0, n).every(finished);

describe("token page analysis", () => {
  let up: FakeUpstream;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    up = await startFakeUpstream();
    server = await startE2EServer({ env: { MARKET_DATA: "live", UPSTREAM_TIMEOUT_MS: "5000", ...up.env } });
    browser = await launchBrowser();
    const { token } = await server.signedInClient();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await up?.close();
  });

  it("streams the four phases, and a reload mid-way resumes instead of restarting", async () => {
    // a slow price history keeps phase 3 busy long enough to reload in the middle of it
    up.fail("/coins/bitcoin/market_chart", "slow", { delayMs: 3_000 });
    const page = await context.newPage();
    await page.goto(`${server.url}/token/bitcoin`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain("Bitcoin");
    // skeletons first, then each section as its phase arrives
    await expect.poll(async () => done(await stepStates(page), 2), { timeout: 15_000 }).toBe(true);
    expect((await stepStates(page))[2]).toBe("running");
    expect(await page.locator("#h-market").isVisible()).toBe(true);
    expect(await page.locator("#h-technical").count()).toBe(0);
    const sessionBefore = await page.evaluate(() => sessionStorage.getItem("ucie:analysis-session:bitcoin"));
    expect(sessionBefore).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    await screenshot(page, "token-analysis-midway");

    await page.reload();
    // the stored phases are back at once, while phase 3 is still being computed
    await expect.poll(async () => done(await stepStates(page), 2), { timeout: 3_000 }).toBe(true);
    expect(finished((await stepStates(page))[2]!)).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem("ucie:analysis-session:bitcoin"))).toBe(sessionBefore);

    await expect.poll(async () => done(await stepStates(page)), { timeout: 30_000 }).toBe(true);
    up.clearFailures();
    expect(await stepStates(page)).toEqual(["complete", "complete", "complete", "complete"]);
    await expect.poll(() => page.locator(".price-chart canvas").count()).toBeGreaterThan(0);
    const reasons = await page.locator("ul.reasons > li").allTextContents();
    expect(reasons.some((r) => /RSI \d+/.test(r))).toBe(true);
    expect(await page.getByText("Expected price range").isVisible()).toBe(true);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Analysis complete" }).count()).toBe(1);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "token-analysis-desktop");

    // a second open within the TTL is served from the cache
    await page.getByRole("button", { name: "Refresh analysis" }).isEnabled();
    const other = await context.newPage();
    await other.goto(`${server.url}/token/bitcoin`);
    await expect.poll(async () => done(await stepStates(other)), { timeout: 10_000 }).toBe(true);
    await other.close();
  });

  it("adds to the watchlist once, then says it is already there; links to a prefilled alert", async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/token/ethereum`);
    const add = page.getByRole("button", { name: "Add to watchlist" });
    await add.click();
    await expect.poll(() => page.locator(".token-header [role=status]").textContent()).toBe("Added to your watchlist.");
    await add.click();
    await expect.poll(() => page.locator(".token-header [role=status]").textContent()).toBe("Already in your watchlist.");
    expect(await page.getByRole("link", { name: "Create alert" }).getAttribute("href")).toBe("/alerts?symbol=ethereum");
    await page.close();
  });

  it("works at phone width", async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${server.url}/token/bitcoin`);
    await expect.poll(async () => done(await stepStates(page)), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => page.locator(".price-chart canvas").count()).toBeGreaterThan(0);
    await screenshot(page, "token-analysis-375");
    // close-ups of the busiest parts at phone width
    await page.screenshot({ path: `${screenshotDir}/token-analysis-375-top.png`, clip: { x: 0, y: 0, width: 375, height: 900 } });
    await page.locator("section[aria-labelledby=h-technical]").screenshot({ path: `${screenshotDir}/token-analysis-375-technical.png` });
    await page.locator("section[aria-labelledby=h-synthesis]").screenshot({ path: `${screenshotDir}/token-analysis-375-synthesis.png` });
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > 376)
        .slice(0, 5)
        .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth), wide.join("\n")).toBeLessThanOrEqual(375);
    await expectNoSeriousA11yViolations(page);
    await page.close();
  });
});
