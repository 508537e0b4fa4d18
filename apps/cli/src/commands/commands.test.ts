/**
 * The operator commands as `pnpm cli` runs them (same functions, same services), against a real test
 * database: what they print and what they change.
 */
import { createAuthTestEnv, TEST_PASSWORD, type AuthTestEnv } from "@ucie/api/testing";
import { createTestDb, type TestDatabase } from "@ucie/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { accessCodes } from "./access-codes";
import { usersCommand } from "./users";

describe("operator CLI", () => {
  let database: TestDatabase;
  let env: AuthTestEnv;
  beforeAll(async () => {
    database = await createTestDb();
    env = await createAuthTestEnv(database);
  });
  afterAll(async () => {
    await env?.close();
    await database?.close();
  });
  afterEach(() => vi.restoreAllMocks());

  /** run a command; returns its exit code and what it printed on stdout and stderr */
  async function run(command: typeof accessCodes, args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
    const code = await command(env.services, args);
    vi.restoreAllMocks();
    return { code, out, err };
  }

  it("access-codes create --count 3 --expires 7d prints three codes once; list shows prefixes and expiry, never the codes", async () => {
    const created = await run(accessCodes, ["create", "--count", "3", "--expires", "7d"]);
    expect(created.code).toBe(0);
    expect(created.out).toHaveLength(3);
    for (const c of created.out) expect(c).toMatch(/^UCIE-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const expiry = new Date(env.clock.now().getTime() + 7 * 86_400_000).toISOString();
    expect(created.err.join("\n")).toContain(expiry);

    const listed = await run(accessCodes, ["list"]);
    const text = listed.out.join("\n");
    for (const c of created.out) {
      expect(text).not.toContain(c);
      expect(text).toContain(c.slice(0, 9));
    }
    expect(text).toContain(`expires ${expiry}`);
    expect(text).toContain("unused");

    // the codes work once, until revoked or expired
    const b = env.browser();
    await b.api.auth.register({ email: "cli-a@example.com", password: TEST_PASSWORD, accessCode: created.out[0]! });
    expect((await run(accessCodes, ["revoke", created.out[1]!])).out).toEqual(["revoked"]);
    await expect(
      env.browser().api.auth.register({ email: "cli-b@example.com", password: TEST_PASSWORD, accessCode: created.out[1]! }),
    ).rejects.toThrow(/accessCode/);
    env.clock.advance(7 * 86_400_000 + 1000);
    await expect(
      env.browser().api.auth.register({ email: "cli-c@example.com", password: TEST_PASSWORD, accessCode: created.out[2]! }),
    ).rejects.toThrow(/accessCode/);
    const after = (await run(accessCodes, ["list"])).out.join("\n");
    expect(after).toMatch(/redeemed/);
    expect(after).toMatch(/revoked/);
    expect(after).toMatch(/expired/);
  });

  it("refuses a malformed --expires and an unknown code to revoke", async () => {
    for (const bad of ["7", "7w", "-1d", "0d", "d"]) {
      const r = await run(accessCodes, ["create", "--expires", bad]);
      expect(r.code).toBe(2);
      expect(r.err.join("")).toMatch(/--expires/);
    }
    expect((await run(accessCodes, ["revoke", "UCIE-NONE-NONE-NONE"])).code).toBe(1);
    for (const unit of ["90s", "30m", "12h", "1d"]) expect((await run(accessCodes, ["create", "--expires", unit])).code).toBe(0);
  });

  it("users list, disable, enable and end-sessions", async () => {
    const b = await env.signUp("cli-user@example.com");
    const listed = (await run(usersCommand, ["list"])).out.join("\n");
    expect(listed).toMatch(/cli-user@example\.com\tactive\tno 2fa\t1 sessions/);

    expect((await run(usersCommand, ["disable", "cli-user@example.com"])).out).toEqual([
      "cli-user@example.com: disabled, 1 sessions ended",
    ]);
    expect(await b.api.auth.me()).toBeNull();
    await expect(env.browser().api.auth.login({ email: "cli-user@example.com", password: TEST_PASSWORD })).rejects.toThrow(
      "This account is disabled",
    );
    expect((await run(usersCommand, ["list"])).out.join("\n")).toMatch(/cli-user@example\.com\tdisabled /);

    expect((await run(usersCommand, ["enable", "cli-user@example.com"])).code).toBe(0);
    await b.api.auth.login({ email: "cli-user@example.com", password: TEST_PASSWORD });
    expect((await run(usersCommand, ["end-sessions", "cli-user@example.com"])).out).toEqual(["cli-user@example.com: 1 sessions ended"]);
    expect(await b.api.auth.me()).toBeNull();

    expect((await run(usersCommand, ["disable", "ghost@example.com"])).code).toBe(1);
    expect((await run(usersCommand, ["frobnicate"])).code).toBe(2);
  });
});
