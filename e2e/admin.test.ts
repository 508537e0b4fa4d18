/**
 * The admin area in Chromium: the first account is admin and sees the Admin link; it creates an access
 * code (shown once, with its registration link, which prefills the register page), finds and disables a
 * user, filters the auth log, runs a job now and reads the health page. Every page axe-clean and
 * screenshotted at 1280 and 375 px; a second, non-admin account sees no Admin link.
 */
import { createAccessCodes, setUserDisabled } from "@ucie/api";
import type { TestServer } from "@ucie/server/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations, launchBrowser, screenshot, startE2EServer } from "./helpers";

const ADMIN = "admin-page@example.com";
const USER = "plain-user@example.com";
const PASSWORD = "first sturdy passphrase";

async function capture(page: Page, name: string) {
  await expectNoSeriousA11yViolations(page);
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 375, height: 800 });
  await expectNoSeriousA11yViolations(page);
  // nothing wider than the phone: the page never scrolls sideways (a wide table scrolls inside its own box)
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest(".table-wrap"))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}px`),
  );
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: ${wide.join(", ")}`).toBeLessThanOrEqual(375);
  await screenshot(page, `${name}-375`);
  await page.setViewportSize({ width: 1280, height: 860 });
}

async function registerVerified(server: TestServer, email: string) {
  const [code] = await createAccessCodes(server.services.db, 1);
  const client = server.client();
  await client.trpc.auth.register.mutate({ email, password: PASSWORD, accessCode: code! });
  let token: string | undefined;
  for (let i = 0; i < 200 && !token; i++) {
    token = /\/verify\?token=([\w-]+)/.exec(server.mail.find((m) => m.to === email)?.text ?? "")?.[1];
    if (!token) await new Promise((r) => setTimeout(r, 10));
  }
  await client.trpc.auth.verifyEmail.mutate({ token: token! });
}

async function logIn(page: Page, server: TestServer, email: string, next = "/") {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
}

describe("the admin area", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    await registerVerified(server, ADMIN);
    await registerVerified(server, USER);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lets the admin manage codes, users, the log, jobs and see health, each page axe-clean at both widths", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const page = await context.newPage();
    page.on("pageerror", (e) => console.log("page error:", e.message));
    await logIn(page, server, ADMIN);
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    // a fresh load: the header reads who is signed in once, at start
    await page.goto(server.url);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
    await page.waitForURL(/\/admin\/codes$/);

    // access codes: one made with a note, shown once with its link
    await page.getByLabel("How many").fill("1");
    await page.getByLabel("Note (optional)").fill("for Alice");
    await page.getByRole("button", { name: "Create codes" }).click();
    const link = page.locator(".new-codes .code-link").first();
    await expect.poll(() => link.isVisible()).toBe(true);
    const url = (await link.textContent())!.trim();
    expect(url).toMatch(new RegExp(`^${server.services.config.publicUrl}/register\\?code=UCIE-`));
    await expect.poll(() => page.getByRole("cell", { name: "for Alice" }).isVisible()).toBe(true);
    await page.getByRole("button", { name: /^Copy code / }).click();
    await expect.poll(() => page.getByRole("button", { name: /^Copied code / }).isVisible()).toBe(true);
    const code = new URL(url).searchParams.get("code")!;
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    await capture(page, "admin-codes");

    // users: search, disable the plain user
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Search by e-mail").fill("plain");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await page.getByRole("button", { name: `Disable ${USER}` }).click();
    await expect.poll(() => page.getByRole("cell", { name: "disabled" }).isVisible()).toBe(true);
    await capture(page, "admin-users");

    // the auth log, filtered to that user, shows the disabling by the admin
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Auth log" }).click();
    await page.getByLabel("User (e-mail or id)").fill(USER);
    await page.getByLabel("Event type").fill("admin_user_disabled");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await expect.poll(() => page.getByRole("cell", { name: ADMIN }).isVisible()).toBe(true);
    await capture(page, "admin-log");

    // jobs: run the clean-up now; its run appears
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("button", { name: "Run now cleanup" }).click();
    await expect
      .poll(
        () =>
          page
            .getByText(/\(manual\)/)
            .first()
            .isVisible(),
        { timeout: 15_000 },
      )
      .toBe(true);
    await capture(page, "admin-jobs");

    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Health" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "coingecko" }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole("cell", { name: "users", exact: true }).isVisible()).toBe(true);
    await capture(page, "admin-health");

    // the registration link fills the code in
    await context.clearCookies();
    // PUBLIC_URL is unset in tests (localhost:0): open the same path and query on the test server
    await page.goto(`${server.url}/register${new URL(url).search}`);
    expect(await page.getByLabel("Access code").inputValue()).toBe(new URL(url).searchParams.get("code"));
    await context.close();
  });

  it("shows no Admin link to a user, and the admin pages only say they need an admin", async () => {
    await setUserDisabled(server.services, USER, false); // the first test disabled this account
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await logIn(page, server, USER);
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    await page.goto(server.url);
    await expect.poll(() => page.getByRole("link", { name: "Watchlist" }).isVisible()).toBe(true);
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).count()).toBe(0);
    await page.goto(`${server.url}/admin/users`);
    await expect.poll(() => page.getByText("This needs an admin account.").isVisible()).toBe(true);
    await context.close();
  });
});
