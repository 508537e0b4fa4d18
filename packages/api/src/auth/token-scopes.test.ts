import { describe, expect, it } from "vitest";
import { appRouter } from "../root";
import { TOKEN_NEVER, TOKEN_SCOPE_OF_PROCEDURE, tokenAccess } from "./token-scopes";

const procedures = Object.keys(appRouter._def.procedures);

describe("what an access token reaches", () => {
  it("places every procedure of the router: a scope, or never", () => {
    const unplaced = procedures.filter((p) => !(p in TOKEN_SCOPE_OF_PROCEDURE) && !TOKEN_NEVER.has(p));
    expect(unplaced, "add each to auth/token-scopes.ts").toEqual([]);
    const both = procedures.filter((p) => p in TOKEN_SCOPE_OF_PROCEDURE && TOKEN_NEVER.has(p));
    expect(both).toEqual([]);
  });

  it("keeps account management away from every token", () => {
    const account = procedures.filter((p) => /^auth\.(?!me$)/.test(p));
    expect(account.length).toBeGreaterThan(15);
    for (const p of account) expect(tokenAccess(p, ["read", "watchlist", "alerts"]).allowed, p).toBe(false);
  });

  it("needs the scope a procedure names", () => {
    expect(tokenAccess("watchlist.list", ["read"]).allowed).toBe(true);
    expect(tokenAccess("watchlist.add", ["read"])).toEqual({ allowed: false, message: expect.stringContaining("'watchlist' scope") });
    expect(tokenAccess("alerts.onTriggered", ["read", "watchlist"]).allowed).toBe(false);
    expect(tokenAccess("no.such.procedure", ["read", "watchlist", "alerts"]).allowed).toBe(false);
  });
});
