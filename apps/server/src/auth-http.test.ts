/**
 * Accounts over real HTTP: the cookie's attributes, throttling with Retry-After, which client address
 * counts, revocation across two server instances, and what reaches the server log.
 */
import { createAccessCodes, createLogger } from "@ucie/api";
import { authLogs, sessions } from "@ucie/db";
import { desc, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerPair, startTestServer, type ServerPair, type TestClient, type TestServer } from "./testing";

const PASSWORD = "a sturdy test passphrase";

interface ParsedCookie {
  name: string;
  value: string;
  attrs: Record<string, string | true>;
}

function parseSetCookie(line: string): ParsedCookie {
  const [pair, ...rest] = line.split(";").map((s) => s.trim());
  const eq = pair!.indexOf("=");
  const attrs: Record<string, string | true> = {};
  for (const a of rest) {
    const i = a.indexOf("=");
    if (i < 0) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
  }
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attrs };
}

/** A tRPC mutation as a browser sends it, to see the raw status and headers. */
function post(client: TestClient, procedure: string, input: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return client.fetch(`/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: input }),
  });
}

/** Register, open the mailed link and log in, through the server's public API. */
async function signUp(server: TestServer, email: string, password = PASSWORD): Promise<TestClient> {
  const client = server.client();
  const [code] = await createAccessCodes(server.services.db, 1);
  const sent = server.mail.length;
  await client.trpc.auth.register.mutate({ email, password, accessCode: code! });
  let text: string | undefined;
  for (let i = 0; i < 200 && !text; i++) {
    text = server.mail.slice(sent).find((m) => m.to === email)?.text;
    if (!text) await new Promise((r) => setTimeout(r, 10));
  }
  const token = /\/verify\?token=([\w-]+)/.exec(text ?? "")?.[1];
  if (!token) throw new Error(`no verification e-mail for ${email}`);
  await client.trpc.auth.verifyEmail.mutate({ token });
  await client.trpc.auth.login.mutate({ email, password });
  return client;
}

describe("accounts over HTTP", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("sets an HttpOnly, SameSite=Lax, Path=/ session cookie on login and expires it on logout", async () => {
    await signUp(server, "cookie@example.com");
    const browser = server.client();
    const login = await post(browser, "auth.login", { email: "cookie@example.com", password: PASSWORD });
    expect(login.status).toBe(200);
    const set = login.headers.getSetCookie().map(parseSetCookie);
    expect(set.map((c) => c.name)).toEqual(["ucie_session", "ucie_device"]);
    const cookie = set[0]!;
    // the device cookie (recognises this browser under an account-wide slow-down) is as private as the session's
    expect(set[1]!.attrs).toMatchObject({ httponly: true, samesite: "Lax", path: "/" });
    expect(cookie.name).toBe("ucie_session");
    expect(cookie.value.length).toBeGreaterThanOrEqual(22);
    expect(cookie.attrs.httponly).toBe(true);
    expect(cookie.attrs.samesite).toBe("Lax");
    expect(cookie.attrs.path).toBe("/");
    expect(cookie.attrs.secure).toBeUndefined(); // plain http: a Secure cookie would never come back
    expect(cookie.attrs.domain).toBeUndefined();
    expect(new Date(cookie.attrs.expires as string).getTime()).toBeGreaterThan(Date.now());

    const me = await browser.fetch("/trpc/auth.me");
    expect(((await me.json()) as { result: { data: { json: unknown } } }).result.data.json).toMatchObject({ email: "cookie@example.com" });

    const logout = await post(browser, "auth.logout", null);
    expect(logout.status).toBe(200);
    const cleared = parseSetCookie(logout.headers.getSetCookie()[0]!);
    expect(cleared).toMatchObject({ name: "ucie_session", value: "" });
    expect(new Date(cleared.attrs.expires as string).getTime()).toBeLessThanOrEqual(Date.now());

    // the old cookie, replayed, is refused
    const replay = server.client();
    replay.cookies.set("ucie_session", cookie.value);
    expect((await replay.fetch("/trpc/auth.sessions")).status).toBe(401);
  });

  it("answers 429 with Retry-After after too many failed logins, without touching other accounts", async () => {
    await signUp(server, "target@example.com");
    await signUp(server, "neighbour@example.com");
    const attacker = server.client();
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) last = await post(attacker, "auth.login", { email: "target@example.com", password: `guess number ${i}` });
    expect(last!.status).toBe(429);
    const retryAfter = Number(last!.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(((await last!.json()) as { error: { json: { message: string } } }).error.json.message).toMatch(/Too many attempts/);

    const neighbour = await post(server.client(), "auth.login", { email: "neighbour@example.com", password: PASSWORD });
    expect(neighbour.status).toBe(200);
    expect(neighbour.headers.get("retry-after")).toBeNull();
  });

  it("ignores X-Forwarded-For unless TRUST_PROXY is set", async () => {
    await post(
      server.client(),
      "auth.login",
      { email: "spoof@example.com", password: "whatever it is" },
      { "x-forwarded-for": "203.0.113.99" },
    );
    const [row] = await server.services.db.select().from(authLogs).orderBy(desc(authLogs.timestamp)).limit(1);
    expect(row!.eventType).toBe("failed_login");
    expect(row!.ipAddress).not.toBe("203.0.113.99");
    expect(row!.ipAddress).toMatch(/127\.0\.0\.1/);

    const proxied = await startTestServer({ env: { TRUST_PROXY: "true" } });
    try {
      await post(
        proxied.client(),
        "auth.login",
        { email: "spoof@example.com", password: "whatever it is" },
        {
          "x-forwarded-for": "203.0.113.99",
          "user-agent": "Proxied Browser",
        },
      );
      const [viaProxy] = await proxied.services.db.select().from(authLogs).orderBy(desc(authLogs.timestamp)).limit(1);
      expect(viaProxy).toMatchObject({ eventType: "failed_login", ipAddress: "203.0.113.99", userAgent: "Proxied Browser" });
    } finally {
      await proxied.close();
    }
  });
});

describe("the cookie over https", () => {
  it("is named __Host-ucie_session and marked Secure when PUBLIC_URL is https", async () => {
    const server = await startTestServer({ env: { PUBLIC_URL: "https://ucie.example" } });
    try {
      const [code] = await createAccessCodes(server.services.db, 1);
      const client = server.client();
      await client.trpc.auth.register.mutate({ email: "secure@example.com", password: PASSWORD, accessCode: code! });
      const token = /token=([\w-]+)/.exec(server.mail.at(-1)?.text ?? "")?.[1];
      expect(server.mail.at(-1)!.text).toContain("https://ucie.example/verify?token=");
      await client.trpc.auth.verifyEmail.mutate({ token: token! });
      const res = await post(client, "auth.login", { email: "secure@example.com", password: PASSWORD });
      const cookie = parseSetCookie(res.headers.getSetCookie()[0]!);
      expect(cookie.name).toBe("__Host-ucie_session");
      expect(parseSetCookie(res.headers.getSetCookie()[1]!)).toMatchObject({
        name: "__Host-ucie_device",
        attrs: { secure: true, path: "/" },
      });
      expect(cookie.attrs).toMatchObject({ secure: true, httponly: true, path: "/", samesite: "Lax" });
      expect(cookie.attrs.domain).toBeUndefined(); // the __Host- prefix forbids it
    } finally {
      await server.close();
    }
  });
});

describe("two server instances on one database", () => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await startServerPair();
  });
  afterAll(async () => {
    await pair?.close();
  });

  it("a logout on one instance ends the session on the other at once", async () => {
    const { database, a, b } = pair;
    const onA = await signUp(a, "two@example.com");
    const token = onA.cookies.get("ucie_session")!;
    const onB = b.client();
    onB.cookies.set("ucie_session", token);
    expect(await onB.trpc.auth.me.query()).toMatchObject({ email: "two@example.com" }); // now cached on B
    await onA.trpc.auth.logout.mutate();
    await expect.poll(async () => onB.trpc.auth.me.query(), { timeout: 2000, interval: 10 }).toBeNull();
    expect(await database.db.select().from(sessions)).toHaveLength(0);
  });
});

describe("what the server writes down", () => {
  it("never puts a password, session token, e-mail token or access code in the log or auth_logs", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "trace", destination: { write: (s: string) => void lines.push(s) } });
    const server = await startTestServer({ logger });
    try {
      const password = "leak canary passphrase 4417";
      const [code] = await createAccessCodes(server.services.db, 1);
      const client = server.client();
      await client.trpc.auth.register.mutate({ email: "leak@example.com", password, accessCode: code! });
      await expect.poll(() => server.mail.length).toBeGreaterThan(0);
      const verifyToken = /token=([\w-]+)/.exec(server.mail.at(-1)!.text)![1]!;
      await client.trpc.auth.verifyEmail.mutate({ token: verifyToken });
      await client.trpc.auth.login.mutate({ email: "leak@example.com", password: password + " wrong" }).catch(() => {});
      await client.trpc.auth.login.mutate({ email: "leak@example.com", password });
      const session = client.cookies.get("ucie_session")!;
      await client.trpc.auth.me.query();
      await client.trpc.auth.requestPasswordReset.mutate({ email: "leak@example.com" });
      await expect.poll(() => server.mail.filter((m) => m.text.includes("/reset-password?token=")).length).toBe(1);
      const resetToken = /token=([\w-]+)/.exec(server.mail.at(-1)!.text)![1]!;
      const newPassword = "second canary passphrase 9920";
      await client.trpc.auth.resetPassword.mutate({ token: resetToken, password: newPassword });
      // a server-side failure path too: a malformed request logged at debug/trace
      await post(client, "auth.login", { email: "leak@example.com", password: newPassword });

      const log = lines.join("\n");
      expect(log.length).toBeGreaterThan(0);
      const rows = await server.services.db.select().from(authLogs);
      const table = JSON.stringify(rows);
      expect(rows.length).toBeGreaterThanOrEqual(6);
      for (const secret of [password, newPassword, session, verifyToken, resetToken, code!]) {
        expect(log).not.toContain(secret);
        expect(table).not.toContain(secret);
      }
    } finally {
      await server.close();
    }
  });

  it("on an unexpected database failure, tells the caller only 'Internal error' and logs the query without its values", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", destination: { write: (s: string) => void lines.push(s) } });
    const server = await startTestServer({ logger });
    try {
      const [code] = await createAccessCodes(server.services.db, 1);
      // a fault inside the registration transaction: the redemption UPDATE fails in the database
      await server.database.db.execute(sql`create function ucie_test_fail() returns trigger language plpgsql as $$
        begin raise exception 'injected failure'; end $$`);
      await server.database.db.execute(
        sql`create trigger ucie_test_fail before update on access_codes for each row execute function ucie_test_fail()`,
      );
      const email = "fault-canary@example.com";
      const res = await post(server.client(), "auth.register", { email, password: PASSWORD, accessCode: code! });
      expect(res.status).toBe(500);
      const body = await res.text();
      expect((JSON.parse(body) as { error: { json: { message: string } } }).error.json.message).toBe("Internal error");
      for (const leak of ["update", "access_codes", code!, email]) expect(body).not.toContain(leak);

      const log = lines.join("\n");
      expect(log).toContain("procedure failed");
      expect(log).toContain("injected failure"); // the operator still learns what went wrong
      expect(log).not.toContain(code!);
      expect(log).not.toContain(email);
    } finally {
      await server.close();
    }
  });
});
