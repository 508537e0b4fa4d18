/**
 * Personal access tokens through the real server: scopes decide what a bearer reaches, account
 * management never, no Origin check and no cookie for a bearer, revocation on every instance at once,
 * only hashes in the database, a per-token call budget, and the audit trail.
 */
import { createHash } from "node:crypto";
import { ALERT_TRIGGER_CHANNEL } from "@ucie/api";
import { createUcieClient, isUcieClientError } from "@ucie/client";
import { authLogs, personalAccessTokens } from "@ucie/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countSubscriptions, startServerPair, startTestServer, type ServerPair, type TestServer } from "./testing";

type Scope = "read" | "watchlist" | "alerts";

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return isUcieClientError(err) ? err.data?.code : String(err);
  }
}

async function userWithToken(server: TestServer, scopes: Scope[]) {
  const web = await server.signedInClient();
  const { id, token } = await web.trpc.auth.tokens.create.mutate({ name: `script ${scopes.join("+")}`, scopes });
  return { web, id, token, api: createUcieClient({ url: server.url, token }) };
}

/** A tRPC mutation sent by hand, to see the raw status and headers. */
function rawPost(server: TestServer, path: string, input: unknown, headers: Record<string, string>) {
  return fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: input }),
  });
}

describe("personal access tokens over HTTP", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a read token lists the watchlist but may not change it; a watchlist token may", async () => {
    const reader = await userWithToken(server, ["read"]);
    await reader.web.trpc.watchlist.add.mutate({ symbol: "BTC" });
    expect((await reader.api.watchlist.list.query()).map((w) => w.symbol)).toEqual(["BTC"]);
    expect(await codeOf(reader.api.watchlist.add.mutate({ symbol: "ETH" }))).toBe("FORBIDDEN");
    expect((await reader.web.trpc.watchlist.list.query()).map((w) => w.symbol)).toEqual(["BTC"]);

    const writer = await userWithToken(server, ["read", "watchlist"]);
    await writer.api.watchlist.add.mutate({ symbol: "ETH" });
    expect((await writer.web.trpc.watchlist.list.query()).map((w) => w.symbol)).toEqual(["ETH"]);
    // alerts need their own scope
    expect(await codeOf(writer.api.alerts.create.mutate({ symbol: "ETH", type: "price_above", threshold: 1e6 }))).toBe("FORBIDDEN");
  });

  it("no scope reaches account management", async () => {
    const all = await userWithToken(server, ["read", "watchlist", "alerts"]);
    expect(await codeOf(all.api.auth.changePassword.mutate({ currentPassword: "x", newPassword: "a new long passphrase 1" }))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(all.api.auth.tokens.create.mutate({ name: "child", scopes: ["read"] }))).toBe("FORBIDDEN");
    expect(await codeOf(all.api.auth.tokens.list.query())).toBe("FORBIDDEN");
    expect(await codeOf(all.api.auth.sessions.query())).toBe("FORBIDDEN");
    expect(await codeOf(all.api.auth.exportData.query())).toBe("FORBIDDEN");
    expect(await codeOf(all.api.auth.logout.mutate())).toBe("FORBIDDEN");
    expect(await codeOf(all.api.auth.twoFactor.setup.mutate())).toBe("FORBIDDEN");
    // the account and its token are untouched
    expect(await all.api.auth.me.query()).toMatchObject({ id: all.web.userId });
    expect(await all.web.trpc.auth.tokens.list.query()).toHaveLength(1);
  });

  it("an unknown token is refused, not treated as a visitor", async () => {
    const stranger = createUcieClient({ url: server.url, token: "ucie_pat_notarealtokenatallnotarealtokenatall123" });
    expect(await codeOf(stranger.tokens.list.query({ limit: 1 }))).toBe("UNAUTHORIZED");
  });

  it("a bearer call needs no Origin and sets no cookie; a cookie call from a foreign Origin is still refused", async () => {
    const { web, token } = await userWithToken(server, ["read", "watchlist"]);
    const foreign = { origin: "https://evil.example" };
    const bearer = await rawPost(server, "watchlist.add", { symbol: "SOL" }, { ...foreign, authorization: `Bearer ${token}` });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.getSetCookie()).toEqual([]);

    const cookie = `ucie_session=${web.token}`;
    const byCookie = await rawPost(server, "watchlist.remove", { symbol: "SOL" }, { ...foreign, cookie });
    expect(byCookie.status).toBe(403);
    // a bearer does not excuse a cookie sent along with it
    const both = await rawPost(server, "watchlist.remove", { symbol: "SOL" }, { ...foreign, cookie, authorization: `Bearer ${token}` });
    expect(both.status).toBe(403);
    expect((await web.trpc.watchlist.list.query()).map((w) => w.symbol)).toEqual(["SOL"]);
  });

  it("lists tokens without their secret, keeps only hashes, and revokes only the owner's", async () => {
    const { web, id, token } = await userWithToken(server, ["read"]);
    expect(token).toMatch(/^ucie_pat_[\w-]{43}$/);
    const [listed] = await web.trpc.auth.tokens.list.query();
    expect(listed).toMatchObject({ id, name: "script read", scopes: ["read"], lastUsedAt: null, expiresAt: null });
    expect(JSON.stringify(listed)).not.toContain(token.slice(13));

    const rows = await server.database.db.select().from(personalAccessTokens).where(eq(personalAccessTokens.id, id));
    expect(rows[0]!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(token.slice(13));

    // the user's data export names the token, never its secret or hash
    const exported = await web.trpc.auth.exportData.query();
    expect(exported.accessTokens).toEqual([expect.objectContaining({ id, name: "script read", scopes: ["read"] })]);
    expect(JSON.stringify(exported)).not.toContain(rows[0]!.tokenHash);

    const other = await server.signedInClient();
    expect(await codeOf(other.trpc.auth.tokens.revoke.mutate({ id }))).toBe("NOT_FOUND");
    expect(await codeOf(web.trpc.auth.tokens.create.mutate({ name: "", scopes: [] }))).toBe("BAD_REQUEST");
  });

  it("records use at most once a minute, ends expired tokens, and writes created, revoked and refused to auth_logs", async () => {
    const { web, id, token, api } = await userWithToken(server, ["read"]);
    await api.tokens.list.query({ limit: 1 });
    const [used] = await web.trpc.auth.tokens.list.query();
    expect(used!.lastUsedAt).toBeInstanceOf(Date);
    await web.trpc.auth.tokens.revoke.mutate({ id });
    expect(await web.trpc.auth.tokens.list.query()).toEqual([]);
    expect(await codeOf(api.tokens.list.query({ limit: 1 }))).toBe("UNAUTHORIZED");
    expect(await codeOf(api.tokens.list.query({ limit: 1 }))).toBe("UNAUTHORIZED");
    const events = await server.database.db
      .select({ type: authLogs.eventType, success: authLogs.success })
      .from(authLogs)
      .where(eq(authLogs.userId, web.userId));
    // two refused calls, one row: a script retrying a dead token writes no flood
    expect(events.map((e) => e.type).sort()).toEqual(["token_created", "token_refused", "token_revoked"]);
    expect(JSON.stringify(await server.database.db.select().from(authLogs))).not.toContain(token);

    const expiring = await web.trpc.auth.tokens.create.mutate({ name: "short", scopes: ["read"], expiresInDays: 1 });
    await server.database.db
      .update(personalAccessTokens)
      .set({ expiresAt: new Date(Date.now() - 1000), createdAt: new Date(Date.now() - 86_400_000) })
      .where(eq(personalAccessTokens.id, expiring.id));
    expect(await codeOf(createUcieClient({ url: server.url, token: expiring.token }).tokens.list.query({ limit: 1 }))).toBe("UNAUTHORIZED");
  });

  it("throttles one token past 600 calls a minute with 429 and Retry-After", async () => {
    const { token } = await userWithToken(server, ["read"]);
    let last: Response | undefined;
    for (let i = 0; i < 61; i++) {
      last = await fetch(`${server.url}/trpc/${Array(10).fill("system.ping").join(",")}?batch=1&input=%7B%7D`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (last.status === 429) break;
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
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

  it("a token revoked on one instance is refused on the other within a second, and its open stream ends", async () => {
    const { a, b } = pair;
    const subs = countSubscriptions(b);
    const { web, id, token } = await userWithToken(a, ["read", "alerts"]);
    const onB = createUcieClient({ url: b.url, token, reconnectDelayMs: () => 50 });
    expect(await onB.alerts.list.query()).toEqual([]);
    const stream: { error?: string; completed?: boolean } = {};
    const sub = onB.alerts.onTriggered.subscribe(undefined, {
      onError: (err) => void (stream.error = isUcieClientError(err) ? err.data?.code : String(err)),
      onComplete: () => void (stream.completed = true),
    });
    await expect.poll(() => subs.opened(ALERT_TRIGGER_CHANNEL)).toBe(1);

    const revokedAt = Date.now();
    await web.trpc.auth.tokens.revoke.mutate({ id });
    await expect.poll(() => codeOf(onB.alerts.list.query()), { timeout: 1000, interval: 20 }).toBe("UNAUTHORIZED");
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    await expect.poll(() => subs.closed(ALERT_TRIGGER_CHANNEL), { timeout: 2000 }).toBe(1);
    await expect.poll(() => stream.error ?? (stream.completed ? "completed" : null)).toBe("UNAUTHORIZED");
    sub.unsubscribe();
  });
});
