/// <reference lib="dom" />
/**
 * First-load figures of a page as a phone on a slow network sees them, measured in Chromium over CDP: the
 * JavaScript bytes on the wire (compressed, headers included) and the first contentful paint under 4× CPU
 * throttling on a 1.6 Mbps / 150 ms network. Used by the budget test (e2e/page-load.test.ts) and `pnpm bench`.
 */
import type { Browser } from "playwright-core";

export interface PageLoad {
  /** JavaScript bytes transferred (what the network carried, compressed) */
  jsBytes: number;
  jsFiles: { url: string; bytes: number; encoding: string | null }[];
  /** first contentful paint, ms from navigation start */
  firstPaintMs: number;
  /** every request the page made, for origin checks */
  requests: string[];
}

export const SLOW_PHONE = {
  cpuSlowdown: 4,
  latencyMs: 150,
  // 1.6 Mbps down, 750 kbps up (Lighthouse's "slow 4G"), in bytes per second
  downloadBytesPerSec: (1.6 * 1024 * 1024) / 8,
  uploadBytesPerSec: (750 * 1024) / 8,
};

export async function measurePageLoad(browser: Browser, url: string, opts: { throttle?: boolean } = {}): Promise<PageLoad> {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    if (opts.throttle) {
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: SLOW_PHONE.cpuSlowdown });
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: SLOW_PHONE.latencyMs,
        downloadThroughput: SLOW_PHONE.downloadBytesPerSec,
        uploadThroughput: SLOW_PHONE.uploadBytesPerSec,
      });
    }
    const scripts = new Map<string, { url: string; encoding: string | null }>();
    const jsFiles: PageLoad["jsFiles"] = [];
    const requests: string[] = [];
    cdp.on("Network.requestWillBeSent", (e) => requests.push(e.request.url));
    cdp.on("Network.responseReceived", (e) => {
      if (e.type === "Script" || /\.m?js(\?|$)/.test(e.response.url)) {
        const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
        scripts.set(e.requestId, { url: e.response.url, encoding: h["content-encoding"] ?? null });
      }
    });
    cdp.on("Network.loadingFinished", (e) => {
      const s = scripts.get(e.requestId);
      if (s) jsFiles.push({ ...s, bytes: e.encodedDataLength });
    });
    await page.goto(url, { waitUntil: "load" });
    // the first paint with content: the SPA's shell, rendered by React (index.html itself shows nothing)
    const firstPaintMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const seen = performance.getEntriesByName("first-contentful-paint")[0];
          if (seen) return resolve(seen.startTime);
          new PerformanceObserver((list) => {
            const e = list.getEntriesByName("first-contentful-paint")[0];
            if (e) resolve(e.startTime);
          }).observe({ type: "paint", buffered: true });
        }),
    );
    await page.waitForLoadState("networkidle");
    return { jsBytes: jsFiles.reduce((n, f) => n + f.bytes, 0), jsFiles, firstPaintMs: Math.round(firstPaintMs), requests };
  } finally {
    await context.close();
  }
}
