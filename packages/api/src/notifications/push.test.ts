import { createECDH, createPublicKey, randomBytes, verify } from "node:crypto";
import { decrypt } from "http_ece";
import { eq } from "drizzle-orm";
import { notificationDeliveries, pushSubscriptions } from "@ucie/db";
import { createTestDb, defaultTestDbKind, type TestDatabase } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAlerts } from "../alerts/evaluate";
import { FakeClock } from "../lib/clock";
import type { Services } from "../services";
import { startReceiver, selfSignedCert, type Answer, type ReceivedRequest, type Receiver } from "../testing/receiver";
import { loginCaller, seedCoins, setPrice, testServices } from "../testing/services";
import { deliverBatch } from "./deliver";

/** A browser's side of a subscription: its ECDH key pair and auth secret. */
function browserKeys() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16).toString("base64url");
  return { ecdh, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth } };
}

/** Checks the VAPID JWT (ES256) against the server's public key, as a push service does. */
function checkVapid(r: ReceivedRequest, publicKey: string, audience: string) {
  const m = /^vapid t=([^,]+), k=(.+)$/.exec(String(r.headers.authorization));
  expect(m, "VAPID Authorization header").not.toBeNull();
  const [jwt, k] = [m![1]!, m![2]!];
  expect(k).toBe(publicKey);
  const [h, p, s] = jwt.split(".") as [string, string, string];
  const point = Buffer.from(publicKey, "base64url");
  const key = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") },
    format: "jwk",
  });
  expect(verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"))).toBe(true);
  expect(JSON.parse(Buffer.from(p, "base64url").toString())).toMatchObject({
    aud: audience,
    sub: expect.stringMatching(/^(mailto:|https:)/),
  });
}

describe("Web Push through a local https push service", () => {
  let database: TestDatabase;
  let services: Services;
  let pushService: Receiver;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));
  let plan: (r: ReceivedRequest) => Answer = () => ({ status: 201 });

  beforeAll(async () => {
    const tls = selfSignedCert();
    pushService = await startReceiver((r) => plan(r), tls);
    database = await createTestDb(defaultTestDbKind());
    // web-push sends only over https: the test's push service has a self-signed certificate, trusted here
    services = testServices(database, clock, { delivery: { allowPrivate: true, ca: tls.cert } });
    await seedCoins(services.db);
  });
  afterAll(async () => {
    await pushService?.close();
    await services?.events.close();
    await database?.close();
  });

  it("an alert firing reaches the browser: aes128gcm, VAPID signed, decryptable with the subscription's keys", async () => {
    const me = await loginCaller(services);
    const browser = browserKeys();
    const endpoint = `${pushService.url}/push/browser-1`;
    await me.caller.notifications.subscribePush({ endpoint, keys: browser.keys });
    const { publicKey } = await me.caller.notifications.pushPublicKey();
    expect(publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);

    await setPrice(services.db, "bitcoin", 100);
    await me.caller.alerts.create({ symbol: "bitcoin", type: "price_above", threshold: 150 });
    await setPrice(services.db, "bitcoin", 200);
    clock.advance(60_000);
    await evaluateAlerts(services);
    expect(await deliverBatch(services)).toMatchObject({ delivered: 1 });

    const r = pushService.requests.find((x) => x.path === "/push/browser-1")!;
    expect(r.headers["content-encoding"]).toBe("aes128gcm");
    expect(Number(r.headers.ttl)).toBeGreaterThan(0);
    checkVapid(r, publicKey, pushService.url);
    const shown = JSON.parse(
      decrypt(r.body, { version: "aes128gcm", privateKey: browser.ecdh, authSecret: browser.keys.auth }).toString("utf8"),
    );
    expect(shown).toMatchObject({ title: "UCIE: BTC", url: "/token/bitcoin", body: expect.stringContaining("BTC price at or above $150") });
  });

  it("the same VAPID keys for every instance, kept in the database", async () => {
    const other = testServices(database, clock);
    const me = await loginCaller(other);
    const a = await me.caller.notifications.pushPublicKey();
    const b = await (await loginCaller(services)).caller.notifications.pushPublicKey();
    expect(a).toEqual(b);
    await other.events.close();
  });

  it("a push service answering 410 removes the subscription", async () => {
    plan = (r) => (r.path === "/push/gone" ? { status: 410 } : { status: 201 });
    const me = await loginCaller(services);
    await me.caller.notifications.subscribePush({ endpoint: `${pushService.url}/push/gone`, keys: browserKeys().keys });
    const { ids } = await me.caller.notifications.test({ id: "push" });
    await deliverBatch(services);
    expect(await services.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, me.userId))).toEqual([]);
    const [row] = await services.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, ids[0]!));
    expect(row).toMatchObject({ status: "failed", lastError: expect.stringMatching(/410/) });
    expect((await me.caller.notifications.channels()).find((c) => c.id === "push")).toMatchObject({ enabled: false });
  });
});
