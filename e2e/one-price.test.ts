/**
 * One fact, one number on the token page (offline: the snapshot's price against the bundled history, the
 * case that used to disagree): the header's price is the chart's last close, 7 and 30 day changes are
 * shown, and each phase's quality reads the same in the stepper and on its card.
 */
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { TestServer } from "@ucie/server/testing";
import { expectNoSeriousA11yViolations, screenshot, withServerAndBrowser } from "./helpers";

const stat = (page: Page, label: string) => page.locator(".stat", { has: page.locator(".label", { hasText: label }) }).locator(".value");

describe("token page: one price of truth", () => {
  let server: TestServer;
  let browser: Browser;
  let token: string;
  withServerAndBrowser(async (s, b) => {
    server = s;
    browser = b;
    token = (await server.signedInClient()).token;
  });

  for (const width of [1280, 375]) {
    it(`agrees with itself at ${width} px`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
      const page = await context.newPage();
      await page.goto(`${server.url}/token/bitcoin`);
      await expect.poll(() => page.locator("ol.stepper > li.complete, ol.stepper > li.partial").count(), { timeout: 30_000 }).toBe(4);
      await expect.poll(() => page.locator(".chart-last-close strong").count()).toBe(1);

      const header = await page.locator(".token-price .price").innerText();
      expect(header).toBe("$32,797");
      expect(await page.locator(".chart-last-close strong").innerText()).toBe(header);
      expect(await stat(page, "Price").first().innerText()).toBe(header);

      for (const label of ["Change 7 d", "Change 30 d"]) {
        expect(await stat(page, label).innerText()).toMatch(/^[+-]\d+\.\d\d%/);
      }

      // each phase: the stepper's quality is the card's, with the same explanation on hover
      const stepper = await page.locator("ol.stepper [title^='Data quality']").allInnerTexts();
      const cards = await page.locator(".analysis-card .badge.quality").allInnerTexts();
      expect(stepper).toHaveLength(4);
      expect(cards).toEqual(stepper);
      expect(await page.locator(".analysis-card .badge.quality").first().getAttribute("title")).toMatch(
        /^Data quality \d+\/100: the average/,
      );

      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, `token-one-price-${width}`);
      await page.locator(".price-chart").screenshot({ path: `e2e/screenshots/token-chart-${width}.png` });
      await context.close();
    });
  }
});
