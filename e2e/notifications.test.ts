/**
 * Notification settings in Chromium: add a webhook (the secret is shown once), test it against a real local
 * receiver, and watch the delivery go from queued to delivered; the receiver checks the signature with the
 * secret the page showed; the service worker turns a push message into a notification. axe-clean; screenshots
 * at desktop and phone width.
 */
import { createHmac } from "node:crypto";
import { deliverBatch } from "@ucie/api";
import { startReceiver, type Receiver } from "@ucie/api/testing";
import type { TestServer } from "@ucie/server/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations, launchBrowser, screenshot, startE2EServer } from "./helpers";

describe("notification settings in the browser", () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    receiver = await startReceiver();
    // the receiver is on 127.0.0.1: a self-hoster's setting
    server = await startE2EServer({ env: { WEBHOOK_ALLOW_PRIVATE: "true" } });
    browser = await launchBrowser();
    const { token } = await server.signedInClient();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: "ucie_session", value: token, url: server.url }]);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  it("adds a webhook, tests it, and shows the delivery", async () => {
    await page.goto(`${server.url}/account`);
    await page.getByRole("link", { name: "Notification settings" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Notifications");
    await expect.poll(() => page.getByText("No webhook yet.").isVisible()).toBe(true);

    // a URL that can never be reached from the server is refused beside the field
    await page.getByLabel("URL").fill("http://169.254.169.254/latest");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/cannot be reached/);

    await page.getByLabel("URL").fill(`${receiver.url}/hook`);
    await page.getByLabel("Name (optional)").fill("My receiver");
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secretBox = page.getByLabel("Signing secret");
    await expect.poll(() => secretBox.textContent()).toMatch(/^whsec_/);
    const secret = (await secretBox.textContent())!;
    await expect.poll(() => page.locator(".webhooks-table tbody tr").first().textContent()).toContain("My receiver");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "notifications-added-desktop");

    await page.getByRole("button", { name: "Test My receiver" }).click();
    const row = page.locator(".deliveries-table tbody tr").first();
    await expect.poll(() => row.textContent()).toContain("Queued");
    // the delivery worker's pass (the test server runs no background jobs)
    expect(await deliverBatch(server.services)).toMatchObject({ delivered: 1 });
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain("Delivered");

    const got = receiver.requests.find((r) => r.path === "/hook")!;
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(got.headers["x-ucie-signature"]))!;
    expect(
      createHmac("sha256", secret)
        .update(`${t}.${got.body.toString("utf8")}`)
        .digest("hex"),
    ).toBe(v1);
    expect(JSON.parse(got.body.toString("utf8"))).toMatchObject({ id: got.headers["x-ucie-delivery"], type: "test" });

    await page.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => secretBox.count()).toBe(0);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "notifications-desktop");
    await page.setViewportSize({ width: 375, height: 800 });
    await expect.poll(() => page.locator(".deliveries-table tbody tr").first().textContent()).toContain("Delivered");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, "notifications-phone");
  });

  it("the service worker shows a pushed alert as a notification that links to the coin", async () => {
    await context.grantPermissions(["notifications"], { origin: server.url });
    await page.goto(`${server.url}/account/notifications`);
    const cdp = await context.newCDPSession(page);
    const registered = new Promise<string>((resolve) =>
      cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: { registrationId: string; scopeURL: string }[] }) => {
        const reg = e.registrations.find((r) => r.scopeURL === `${server.url}/`);
        if (reg) resolve(reg.registrationId);
      }),
    );
    await cdp.send("ServiceWorker.enable");
    await page.evaluate(async () => {
      await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
    });
    // what the push service hands the browser once decrypted: the server's pushPayload()
    const data = JSON.stringify({
      title: "UCIE: BTC",
      body: "BTC price at or above $31,000. Value 31500.",
      url: "/token/bitcoin",
      tag: "d-1",
    });
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: `${server.url}/`, registrationId: await registered, data });
    const shown = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          url: (n.data as { url?: string } | null)?.url,
        })),
      );
    await expect
      .poll(shown, { timeout: 10_000 })
      .toEqual([{ title: "UCIE: BTC", body: "BTC price at or above $31,000. Value 31500.", url: "/token/bitcoin" }]);
  });
});
