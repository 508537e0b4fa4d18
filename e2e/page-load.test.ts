/**
 * The home page's JavaScript budget in Chromium: under 150 KB on the wire, every file compressed. Its paint
 * budget (first contentful paint under 2.5 s on a throttled phone) is a speed target, so it lives in
 * `pnpm bench` (`bench/page-load.bench.ts`), not in a test whose time depends on whatever else the machine runs.
 */
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { TestServer } from "@ucie/server/testing";
import { withServerAndBrowser } from "./helpers";
import { measurePageLoad } from "./page-load";

describe("home page first load", () => {
  let server: TestServer;
  let browser: Browser;
  withServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it("sends under 150 KB of compressed JavaScript", async () => {
    const load = await measurePageLoad(browser, server.url);
    console.log("home JS on the wire:", load.jsBytes, load.jsFiles);
    expect(load.jsFiles.length).toBeGreaterThan(0);
    for (const f of load.jsFiles) expect(String(f.encoding), f.url).toMatch(/^(br|gzip)$/);
    expect(load.jsBytes).toBeLessThan(150 * 1024);
  });
});
