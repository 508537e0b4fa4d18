/**
 * Browser-test helpers: a real UCIE server (built SPA, fresh database), Debian's Chromium driven by
 * playwright-core, an axe-core accessibility check, and screenshots under e2e/screenshots/.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { startTestServer, type TestServer, type TestServerOptions } from "@ucie/server/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
export const screenshotDir = path.join(here, "screenshots");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A server serving the built SPA (`pnpm test:e2e` builds it first). */
export async function startE2EServer(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer(opts);
}

/**
 * For a describe block: before all, a server (`startE2EServer(serverOptions())`) and a browser, handed to
 * `use`; after all, the browser closed, then the server.
 */
export function withServerAndBrowser(
  use: (server: TestServer, browser: Browser) => void | Promise<void>,
  serverOptions: () => TestServerOptions = () => ({}),
): void {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startE2EServer(serverOptions());
    browser = await launchBrowser();
    await use(server, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
}

/** Fail on any serious or critical axe-core violation on the current page. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  // evaluate, not a script tag: our CSP rightly refuses inline scripts
  await page.evaluate(axe.source);
  const result = await page.evaluate(async () => {
    // the page's copy of axe-core, injected above
    const r = await (window as Window & { axe?: typeof axe }).axe!.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length) throw new Error(`axe-core violations on ${page.url()}:\n${JSON.stringify(serious, null, 2)}`);
}

/** The page's header alone (what a screenshot of a long page makes too small to read). */
export async function screenshotHeader(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.locator("header.app-header").screenshot({ path: file });
  return file;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The header as a signed-in user sees it, without a reload: no "Log in" or "Register" link, and the account
 * link (titled with the e-mail). Polled, so a header that never catches up with the session fails.
 */
export async function expectHeaderSignedIn(page: Page, email: string): Promise<void> {
  const header = page.locator("header.app-header");
  const account = header.getByRole("link", { name: "Account", exact: true });
  await expect.poll(() => account.isVisible()).toBe(true);
  expect(await account.getAttribute("title")).toBe(email);
  expect(await header.getByRole("link", { name: "Log in" }).count()).toBe(0);
  expect(await header.getByRole("link", { name: "Register" }).count()).toBe(0);
}

/** The header as a visitor sees it: "Log in" and "Register", no account link. */
export async function expectHeaderSignedOut(page: Page): Promise<void> {
  const header = page.locator("header.app-header");
  await expect.poll(() => header.getByRole("link", { name: "Log in" }).isVisible()).toBe(true);
  expect(await header.getByRole("link", { name: "Account", exact: true }).count()).toBe(0);
  expect(await header.getByRole("link", { name: "Notifications", exact: true }).count()).toBe(0);
}
