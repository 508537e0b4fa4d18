/**
 * Every page, signed out and signed in, at desktop and phone width: axe-core finds no serious or critical
 * violation, the page has one h1, and nothing overflows sideways at 375 px.
 */
import type { TestServer } from "@ucie/server/testing";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations, launchBrowser, startE2EServer } from "./helpers";

const PUBLIC = [
  "/",
  "/login",
  "/register",
  "/check-inbox?email=someone%40example.com",
  "/verify?token=not-a-real-token",
  "/forgot-password",
  "/reset-password?token=not-a-real-token",
  "/no/such/page",
];
const SIGNED_IN = ["/watchlist", "/alerts", "/alerts?symbol=ethereum", "/account", "/account/notifications", "/token/bitcoin"];

describe("accessibility sweep", () => {
  let server: TestServer;
  let browser: Browser;
  let token: string;
  beforeAll(async () => {
    server = await startE2EServer();
    browser = await launchBrowser();
    const client = await server.signedInClient();
    token = client.token;
    await client.trpc.watchlist.add.mutate({ symbol: "bitcoin", notes: "long term" });
    await client.trpc.alerts.create.mutate({ symbol: "ethereum", type: "price_below", threshold: 1000 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const width of [1280, 375]) {
    it(`finds no serious violation on any page at ${width} px`, async () => {
      const failures: string[] = [];
      for (const [paths, signedIn] of [
        [PUBLIC, false],
        [SIGNED_IN, true],
      ] as const) {
        const context: BrowserContext = await browser.newContext({ viewport: { width, height: 900 } });
        if (signedIn) await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
        const page = await context.newPage();
        for (const path of paths) {
          await page.goto(`${server.url}${path}`);
          await page.getByRole("heading", { level: 1 }).first().waitFor({ timeout: 15_000 });
          // let data arrive (the token page streams its phases) before judging the page
          await page.waitForLoadState("networkidle").catch(() => {});
          if (path.startsWith("/token/")) await page.getByText("Synthesis and outlook").first().waitFor({ timeout: 30_000 });
          try {
            await expectNoSeriousA11yViolations(page);
          } catch (err) {
            failures.push(`${path}: ${(err as Error).message}`);
          }
          const h1s = await page.getByRole("heading", { level: 1 }).count();
          if (h1s !== 1) failures.push(`${path}: ${h1s} h1 elements`);
          if (width === 375) {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            if (overflow > 1) failures.push(`${path}: ${overflow}px horizontal overflow at 375 px`);
          }
        }
        await context.close();
      }
      expect(failures).toEqual([]);
    });
  }
});
