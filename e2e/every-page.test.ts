/**
 * Every page, online (fake CoinGecko serving logo images) and offline, at 1280 and 375 px: the browser
 * asks nothing of another origin, no image request fails, links in text are underlined, and a screenshot
 * of each is saved for review (e2e/screenshots/page-*.png).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMissingLogos, syncCatalogue } from "@ucie/api";
import { startFakeUpstream, type FakeUpstream } from "@ucie/api/testing";
import type { TestServer } from "@ucie/server/testing";
import { launchBrowser, screenshot, startE2EServer } from "./helpers";

const PUBLIC_PAGES = ["/", "/login", "/register", "/forgot-password", "/check-inbox", "/verify", "/reset-password", "/no-such-page"];
const SIGNED_IN_PAGES = ["/", "/token/bitcoin", "/watchlist", "/alerts", "/account"];

/** Open a page and report every request to another origin and every image that did not load. */
async function visit(page: Page, url: string, ready: (page: Page) => Promise<void>) {
  const origin = new URL(url).origin;
  const foreign: string[] = [];
  const brokenImages: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith("data:") && new URL(r.url()).origin !== origin) foreign.push(r.url());
  });
  page.on("requestfailed", (r) => {
    if (r.resourceType() === "image") brokenImages.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.request().resourceType() === "image" && r.status() >= 400) brokenImages.push(`${r.url()} ${r.status()}`);
  });
  await page.goto(url);
  await ready(page);
  await page.waitForLoadState("networkidle");
  return { foreign, brokenImages };
}

const slug = (p: string) => (p === "/" ? "home" : p.slice(1).replace(/\//g, "-"));

async function settled(page: Page) {
  await expect.poll(() => page.locator(".page-loading, [aria-busy=true]").count(), { timeout: 20_000 }).toBe(0);
  if (page.url().includes("/token/")) {
    await expect.poll(() => page.locator("ol.stepper > li.waiting, ol.stepper > li.running").count(), { timeout: 45_000 }).toBe(0);
    await expect.poll(() => page.locator(".price-chart canvas").count()).toBeGreaterThan(0);
  }
}

for (const mode of ["online", "offline"] as const) {
  describe(`every page ${mode}`, () => {
    let up: FakeUpstream | undefined;
    let server: TestServer;
    let browser: Browser;
    let token: string;
    beforeAll(async () => {
      if (mode === "online") up = await startFakeUpstream();
      server = await startE2EServer({ env: up ? { MARKET_DATA: "live", UPSTREAM_TIMEOUT_MS: "5000", ...up.env } : {} });
      if (up) {
        await syncCatalogue(server.services);
        await fetchMissingLogos(server.services);
      }
      const user = await server.signedInClient();
      token = user.token;
      await user.trpc.watchlist.add.mutate({ symbol: "bitcoin" });
      await user.trpc.watchlist.add.mutate({ symbol: "dogecoin" });
      await user.trpc.alerts.create.mutate({ symbol: "ethereum", type: "price_above", threshold: 1_000_000 });
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await up?.close();
    });

    for (const width of [1280, 375]) {
      it(`asks no other origin on any page at ${width} px`, async () => {
        const visitor = await browser.newContext({ viewport: { width, height: 900 } });
        const member = await browser.newContext({ viewport: { width, height: 900 } });
        await member.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
        try {
          for (const [context, pages, who] of [
            [visitor, PUBLIC_PAGES, "visitor"],
            [member, SIGNED_IN_PAGES, "member"],
          ] as const) {
            for (const p of pages) {
              const page = await context.newPage();
              const seen = await visit(page, `${server.url}${p}`, settled);
              expect(seen.foreign, `${p} (${who})`).toEqual([]);
              expect(seen.brokenImages, `${p} (${who})`).toEqual([]);
              // links in running text are told apart without colour (axe link-in-text-block)
              const plainLinks = await page
                .locator(":is(p, li, dd, figcaption) a:not(.btn)")
                .evaluateAll((links) =>
                  links.filter((l) => !getComputedStyle(l).textDecorationLine.includes("underline")).map((l) => l.textContent),
                );
              expect(plainLinks, `${p} (${who})`).toEqual([]);
              await screenshot(page, `page-${mode}-${who}-${slug(p)}-${width}`);
              if (p === "/" && who === "member") {
                // logos from our own origin online; drawn badges offline
                const logos = page.locator(".market-table tbody tr img.coin-logo");
                if (mode === "online") {
                  await expect.poll(() => logos.count()).toBeGreaterThan(10);
                  expect(await logos.first().getAttribute("src")).toMatch(/^\/logos\/bitcoin\?v=/);
                } else {
                  expect(await logos.count()).toBe(0);
                  expect(await page.locator(".market-table tbody tr .coin-fallback").count()).toBeGreaterThan(10);
                }
              }
              await page.close();
            }
          }
        } finally {
          await visitor.close();
          await member.close();
        }
      });
    }
  });
}
