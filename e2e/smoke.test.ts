import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { TestServer } from "@ucie/server/testing";
import { expectNoSeriousA11yViolations, screenshot, withServerAndBrowser } from "./helpers";

describe("smoke", () => {
  let server: TestServer;
  let browser: Browser;
  withServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it("loads the SPA and shows the app shell", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await expect.poll(() => page.locator("header .brand").textContent()).toContain("UCIE");
    await expect.poll(() => page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(true);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "smoke-home");
  });

  it("serves client-side routes", async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${server.url}/no/such/page`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Page not found");
  });
});
