/**
 * The account journey in Chromium, with the server sending real e-mail (nodemailer over SMTP) to a
 * local SMTP sink (the smtp-server package): register with an access code, open the link from the
 * mail, log in, see this device on the account page, log out, and be sent to the login page.
 */
import type { AddressInfo } from "node:net";
import { createAccessCodes } from "@ucie/api";
import type { TestServer } from "@ucie/server/testing";
import type { Browser, Page } from "playwright-core";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectHeaderSignedIn,
  expectHeaderSignedOut,
  expectNoSeriousA11yViolations,
  launchBrowser,
  screenshot,
  screenshotHeader,
  startE2EServer,
} from "./helpers";

interface SunkMail {
  to: string[];
  raw: string;
}

/** A local SMTP server that accepts anything, without TLS or login, and keeps the messages. */
async function startSmtpSink(): Promise<{ port: number; mail: SunkMail[]; close(): Promise<void> }> {
  const mail: SunkMail[] = [];
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mail.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const port = (sink.server.address() as AddressInfo).port;
  return { port, mail, close: () => new Promise<void>((resolve) => sink.close(() => resolve())) };
}

/** Undo quoted-printable (soft line breaks, =XX escapes), which mailers use for long lines. */
function decodeQuotedPrintable(s: string): string {
  return s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function waitForLink(mail: SunkMail[], to: string, path: "verify" | "reset-password", after = 0): Promise<string> {
  const pattern = new RegExp(`/${path}\\?token=([\\w-]+)`);
  for (let i = 0; i < 300; i++) {
    for (const m of mail.slice(after)) {
      const match = m.to.includes(to) ? pattern.exec(decodeQuotedPrintable(m.raw)) : null;
      if (match) return match[1]!;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${path} e-mail to ${to}`);
}

async function heading(page: Page): Promise<string | null> {
  return page.getByRole("heading", { level: 1 }).textContent();
}

describe("accounts in the browser", () => {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startE2EServer({ env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it("registers with a code, verifies from the e-mail, logs in, sees this device, logs out", async () => {
    const [code] = await createAccessCodes(server.services.db, 1);
    const email = "journey@example.com";
    const password = "four random words together";
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();

    // register
    await page.goto(`${server.url}/register`);
    await expect.poll(() => heading(page)).toBe("Create your account");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password", { exact: true }).fill("short");
    await expect.poll(() => page.getByText("5 characters: at least 8 are needed.").isVisible()).toBe(true);
    await page.getByLabel("Password", { exact: true }).fill(password);
    // the meter's zxcvbn-ts estimate loads with the page's first new password (not on the home page)
    await expect.poll(() => page.getByText(/: good|a strong password/).isVisible()).toBe(true);
    await page.getByLabel("Access code").fill(code!.toLowerCase());
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "auth-register");
    await page.getByRole("button", { name: "Create account" }).click();

    // check your inbox
    await page.waitForURL(/\/check-inbox/);
    await expect.poll(() => page.getByText(email).first().isVisible()).toBe(true);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "auth-check-inbox");

    // the link from the e-mail, as the SMTP sink received it
    const token = await waitForLink(smtp.mail, email, "verify");
    await page.goto(`${server.url}/verify?token=${token}`);
    await expect.poll(() => page.getByText("Your e-mail address is confirmed.").isVisible()).toBe(true);
    expect(new URL(page.url()).search).toBe(""); // the token left the address bar
    await expectHeaderSignedOut(page); // confirming the address does not sign in
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "auth-verified");

    // a protected page sends us to log in, and back there afterwards; the form works by keyboard
    await page.goto(`${server.url}/account`);
    await page.waitForURL(/\/login\?next=%2Faccount/);
    await expectNoSeriousA11yViolations(page);
    await page.getByLabel("E-mail").focus();
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    await page.keyboard.type("not my password");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Wrong e-mail or password");
    await screenshot(page, "auth-login-error");
    await page.getByLabel("Password", { exact: true }).fill("");
    await page.getByLabel("Password", { exact: true }).focus();
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/account$/);
    // the header knows at once, without a reload
    await expectHeaderSignedIn(page, email);
    await screenshotHeader(page, "header-signed-in-1280");
    await page.setViewportSize({ width: 375, height: 800 });
    await expectHeaderSignedIn(page, email);
    await screenshotHeader(page, "header-signed-in-375");
    await page.setViewportSize({ width: 1280, height: 860 });

    // the account page: e-mail, this device marked; a second session from elsewhere can be ended
    await expect.poll(() => page.getByText(email).first().isVisible()).toBe(true);
    const elsewhere = server.client();
    await elsewhere.trpc.auth.login.mutate({ email, password });
    await page.reload();
    const rows = page.locator("table.sessions-table tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    await expect.poll(() => page.locator('tr[aria-current="true"]').getByText("This device").isVisible()).toBe(true);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "account-desktop");
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, "account-375");
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.getByRole("button", { name: /^End session/ }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await elsewhere.trpc.auth.me.query()).toBeNull();

    // log out, then a reload of a protected page goes to the login page
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await page.waitForURL(/\/login/);
    await expect.poll(() => page.getByText("You are logged out.").isVisible()).toBe(true);
    await expectHeaderSignedOut(page);
    await page.goto(`${server.url}/account`);
    await page.waitForURL(/\/login\?next=%2Faccount/);
    await page.reload();
    await page.waitForURL(/\/login\?next=%2Faccount/);
    expect(await heading(page)).toBe("Log in");
    await context.close();
  });

  it("resets a forgotten password from the e-mailed link, and offers a new link to an unverified account", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 780 } });
    const page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && console.log("browser:", m.text()));
    page.on("pageerror", (e) => console.log("page error:", e.message));

    // an account that never opened its confirmation link
    const [code] = await createAccessCodes(server.services.db, 1);
    const email = "forgetful@example.com";
    await server.client().trpc.auth.register.mutate({ email, password: "the original passphrase", accessCode: code! });
    await waitForLink(smtp.mail, email, "verify");
    await page.goto(`${server.url}/login`);
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password", { exact: true }).fill("the original passphrase");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Confirm your e-mail address first");
    const before = smtp.mail.length;
    await page.getByRole("button", { name: "Send a new confirmation link" }).click();
    await expect.poll(() => page.getByText(/new confirmation link is on its way/).isVisible()).toBe(true);
    await waitForLink(smtp.mail, email, "verify", before);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "auth-login-unverified-375");

    // forgot password
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.waitForURL(/\/forgot-password/);
    // the page is loaded on demand: until it shows, the login form (with its own E-mail field) is still on screen
    await expect.poll(() => heading(page)).toBe("Forgot your password?");
    await page.getByLabel("E-mail").fill(email);
    await expectNoSeriousA11yViolations(page);
    await page.getByRole("button", { name: "Send the link" }).click();
    await expect.poll(() => page.getByText(/a link to choose a new password is on its way/).isVisible()).toBe(true);
    await screenshot(page, "auth-forgot-375");

    const token = await waitForLink(smtp.mail, email, "reset-password");
    await page.goto(`${server.url}/reset-password?token=${token}`);
    await expect.poll(() => heading(page)).toBe("Choose a new password");
    await page.getByLabel("New password").fill("password123");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await expect.poll(() => page.getByText(/list of common passwords/).isVisible()).toBe(true);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "auth-reset-375");
    await page.getByLabel("New password").fill("a completely new passphrase");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.waitForURL(/\/login$/);
    await expect.poll(() => page.getByText(/Your password is changed/).isVisible()).toBe(true);

    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password", { exact: true }).fill("a completely new passphrase");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await context.close();
  });
});
