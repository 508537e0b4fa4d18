/**
 * Watchlist notes as a user edits them: visible Save and Cancel, a length counter, a clear error instead of
 * silent cutting, an edit that survives clicking away, and a question before leaving with unsaved changes.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "@ucie/server/testing";
import { expectNoSeriousA11yViolations, launchBrowser, screenshot, startE2EServer } from "./helpers";

describe("watchlist notes", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
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
});
