/**
 * The account page in Chromium: change the password (with the strength meter), set up two-factor sign-in
 * from the QR code's key, log in again with a recovery code, download my data, and delete the account
 * with a typed confirmation. axe-clean and screenshotted at 1280 and 375 px.
 */
import { readFile } from "node:fs/promises";
import { createAccessCodes, totpCode } from "@ucie/api";
import type { TestServer } from "@ucie/server/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectHeaderSignedIn,
  expectHeaderSignedOut,
  expectNoSeriousA11yViolations,
  launchBrowser,
  screenshot,
  startE2EServer,
} from "./helpers";

const EMAIL = "account-page@example.com";
const FIRST_PASSWORD = "first sturdy passphrase";
const NEW_PASSWORD = "violet anchor mosaic lantern";

async function heading(page: Page): Promise<string | null> {
  return page.getByRole("heading", { level: 1 }).textContent();
}

/** Screenshots at desktop and phone width, the page axe-checked at each. */
async function capture(page: Page, name: string) {
  await expectNoSeriousA11yViolations(page);
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 375, height: 800 });
  await expectNoSeriousA11yViolations(page);
  await screenshot(page, `${name}-375`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.setViewportSize({ width: 1280, height: 860 });
}

describe("the account page", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    // an account made through the public API, its link read from the server's outbox
    const [adminCode, code] = await createAccessCodes(server.services.db, 2);
    const client = server.client();
    // the first account is the instance's admin (which may not delete itself): this page is walked by the second
    await client.trpc.auth.register.mutate({ email: "owner@example.com", password: FIRST_PASSWORD, accessCode: adminCode! });
    await client.trpc.auth.register.mutate({ email: EMAIL, password: FIRST_PASSWORD, accessCode: code! });
    let token: string | undefined;
    for (let i = 0; i < 200 && !token; i++) {
      token = /\/verify\?token=([\w-]+)/.exec(server.mail.find((m) => m.to === EMAIL)?.text ?? "")?.[1];
      if (!token) await new Promise((r) => setTimeout(r, 10));
    }
    await client.trpc.auth.verifyEmail.mutate({ token: token! });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("changes the password, sets up two-factor, signs in with a recovery code, downloads the data and deletes the account", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on("pageerror", (e) => console.log("page error:", e.message));

    await page.goto(`${server.url}/login?next=%2Faccount`);
    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByLabel("Password", { exact: true }).fill(FIRST_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/account$/);
    await expect.poll(() => heading(page)).toBe("Account");
    const elsewhere = server.client();
    await elsewhere.trpc.auth.login.mutate({ email: EMAIL, password: FIRST_PASSWORD });

    // change password: the meter sees through "qwer1234"; a wrong current password is named beside its field
    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password").fill("qwer1234");
    await expect.poll(() => page.getByText(/easy to guess/).isVisible()).toBe(true);
    await capture(page, "account-change-password-weak");
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await expect.poll(() => page.getByText(/a strong password/).isVisible()).toBe(true);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.getByText("This is not your current password").isVisible()).toBe(true);
    await page.getByLabel("Current password").fill(FIRST_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.getByText(/Your password is changed/).isVisible()).toBe(true);
    expect(await elsewhere.trpc.auth.me.query()).toBeNull(); // the other device was logged out
    await expect.poll(() => page.locator("table.sessions-table tbody tr").count()).toBe(1);

    // two-factor set-up: QR code and key, drawn in the page
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const qr = page.getByRole("img", { name: "QR code for your authenticator app" });
    await expect.poll(() => qr.isVisible()).toBe(true);
    const secret = (await page.locator("code.secret").textContent())!.replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await capture(page, "account-2fa-setup");
    await page.getByLabel("Code from the app").fill(totpCode(secret, Math.floor(Date.now() / 30_000)));
    await page.getByRole("button", { name: "Turn on" }).click();
    const codes = page.getByRole("list", { name: "Recovery codes" }).locator("li");
    await expect.poll(() => codes.count()).toBe(10);
    const recovery = (await codes.allTextContents()).map((c) => c.trim());
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download", exact: true }).click();
    expect(await readFile(await (await download).path(), "utf8")).toContain(recovery[0]!);
    await capture(page, "account-2fa-recovery-codes");
    await page.getByRole("button", { name: "I have saved them" }).click();
    await expect.poll(() => page.getByText(/10 of 10 recovery codes left/).isVisible()).toBe(true);

    // log out and in again: the password, then the second step, here with a recovery code
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await page.waitForURL(/\/login/);
    await expectHeaderSignedOut(page);
    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => heading(page)).toBe("Two-factor sign-in");
    await page.getByLabel("Authentication code").fill("000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => page.getByText(/This code is not right/).isVisible()).toBe(true);
    await capture(page, "login-2fa-code");
    await page.getByRole("button", { name: "Use a recovery code" }).click();
    await page.getByLabel("Recovery code").fill(recovery[0]!);
    await capture(page, "login-2fa-recovery");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await expectHeaderSignedIn(page, EMAIL);
    await page.goto(`${server.url}/account`);
    await expect.poll(() => page.getByText(/9 of 10 recovery codes left/).isVisible()).toBe(true);

    // download my data: one JSON document, no secrets
    const exported = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download my data" }).click();
    const file = await exported;
    expect(file.suggestedFilename()).toMatch(/^ucie-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile(await file.path(), "utf8")) as { user: { email: string }; authLogs: unknown[] };
    expect(data.user.email).toBe(EMAIL);
    expect(data.authLogs.length).toBeGreaterThan(0);
    expect(JSON.stringify(data)).not.toContain(secret);

    // delete the account: the button waits for the typed confirmation
    await page.getByRole("button", { name: "Delete account…" }).click();
    const confirm = page.getByRole("button", { name: "Delete my account" });
    await page.getByLabel("Your password").fill(NEW_PASSWORD);
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel('Type "delete my account" to confirm').fill("delete my account");
    await capture(page, "account-delete");
    await confirm.click();
    await page.waitForURL(/\/login/);
    await expect.poll(() => page.getByText("Your account and its data are deleted.").isVisible()).toBe(true);
    await expectHeaderSignedOut(page);
    await expect(server.client().trpc.auth.login.mutate({ email: EMAIL, password: NEW_PASSWORD })).rejects.toThrow(
      "Wrong e-mail or password",
    );
    await context.close();
  });
});
