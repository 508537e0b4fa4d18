/**
 * The public home page in Chromium: the market table from the catalogue (offline snapshot, then live
 * through the fake upstream), sorting by keyboard with aria-sort, provenance on hover, delisted coins,
 * and the search combobox opening a token page by keyboard.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncCatalogue, upsertCoins, type MarketCoin } from "@ucie/api";
import { startFakeUpstream, type FakeUpstream } from "@ucie/api/testing";
import type { TestServer } from "@ucie/server/testing";
import { expectNoSeriousA11yViolations, launchBrowser, screenshot, startE2EServer } from "./helpers";

const unicorn: MarketCoin = {
  id: "unicorn-token",
  symbol: "uni",
  name: "Unicorn Token",
  image: null,
  current_price: 0.01,
  market_cap: 1e6,
  market_cap_rank: 900,
  fully_diluted_valuation: null,
  total_volume: 1e4,
  high_24h: null,
  low_24h: null,
  price_change_24h: null,
  price_change_percentage_24h: -4,
  circulating_supply: null,
  total_supply: null,
  max_supply: null,
  ath: null,
  ath_change_percentage: null,
  ath_date: null,
  last_updated: "2021-06-24T03:00:00.000Z",
};

async function execSql(server: TestServer, text: string): Promise<void> {
  const raw = server.database.raw;
  if (raw.kind === "pglite") await raw.client.exec(text);
  else await raw.sql.unsafe(text);
}

const rowNames = (page: Page) => page.locator(".market-table tbody tr .coin-name").allTextContents();

describe("home page (offline)", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startE2EServer();
    await upsertCoins(server.services.db, [unicorn], "snapshot");
    await execSql(server, "update ucie_tokens set is_active = false where coingecko_id = 'tether'");
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lists tokens by rank with the data's source and time, and sorts by keyboard", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await expect.poll(async () => (await rowNames(page)).slice(0, 3)).toEqual(["Bitcoin", "Ethereum", "Binance Coin"]);
    await expect.poll(() => page.locator(".data-banner").textContent()).toContain("Offline snapshot of 2021-06-24");

    // provenance on hover
    const priceCell = page.locator(".market-table tbody tr").first().locator("td").nth(3);
    expect(await priceCell.innerText()).toBe("$32,797");
    expect(await priceCell.getAttribute("title")).toMatch(/offline snapshot · as of 2021-06-24/);
    // no internet offline: logos fall back to letters
    await expect.poll(() => page.locator(".market-table tbody tr").first().locator(".coin-fallback").textContent()).toBe("B");

    // keyboard sorting: Name ascending, then descending
    const nameHeader = page.locator("th", { has: page.getByRole("button", { name: "Name", exact: true }) });
    expect(await nameHeader.getAttribute("aria-sort")).toBe("none");
    await page.getByRole("button", { name: "Name", exact: true }).focus();
    await page.keyboard.press("Enter");
    expect(await nameHeader.getAttribute("aria-sort")).toBe("ascending");
    const asc = await rowNames(page);
    expect(asc).toEqual([...asc].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    await page.keyboard.press("Space");
    expect(await nameHeader.getAttribute("aria-sort")).toBe("descending");
    expect((await rowNames(page))[0]).toBe(asc.at(-1));

    // 24 h change by mouse: largest first, coloured
    await page.getByRole("button", { name: "24 h", exact: true }).click();
    const changes = await page.locator(".market-table tbody tr td:nth-child(5)").allTextContents();
    const numbers = changes.map((c) => Number.parseFloat(c.replace("%", "")));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(await page.locator(".market-table tbody tr").first().locator("td:nth-child(5)").getAttribute("class")).toContain("up");

    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "home-offline-desktop");
  });

  it("shows delisted coins last with their last price, after Show more", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByRole("button", { name: "Show more" }).click();
    const tether = page.locator(".market-table tbody tr", { hasText: "Tether" });
    await expect.poll(() => tether.count()).toBe(1);
    expect(await tether.locator(".badge.delisted").textContent()).toBe("delisted");
    expect(await tether.locator("td").nth(3).innerText()).toBe("$1.00");
    expect((await rowNames(page)).at(-1)).toBe("Tether");
  });

  it("searches by keyboard, marks a shared ticker, and Enter opens the token page (login first)", async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(server.url);
    const box = page.getByRole("combobox", { name: "Search tokens" });
    await box.fill("uni");
    const options = page.getByRole("option");
    await expect.poll(() => options.count()).toBeGreaterThan(1);
    expect(await options.first().textContent()).toContain("Uniswap");
    const unicornOption = page.getByRole("option", { name: /Unicorn Token/ });
    expect(await unicornOption.textContent()).toContain("shared ticker");
    expect(await unicornOption.textContent()).toContain("#900");
    expect(await box.getAttribute("aria-expanded")).toBe("true");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "home-search-375");

    await page.keyboard.press("ArrowDown");
    const activeId = await box.getAttribute("aria-activedescendant");
    expect(await page.locator(`[id="${activeId}"]`).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Escape");
    expect(await box.getAttribute("aria-expanded")).toBe("false");

    await box.fill("dogecoin");
    await expect.poll(() => page.getByRole("option").first().textContent()).toContain("Dogecoin");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/login\?next=%2Ftoken%2Fdogecoin$/);
  });

  it("opens /token/<id> for a signed-in user", async () => {
    const { token } = await server.signedInClient();
    const context = await browser.newContext();
    await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
    const page = await context.newPage();
    await page.goto(server.url);
    const box = page.getByRole("combobox", { name: "Search tokens" });
    await box.fill("sol");
    await expect.poll(() => page.getByRole("option").first().textContent()).toContain("Solana");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}/token/solana`);
    await context.close();
  });

  it("shows skeletons while loading and a way to retry when the list fails", async () => {
    const page = await browser.newPage();
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    let fail = true;
    // batched calls share one URL: hold (and fail) whichever request carries tokens.list
    await page.route(
      (url) => url.pathname.includes("tokens.list"),
      async (route) => {
        await held;
        if (fail) await route.fulfill({ status: 500, contentType: "application/json", body: "{}" });
        else await route.continue();
      },
    );
    await page.goto(server.url);
    await expect.poll(() => page.locator(".market-table[aria-busy=true] .skeleton").count()).toBeGreaterThan(10);
    release();
    const alert = page.getByRole("alert").filter({ hasText: "Market data could not be loaded" });
    await expect.poll(() => alert.isVisible(), { timeout: 20_000 }).toBe(true);
    await expectNoSeriousA11yViolations(page);
    fail = false;
    await alert.getByRole("button", { name: "Try again" }).click();
    await expect.poll(async () => (await rowNames(page))[0]).toBe("Bitcoin");
  });

  it("works at phone width", async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(server.url);
    await expect.poll(() => rowNames(page).then((n) => n.length)).toBeGreaterThan(10);
    // neither the page nor the table scrolls sideways; the 24 h change sits under the price
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const wrap = page.locator(".market-table");
    expect(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await page.locator(".market-table tbody tr").first().locator("td").nth(3).innerText()).toBe("$32,797\n-3.16%");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "home-offline-375");
  });
});

describe("home page (live, fake upstream)", () => {
  let up: FakeUpstream;
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    up = await startFakeUpstream();
    up.setPrice("bitcoin", 64_123.45);
    server = await startE2EServer({ env: { MARKET_DATA: "live", ...up.env } });
    await syncCatalogue(server.services);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await up?.close();
  });

  it("labels live data with its age and draws the 7-day sparklines", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await expect
      .poll(() => page.locator(".data-banner").textContent())
      .toMatch(/Live market data from CoinGecko, updated (just now|\d+ seconds? ago)/);
    const first = page.locator(".market-table tbody tr").first();
    expect(await first.locator("td").nth(3).innerText()).toBe("$64,123");
    expect(await first.locator("td").nth(3).getAttribute("title")).toMatch(/live CoinGecko data/);
    expect(await first.locator("svg.sparkline polyline").getAttribute("points")).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+){100,}$/);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "home-live-desktop");
  });
});
