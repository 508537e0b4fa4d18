/**
 * The access tokens card on the account page in Chromium: create a token with chosen scopes, copy it
 * (shown once), use it from @ucie/client, revoke it and see the client refused. axe-clean, and
 * screenshotted at 1280 and 375 px.
 */
import { createUcieClient, isUcieClientError } from "@ucie/client";
import type { TestServer } from "@ucie/server/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations, launchBrowser, screenshot, startE2EServer } from "./helpers";

describe("access tokens on the account page", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    const { token } = await server.signedInClient("tokens-page@example.com");
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it("creates a scoped token shown once, lists it, and revokes it so the client is refused", async () => {
    await page.goto(`${server.url}/account`);
    const card = page.getByRole("region", { name: "Access tokens" });
    await card.getByText("No access tokens yet.").waitFor();

    // a nameless token is refused beside the field
    await card.getByRole("button", { name: "Create token" }).click();
    await card.getByText("Name the token").waitFor();

    await card.getByLabel("Name").fill("price bot");
    await card.getByRole("checkbox", { name: /^watchlist/ }).check();
    await card.getByLabel("Expires after").selectOption({ label: "30 days" });
    await card.getByRole("button", { name: "Create token" }).click();
    const secret = card.locator("code.token-secret");
    await secret.waitFor();
    const token = (await secret.textContent())!.trim();
    expect(token).toMatch(/^ucie_pat_[\w-]{43}$/);
    await card.getByRole("button", { name: "Copy token" }).click();
    await card.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    const row = card.getByRole("row", { name: /price bot/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("read, watchlist");
    expect(await row.textContent()).toContain(token.slice(0, 13));
    expect(await row.textContent()).not.toContain(token.slice(13));

    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await page.evaluate(() => window.scrollTo(0, 0)); // a full-page shot of a scrolled page draws the sticky header mid-page
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, `access-tokens-${width}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    const ucie = createUcieClient({ url: server.url, token });
    await ucie.watchlist.add.mutate({ symbol: "BTC" });

    // the secret is gone for good once dismissed
    await card.getByRole("button", { name: "Done" }).click();
    await secret.waitFor({ state: "detached" });
    await card.getByRole("button", { name: "Revoke token price bot" }).click();
    await card.getByText("No access tokens yet.").waitFor();
    const refused = await ucie.watchlist.list.query().then(
      () => null,
      (err: unknown) => (isUcieClientError(err) ? err.data?.code : String(err)),
    );
    expect(refused).toBe("UNAUTHORIZED");
  });
});
