/**
 * The screener page (presets, chips, sortable columns, a shareable URL, an alert from a row; axe; 1280 and
 * 375 px) and a member who chose euros: every page shows EUR, and an alert line typed in EUR is stored in
 * USD once and says so.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshScreener } from "@ucie/api";
import type { TestServer } from "@ucie/server/testing";
import { expectNoSeriousA11yViolations, launchBrowser, screenshot, startE2EServer } from "./helpers";

const EUR_USD = 1.1936; // the bundled rate of the snapshot day (offline)

async function settled(page: Page) {
  await expect.poll(() => page.locator(".page-loading, [aria-busy=true]").count(), { timeout: 20_000 }).toBe(0);
}

const columnNumbers = (page: Page, label: string) =>
  page
    .locator(`.screener-table tbody td[data-label="${label}"]`)
    .allInnerTexts()
    .then((t) => t.map((x) => Number(x.replace(/[^\d.-]/g, ""))));

describe("screener and preferences", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startE2EServer();
    await refreshScreener(server.services);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const width of [1280, 375]) {
    it(`screener at ${width} px: presets, chips, sorting, a URL that keeps the screen, an alert from a row`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Screener" }).click();
      await page.getByRole("heading", { name: "Screener" }).waitFor();
      await settled(page);
      expect(await page.locator(".screener-table tbody tr").count()).toBe(50);
      expect(await page.getByText(/as of 2021-06-24/).count()).toBeGreaterThan(0);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, `screener-${width}`);

      // the oversold preset: a chip, the URL, RSI ascending, every row below 30
      await page.getByRole("button", { name: "Oversold" }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get("rsiBelow")).toBe("30");
      await page.getByRole("list", { name: "Active filters" }).getByText("RSI below 30").waitFor();
      await settled(page);
      const rows = await page.locator(".screener-table tbody tr").count();
      if (rows > 0) {
        const rsi = await columnNumbers(page, "RSI");
        expect(rsi.every((v) => v < 30)).toBe(true);
        expect(rsi).toEqual([...rsi].sort((a, b) => a - b));
      } else {
        await page.getByRole("heading", { name: "No coin matches these filters" }).waitFor();
      }
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, `screener-oversold-${width}`);

      // a shared link opens the same screen
      const shared = page.url();
      const other = await context.newPage();
      await other.goto(shared);
      await other.getByRole("list", { name: "Active filters" }).getByText("RSI below 30").waitFor();
      await other.close();

      // removing the chip widens the screen again; sorting by 7 d, both ways, with aria-sort
      await page.getByRole("button", { name: "Remove filter: RSI below 30" }).click();
      await expect.poll(() => new URL(page.url()).searchParams.has("rsiBelow")).toBe(false);
      if (width === 1280) {
        const header = page.locator("th", { hasText: "7 d" });
        await header.getByRole("button").click();
        await expect.poll(() => header.getAttribute("aria-sort")).toBe("descending");
        await settled(page);
        await expect
          .poll(async () => {
            const v = await columnNumbers(page, "7 d");
            return v.length > 1 && v.every((x, i) => i === 0 || v[i - 1]! >= x);
          })
          .toBe(true);
        await header.getByRole("button").click();
        await expect.poll(() => header.getAttribute("aria-sort")).toBe("ascending");
        expect(new URL(page.url()).searchParams.get("dir")).toBe("asc");
      }

      // an alert from a row: the alert form, prefilled
      const link = page
        .locator(".screener-table tbody tr")
        .first()
        .getByRole("link", { name: /Create an alert for/ });
      const href = new URL((await link.getAttribute("href"))!, server.url);
      expect(href.pathname).toBe("/alerts");
      expect(href.searchParams.get("symbol")).toBeTruthy();
      expect(href.searchParams.get("type")).toMatch(/^rsi_(above|below)$/);
      await context.close();
    });
  }

  it("EUR on every page; an alert line typed in EUR is stored in USD once and says so", async () => {
    const user = await server.signedInClient();
    await user.trpc.preferences.update.mutate({ currency: "eur", timeZone: "Europe/Berlin" });
    await user.trpc.watchlist.add.mutate({ symbol: "bitcoin" });
    await user.trpc.alerts.create.mutate({ symbol: "ethereum", type: "price_above", threshold: 5_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: "ucie_session", value: user.token, url: server.url }]);
    const page = await context.newPage();

    for (const path of ["/", "/watchlist", "/alerts", "/screener", "/token/bitcoin"]) {
      await page.goto(`${server.url}${path}`);
      await settled(page);
      await expect.poll(() => page.locator("main").innerText(), { timeout: 30_000 }).toMatch(/€\d/);
      if (path === "/alerts") {
        await page.getByText("ETH price at or above €4,189 (≈ $5,000 stored)").waitFor();
      }
      await screenshot(page, `eur${path === "/" ? "-home" : path.replace(/\//g, "-")}`);
    }

    // the form: a line in EUR, the USD it will store shown before saving, stored converted once
    await page.goto(`${server.url}/alerts?symbol=bitcoin`);
    const price = page.getByLabel("Price (EUR)");
    await price.fill("30000");
    await page.getByText(`≈ $35,808 stored`).waitFor();
    await page.getByRole("button", { name: "Create alert" }).click();
    await page.getByText(/Alert created: BTC price at or above €30,000 \(≈ \$35,808 stored\)/).waitFor();
    const stored = (await user.trpc.alerts.list.query()).find((a) => a.symbol === "BTC");
    expect(stored?.threshold).toBeCloseTo(30_000 * EUR_USD, 6);

    // the account page: the choices, saved at once; USD again everywhere
    await page.goto(`${server.url}/account`);
    const currency = page.getByLabel("Currency");
    expect(await currency.inputValue()).toBe("eur");
    expect(await page.getByLabel("Time zone").inputValue()).toBe("Europe/Berlin");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "preferences-card-1280");
    await page.getByLabel("Theme").selectOption("light");
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "preferences-light-1280");
    await page.getByLabel("Currency").selectOption("usd");
    await expect.poll(async () => (await user.trpc.preferences.get.query()).currency).toBe("usd");
    await page.goto(`${server.url}/watchlist`);
    await settled(page);
    await expect.poll(() => page.locator("main").innerText()).toMatch(/\$\d/);
    expect(await page.locator("main").innerText()).not.toMatch(/€/);
    await context.close();
  });
});
