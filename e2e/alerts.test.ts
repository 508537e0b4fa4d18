/**
 * Watchlist and alerts in Chromium: create an alert from the form (coin prefilled from ?symbol=), move the
 * price in the catalogue, run one evaluation tick, and see the toast and the recent-alerts list; the
 * watchlist's notes edited in place, remove with confirmation, empty state. axe-clean, and screenshots
 * at desktop and phone width.
 */
import { evaluateAlerts } from "@ucie/api";
import type { TestServer } from "@ucie/server/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations, launchBrowser, screenshot, startE2EServer } from "./helpers";

describe("watchlist and alerts in the browser", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ticks = 0;

  /** move a price in the catalogue, as a catalogue sync would */
  const setBtc = async (price: number) => {
    const text = "UPDATE ucie_tokens SET current_price_usd = $1 WHERE coingecko_id = 'bitcoin'";
    const raw = server.database.raw;
    if (raw.kind === "postgres") await raw.sql.unsafe(text, [price]);
    else await raw.client.query(text, [price]);
  };
  const tick = () => evaluateAlerts(server.services, { tickKey: `e2e-${++ticks}` });

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    const { token } = await server.signedInClient();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it("creates an alert, and a firing shows a toast and lands in the recent list", async () => {
    await setBtc(30_000);
    await page.goto(`${server.url}/alerts?symbol=bitcoin`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Alerts");
    // the coin comes from the URL
    await expect.poll(() => page.locator(".selected-coin").textContent()).toContain("Bitcoin");
    await page.getByRole("button", { name: "Create alert" }).click();
    // no price yet: the field says so
    await expect.poll(() => page.locator(".alert-form .field .error").first().textContent()).toMatch(/threshold price/i);
    expect(await page.getByLabel("Price (USD)").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("When", { exact: true }).selectOption("price_cross");
    await expect.poll(() => page.getByLabel("Direction").isVisible()).toBe(true);
    await page.getByLabel("When", { exact: true }).selectOption("price_above");
    await expect.poll(() => page.getByLabel("Direction").count()).toBe(0);
    await page.getByLabel("Price (USD)").fill("31000");
    await page.getByRole("button", { name: "Create alert" }).click();
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "Alert created" }).textContent())
      .toContain("BTC price at or above $31,000");
    const row = page.locator(".alerts-table tbody tr").first();
    await expect.poll(() => row.textContent()).toContain("Armed");
    // every channel was ticked: it goes everywhere; the list changes that in place
    expect(await row.textContent()).toContain("to every channel");
    await row.getByRole("button", { name: /Change where it goes/ }).click();
    await row.getByRole("checkbox", { name: /E-mail/ }).uncheck();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "alerts-channels-edit");
    await row.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => row.textContent()).toContain("to Browser notifications");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "alerts-desktop");

    // the price moves past the line; one evaluation tick on the server
    await setBtc(31_500);
    const r = await tick();
    expect(r.triggered).toBe(1);
    const toast = page.locator(".toast-region .alert-toast");
    await expect.poll(() => toast.textContent(), { timeout: 10_000 }).toContain("BTC price at or above $31,000");
    expect(await toast.textContent()).toContain("$31,500");
    expect(await page.locator(".toast-region").getAttribute("aria-live")).toBe("polite");
    // the list refreshes: fired once, switched off
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain("Fired (once)");
    await screenshot(page, "alerts-toast-desktop");

    await page.getByRole("button", { name: /Recent alerts/ }).click();
    const panel = page.getByRole("region", { name: "Recent alerts" });
    await expect.poll(() => panel.textContent()).toContain("BTC price at or above $31,000");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "alerts-recent-panel");
    await page.keyboard.press("Escape");
    await expect.poll(() => panel.isVisible()).toBe(false);

    // switch it back on from the list, then delete it after confirming
    const sw = row.getByRole("switch");
    expect(await sw.isChecked()).toBe(false);
    await sw.focus();
    await page.keyboard.press("Space");
    await expect.poll(() => row.textContent()).toContain("Armed");
    await row.getByRole("button", { name: /Delete alert/ }).click();
    await row.getByRole("button", { name: "Delete", exact: true }).click();
    await expect.poll(() => page.locator(".alerts-table").count()).toBe(0);
    await expect.poll(() => page.getByText("No alerts yet").isVisible()).toBe(true);
  });

  it("the form previews the rule before saving, clears an error once the value is valid, and a slow save keeps what the user typed since", async () => {
    await setBtc(30_000);
    await page.goto(`${server.url}/alerts?symbol=bitcoin`);
    await expect.poll(() => page.locator(".selected-coin").textContent()).toContain("Bitcoin");
    const price = page.getByLabel("Price (USD)");
    // the account's channels, all ticked; in the app always
    await expect.poll(() => page.getByRole("checkbox", { name: /E-mail/ }).isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: /Browser notifications/ }).isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: /In the app/ }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Create alert" }).click();
    await expect.poll(() => price.getAttribute("aria-invalid")).toBe("true");
    // typing a valid price clears the error at once, without another submit
    await price.fill("25000");
    await expect.poll(() => price.getAttribute("aria-invalid")).toBe(null);
    await expect.poll(() => page.locator(".alert-form .field .error").count()).toBe(0);

    // the preview: how often it would have fired over the last year, marked on a small chart
    const preview = page.getByTestId("alert-preview");
    await expect
      .poll(() => preview.textContent(), { timeout: 15_000 })
      .toMatch(/Would have fired once in the last year \(on snapshot history/);
    await expect.poll(() => page.locator(".preview-chart canvas").count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const before = await preview.textContent();
    // editing the rule updates the preview (debounced)
    await page.getByLabel("When", { exact: true }).selectOption("price_below");
    await price.fill("1");
    await expect.poll(() => preview.textContent(), { timeout: 15_000 }).toMatch(/Would have fired 0 times/);
    expect(before).not.toBe(await preview.textContent());
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "alerts-preview-desktop");

    // a slow save: the user types the next value while it is in flight; its late success must not blank it
    await page.getByLabel("When", { exact: true }).selectOption("price_above");
    await price.fill("33000");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let seen!: () => void;
    const sent = new Promise<void>((r) => (seen = r));
    await page.route(/\/trpc\/alerts\.create/, async (route) => {
      seen();
      await held;
      await route.continue();
    });
    await page.getByRole("button", { name: "Create alert" }).click();
    await sent;
    await price.fill("34000");
    release();
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "Alert created" }).textContent())
      .toContain("BTC price at or above $33,000");
    expect(await price.inputValue()).toBe("34000");
    await page.unroute(/\/trpc\/alerts\.create/);

    // a market-wide alert takes no coin and shows as Market
    await page.getByLabel("When", { exact: true }).selectOption("sentiment_change");
    await expect.poll(() => page.locator(".selected-coin").textContent()).toContain("Market");
    await page.getByRole("button", { name: "Create alert" }).click();
    await expect.poll(() => page.locator(".alerts-table tbody tr").first().textContent()).toContain("Market");

    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByLabel("When", { exact: true }).selectOption("price_above");
    await price.fill("40000");
    // offline, the year up to the snapshot day: BTC first closed above $40,000 on 2021-01-08
    await expect.poll(() => preview.textContent(), { timeout: 15_000 }).toMatch(/Would have fired once/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "alerts-preview-mobile");
    await page.setViewportSize({ width: 1280, height: 900 });
    const raw = server.database.raw;
    if (raw.kind === "postgres") await raw.sql.unsafe("DELETE FROM ucie_alerts");
    else await raw.client.query("DELETE FROM ucie_alerts");
  });

  it("alerts page at phone width", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${server.url}/alerts?symbol=ethereum`);
    await expect.poll(() => page.locator(".selected-coin").textContent()).toContain("Ethereum");
    await page.getByLabel("When", { exact: true }).selectOption("percent_change");
    await page.getByLabel("Change (%)").fill("5");
    await page.getByLabel("Window").selectOption("1h");
    await page.getByRole("button", { name: "Create alert" }).click();
    await expect.poll(() => page.locator(".alerts-table tbody tr").first().textContent()).toContain("over a rolling 1 h");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "alerts-mobile");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("watchlist: notes edited in place, remove with confirmation, empty state", async () => {
    await page.goto(`${server.url}/watchlist`);
    await expect.poll(() => page.getByText("Your watchlist is empty").isVisible()).toBe(true);
    await screenshot(page, "watchlist-empty");

    // add from the search box on the page
    const search = page.getByRole("combobox", { name: "Add a coin to your watchlist" });
    await search.fill("bitcoin");
    await expect.poll(() => page.getByRole("option").first().textContent()).toContain("Bitcoin");
    await search.press("Enter");
    await expect.poll(() => page.locator(".watchlist-table tbody tr").count()).toBe(1);
    await search.fill("ethereum");
    await expect.poll(() => page.getByRole("option").first().textContent()).toContain("Ethereum");
    await search.press("Enter");
    await expect.poll(() => page.locator(".watchlist-table tbody tr").count()).toBe(2);

    const btc = page.locator(".watchlist-table tbody tr", { hasText: "Bitcoin" });
    await btc.getByRole("button", { name: "Add a note for Bitcoin" }).click();
    const note = btc.getByRole("textbox", { name: "Note for Bitcoin" });
    await note.fill("Buy the dip");
    await note.press("Enter");
    await expect.poll(() => btc.getByRole("button", { name: /Edit note for Bitcoin/ }).textContent()).toBe("Buy the dip");
    // Escape cancels an edit
    await btc.getByRole("button", { name: /Edit note for Bitcoin/ }).click();
    await btc.getByRole("textbox", { name: "Note for Bitcoin" }).fill("never mind");
    await btc.getByRole("textbox", { name: "Note for Bitcoin" }).press("Escape");
    await expect.poll(() => btc.getByRole("button", { name: /Edit note for Bitcoin/ }).textContent()).toBe("Buy the dip");
    const list = await server.services.db.query.ucieWatchlist.findMany();
    expect(list.find((i) => i.coinId === "bitcoin")?.notes).toBe("Buy the dip");

    expect(await btc.locator("td").nth(1).textContent()).toContain("$");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "watchlist-desktop");
    await page.setViewportSize({ width: 375, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "watchlist-mobile");
    await page.setViewportSize({ width: 1280, height: 900 });

    // open the token page from the row
    await btc.getByRole("link", { name: /^Bitcoin/ }).click();
    await expect.poll(() => page.url()).toContain("/token/bitcoin");
    await page.goBack();

    const eth = page.locator(".watchlist-table tbody tr", { hasText: "Ethereum" });
    await eth.getByRole("button", { name: "Remove Ethereum from your watchlist" }).click();
    await eth.getByRole("button", { name: "Keep" }).click(); // changed our mind
    await expect.poll(() => page.locator(".watchlist-table tbody tr").count()).toBe(2);
    await eth.getByRole("button", { name: "Remove Ethereum from your watchlist" }).click();
    await eth.getByRole("button", { name: "Remove", exact: true }).click();
    await expect.poll(() => page.locator(".watchlist-table tbody tr").count()).toBe(1);
  });
});
