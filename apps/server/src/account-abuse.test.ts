/**
 * What a stranger must not be able to do to someone else's account, over real HTTP behind a trusted
 * proxy (each attacker and owner is its own X-Forwarded-For address): lock the owner out, stop the
 * owner's reset or verification mail, write rows for every refused request, or learn who is registered.
 */
import { createHash } from "node:crypto";
import { createAccessCodes } from "@ucie/api";
import { accessCodes, authLogs, authThrottle } from "@ucie/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "./testing";

const PASSWORD = "a sturdy test passphrase";

/** A browser at one address: every request carries its X-Forwarded-For. */
function at(server: TestServer, ip: string, browser: TestClient = server.client()) {
  const call = (procedure: string, input: unknown) =>
    browser.fetch(`/trpc/${procedure}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": ip },
      body: JSON.stringify({ json: input }),
    });
  return { browser, call, login: (email: string, password: string) => call("auth.login", { email, password }) };
}

async function waitForMail(server: TestServer, to: string, pattern: RegExp, count = 1): Promise<void> {
  await expect.poll(() => server.mail.filter((m) => m.to === to && pattern.test(m.text)).length, { timeout: 5000 }).toBe(count);
}

/** Register, verify and log in from 192.0.2.1: the browser returned holds the account's device cookie. */
async function signUp(server: TestServer, email: string): Promise<TestClient> {
  const owner = at(server, "192.0.2.1");
  const [code] = await createAccessCodes(server.services.db, 1);
  expect((await owner.call("auth.register", { email, password: PASSWORD, accessCode: code! })).status).toBe(200);
  await waitForMail(server, email, /\/verify\?token=/);
  const token = /\/verify\?token=([\w-]+)/.exec(server.mail.find((m) => m.to === email)!.text)![1]!;
  expect((await owner.call("auth.verifyEmail", { token })).status).toBe(200);
  expect((await owner.login(email, PASSWORD)).status).toBe(200);
  return owner.browser;
}

describe("account abuse over HTTP", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: "true" } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a stranger cannot lock the owner out: 12 wrong passwords from one address, the owner logs in from another", async () => {
    const ownBrowser = await signUp(server, "bob@example.com");
    expect(ownBrowser.cookies.get("ucie_device")).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const attacker = at(server, "203.0.113.1");
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await attacker.login("bob@example.com", `guess ${i}`)).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);

    // the owner, on a browser never used before, from elsewhere
    const fresh = await at(server, "198.51.100.2").login("bob@example.com", PASSWORD);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("retry-after")).toBeNull();
  });

  it("failures from many addresses slow the account down for unknown browsers only; the owner's own browser gets in, and the owner is e-mailed once", async () => {
    const ownBrowser = await signUp(server, "carol@example.com");
    // 21 failures from three addresses (none over its own limit): the account-wide limit is passed
    let n = 0;
    for (const ip of ["203.0.113.11", "203.0.113.12", "203.0.113.13"]) {
      for (let i = 0; i < 7; i++) expect((await at(server, ip).login("carol@example.com", `guess ${n++}`)).status).toBe(401);
    }
    await waitForMail(server, "carol@example.com", /failed log-ins/);
    // the slow-down: one try per 30 s for unknown browsers, and the attacker has just used it
    expect((await at(server, "203.0.113.14").login("carol@example.com", "one more guess")).status).toBe(401);
    const stranger = await at(server, "198.51.100.3").login("carol@example.com", PASSWORD);
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get("retry-after"))).toBeLessThanOrEqual(30);

    // the owner's browser, recognised by its device cookie, from yet another address
    const own = await at(server, "198.51.100.4", ownBrowser).login("carol@example.com", PASSWORD);
    expect(own.status).toBe(200);
    // more failures in the same window: no second e-mail
    await at(server, "203.0.113.15").login("carol@example.com", "again");
    const alerts = await server.services.db
      .select()
      .from(authLogs)
      .where(and(eq(authLogs.eventType, "security_alert")));
    expect(alerts).toHaveLength(1);
    expect(server.mail.filter((m) => m.to === "carol@example.com" && /failed log-ins/.test(m.text))).toHaveLength(1);
  });

  it("a forged or foreign device cookie exempts nobody", async () => {
    const daveBrowser = await signUp(server, "dave@example.com");
    await signUp(server, "erin@example.com");
    for (let i = 0; i < 21; i++) await at(server, `203.0.113.${30 + (i % 3)}`).login("erin@example.com", `guess ${i}`);
    await at(server, "203.0.113.40").login("erin@example.com", "use up the slot");
    // dave's genuine cookie is for dave, not erin; a tampered one is no one's
    const withDaves = await at(server, "198.51.100.5", daveBrowser).login("erin@example.com", PASSWORD);
    expect(withDaves.status).toBe(429);
    const forged = server.client();
    const [userId, nonce] = daveBrowser.cookies.get("ucie_device")!.split(".");
    forged.cookies.set("ucie_device", `${userId}.${nonce}.AAAA`);
    expect((await at(server, "198.51.100.6", forged).login("erin@example.com", PASSWORD)).status).toBe(429);
  });

  it("a blocked address writes one rate_limited row per window and no throttle write per refused request", async () => {
    const attacker = at(server, "203.0.113.50");
    // a password spray: one guess at each of 100 addresses uses up the address's 100 attempts
    for (let i = 0; i < 100; i++) expect((await attacker.login(`spray${i}@example.com`, "Password1!")).status).toBe(401);
    expect((await attacker.login("spray-next@example.com", "Password1!")).status).toBe(429);
    const before = await server.services.db.select().from(authThrottle);
    for (let i = 0; i < 20; i++) expect((await attacker.login(`more${i}@example.com`, "Password1!")).status).toBe(429);
    expect(await server.services.db.select().from(authThrottle)).toEqual(before);
    const rows = await server.services.db
      .select()
      .from(authLogs)
      .where(and(eq(authLogs.eventType, "rate_limited"), eq(authLogs.ipAddress, "203.0.113.50")));
    expect(rows).toHaveLength(1);
  }, 60_000);

  it("reset and verification requests always answer ok: five from a stranger do not stop the owner's mail", async () => {
    await signUp(server, "grace@example.com");
    const stranger = at(server, "203.0.113.60");
    for (let i = 0; i < 5; i++) {
      const res = await stranger.call("auth.requestPasswordReset", { email: "grace@example.com" });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { result: { data: { json: unknown } } }).result.data.json).toEqual({ ok: true });
    }
    // three reached the inbox; the rest were asked for, answered, and not sent
    await waitForMail(server, "grace@example.com", /reset-password\?token=/, 3);
    const owner = await at(server, "198.51.100.7").call("auth.requestPasswordReset", { email: "grace@example.com" });
    expect(owner.status).toBe(200);
    await waitForMail(server, "grace@example.com", /reset-password\?token=/, 4);

    // the same for a new account's confirmation link
    const [code] = await createAccessCodes(server.services.db, 1);
    await at(server, "198.51.100.8").call("auth.register", { email: "heidi@example.com", password: PASSWORD, accessCode: code! });
    await waitForMail(server, "heidi@example.com", /verify\?token=/);
    for (let i = 0; i < 5; i++) expect((await stranger.call("auth.resendVerification", { email: "heidi@example.com" })).status).toBe(200);
    await waitForMail(server, "heidi@example.com", /verify\?token=/, 4);
    expect((await at(server, "198.51.100.8").call("auth.resendVerification", { email: "heidi@example.com" })).status).toBe(200);
    await waitForMail(server, "heidi@example.com", /verify\?token=/, 5);
  });

  it("registering an address that has an account answers as for a new one, keeps the code, and tells the owner instead", async () => {
    await signUp(server, "ivan@example.com");
    const [code] = await createAccessCodes(server.services.db, 1);
    const res = await at(server, "203.0.113.70").call("auth.register", {
      email: "ivan@example.com",
      password: PASSWORD,
      accessCode: code!,
    });
    expect(res.status).toBe(200);
    const user = ((await res.json()) as { result: { data: { json: { id: string; email: string; emailVerified: boolean } } } }).result.data
      .json;
    expect(user).toMatchObject({ email: "ivan@example.com", emailVerified: false });
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    await waitForMail(server, "ivan@example.com", /already has one/);
    const [row] = await server.services.db
      .select()
      .from(accessCodes)
      .where(eq(accessCodes.codeHash, createHash("sha256").update(code!).digest("hex")));
    expect(row!.redeemed).toBe(false);
    // the code still makes an account for a new address
    const fresh = await at(server, "203.0.113.70").call("auth.register", {
      email: "judy@example.com",
      password: PASSWORD,
      accessCode: code!,
    });
    expect(fresh.status).toBe(200);
  });
});
