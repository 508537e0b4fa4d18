/**
 * The watchlist as a trader uses it: sortable columns (price, 24 h, 7 d, market cap, RSI, alerts), and notes
 * with visible Save and Cancel, a length counter, a clear error instead of silent cutting, an edit that
 * survives clicking away, and a question before leaving with unsaved changes.
 */
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { TestServer } from "@ucie/server/testing";
import { expectNoSeriousA11yViolations, screenshot, withServerAndBrowser } from "./helpers";

describe("watchlist", () => {
  let server: TestServer;
  let browser: Browser;
  withServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it("counts, refuses an over-long note with a reason, saves with the button, and asks before leaving unsaved", async () => {
    const user = await server.signedInClient();
    await user.trpc.watchlist.add.mutate({ symbol: "bitcoin" });
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    await context.addCookies([{ name: "ucie_session", value: user.token, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/watchlist`);
    const row = page.locator(".watchlist-table tbody tr", { hasText: "Bitcoin" });
    await row.getByRole("button", { name: "Add a note for Bitcoin" }).click();
    const note = row.getByRole("textbox", { name: "Note for Bitcoin" });

    // 2,500 characters pasted: all kept in the box, counted, refused with the reason
    await note.fill("x".repeat(2500));
    expect(await note.inputValue()).toHaveLength(2500);
    expect(await row.locator("[id^=note-count]").innerText()).toBe("2,500 / 2,000");
    expect(await row.getByRole("alert").innerText()).toBe("Too long by 500 characters: a note holds 2,000.");
    expect(await row.getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "watchlist-note-too-long-375");

    // clicking away keeps the edit
    await note.fill("Hold until 40k");
    await page.getByRole("heading", { name: "Watchlist" }).click();
    expect(await note.inputValue()).toBe("Hold until 40k");

    // leaving asks first: staying keeps the edit, leaving goes
    const answers = [false, true];
    const asked: string[] = [];
    page.on("dialog", (d) => {
      asked.push(d.message());
      void (answers.shift() ? d.accept() : d.dismiss());
    });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Markets" }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toBe("A note is not saved. Leave anyway?");
    expect(new URL(page.url()).pathname).toBe("/watchlist");
    expect(await note.inputValue()).toBe("Hold until 40k");

    // the Save button saves
    await row.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => row.getByRole("button", { name: /Edit note for Bitcoin/ }).textContent()).toBe("Hold until 40k");
    expect((await user.trpc.watchlist.list.query())[0]?.notes).toBe("Hold until 40k");

    // Cancel drops an edit; saved, nothing is asked on leaving
    await row.getByRole("button", { name: /Edit note for Bitcoin/ }).click();
    await note.fill("never mind");
    await row.getByRole("button", { name: "Cancel" }).click();
    expect(await row.getByRole("button", { name: /Edit note for Bitcoin/ }).textContent()).toBe("Hold until 40k");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Markets" }).click();
    await page.waitForURL(`${server.url}/`);
    expect(asked).toHaveLength(1);
    await context.close();
  });

  it("sorts by any column, with the alerts on each coin and the RSI of its last analysis", async () => {
    const user = await server.signedInClient();
    for (const symbol of ["bitcoin", "dogecoin", "ethereum"]) await user.trpc.watchlist.add.mutate({ symbol });
    await user.trpc.alerts.create.mutate({ symbol: "ethereum", type: "price_above", threshold: 1_000_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: "ucie_session", value: user.token, url: server.url }]);
    const page = await context.newPage();
    // analyse Bitcoin first: its RSI then shows on the list
    await page.goto(`${server.url}/token/bitcoin`);
    await expect.poll(() => page.locator("ol.stepper > li.complete, ol.stepper > li.partial").count(), { timeout: 30_000 }).toBe(4);
    await page.goto(`${server.url}/watchlist`);
    const names = () => page.locator(".watchlist-table tbody .wl-name").allTextContents();
    await expect.poll(names).toEqual(["Ethereum", "Dogecoin", "Bitcoin"]); // newest first

    const header = (label: string) => page.locator("th", { has: page.getByRole("button", { name: label, exact: true }) });
    await page.getByRole("button", { name: "24 h", exact: true }).click();
    expect(await header("24 h").getAttribute("aria-sort")).toBe("descending");
    expect(await names()).toEqual(["Dogecoin", "Bitcoin", "Ethereum"]); // +8.29%, -3.16%, -4.58%
    await page.getByRole("button", { name: "24 h", exact: true }).click();
    expect(await names()).toEqual(["Ethereum", "Bitcoin", "Dogecoin"]);
    await page.getByRole("button", { name: "Alerts", exact: true }).click();
    expect((await names())[0]).toBe("Ethereum");
    const eth = page.locator(".watchlist-table tbody tr", { hasText: "Ethereum" });
    expect(await eth.getByRole("link", { name: "1 alert on Ethereum" }).textContent()).toBe("1");
    const btc = page.locator(".watchlist-table tbody tr", { hasText: "Bitcoin" });
    expect(await btc.locator("td[data-label=RSI]").innerText()).toMatch(/^\d{1,2}\.\d$/);
    expect(await btc.locator("td[data-label='7 d']").innerText()).toMatch(/^[+-]\d+\.\d\d%$/);
    expect(await btc.locator("td[data-label='Market cap']").innerText()).toBe("$613.4B");
    await page.getByRole("button", { name: "Market cap", exact: true }).click();
    expect(await names()).toEqual(["Bitcoin", "Ethereum", "Dogecoin"]);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "watchlist-columns-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "watchlist-columns-375");
    await context.close();
  });
});
