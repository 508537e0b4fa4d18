/**
 * Every tRPC procedure, signed in and signed out, gets garbage: wrong types, huge strings, NaN, negative
 * and enormous numbers, unknown fields, malformed JSON. The server must answer 4xx every time, stay up,
 * and write nothing.
 */
import { appRouter } from "@ucie/api";
import { sql } from "drizzle-orm";
import { execute } from "@ucie/db";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing";

type Kind = "query" | "mutation" | "subscription";
interface Proc {
  path: string;
  type: Kind;
  hasInput: boolean;
}

const procedures: Proc[] = Object.entries(
  (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: Kind; inputs: unknown[] } }> } })._def.procedures,
).map(([path, p]) => ({ path, type: p._def.type, hasInput: p._def.inputs.length > 0 }));

const FIELDS = [
  "symbol",
  "query",
  "id",
  "email",
  "password",
  "accessCode",
  "token",
  "notes",
  "limit",
  "cursor",
  "days",
  "type",
  "threshold",
  "condition",
  "expiresAt",
  "repeat",
  "enabled",
  "sessionId",
  "refresh",
  "lastEventId",
];
const BAD_VALUES: unknown[] = [
  "",
  "x".repeat(20_000),
  -1,
  -1e308,
  1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1.5,
  true,
  null,
  [],
  [1, 2],
  { nested: { deep: true } },
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "\u0000",
];

/** superjson-encoded bodies (NaN and Infinity survive the trip), plus raw malformed ones */
function inputs(): { label: string; raw: string }[] {
  const out: { label: string; raw: string }[] = [
    { label: "malformed JSON", raw: '{"json": {"symbol": ' },
    { label: "not an object", raw: JSON.stringify({ json: "hello" }) },
    { label: "array", raw: JSON.stringify({ json: [1, 2, 3] }) },
    { label: "number", raw: JSON.stringify({ json: 42 }) },
    { label: "unknown fields only", raw: JSON.stringify({ json: { totallyUnknown: 1, __proto__: { admin: true } } }) },
  ];
  for (const v of BAD_VALUES) {
    const obj = Object.fromEntries(FIELDS.map((f) => [f, v]));
    out.push({
      label: `every field = ${typeof v === "string" && v.length > 40 ? `string(${v.length})` : String(v)}`,
      raw: JSON.stringify(superjson.serialize(obj)),
    });
  }
  return out;
}

async function countRows(server: TestServer): Promise<Record<string, number>> {
  const r = await execute<Record<string, number>>(
    server.database.db,
    sql`select
    (select count(*)::int from users) as users,
    (select count(*)::int from sessions) as sessions,
    (select count(*)::int from access_codes where redeemed) as redeemed_codes,
    (select count(*)::int from ucie_watchlist) as watchlist,
    (select count(*)::int from ucie_alerts) as alerts,
    (select count(*)::int from ucie_phase_data) as phases,
    (select count(*)::int from ucie_tokens) as tokens,
    (select count(*)::int from password_reset_tokens) as resets`,
  );
  return r.rows[0]!;
}

describe("fuzzing every procedure", () => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer();
    cookie = `ucie_session=${(await server.signedInClient("fuzz@example.com")).token}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  it("found the procedures to fuzz", () => {
    expect(procedures.length).toBeGreaterThan(3);
    expect(procedures.map((p) => p.path)).toContain("auth.me");
  });

  it("answers 4xx to every bad input, stays up and writes nothing", async () => {
    const before = await countRows(server);
    const failures: string[] = [];
    let sent = 0;
    for (const signedIn of [false, true]) {
      for (const proc of procedures) {
        // inputs are what we fuzz; a procedure without one (logout, me) has nothing to break
        if (!proc.hasInput) continue;
        for (const { label, raw } of inputs()) {
          const headers: Record<string, string> = { origin: server.url };
          if (signedIn) headers.cookie = cookie;
          let res: Response;
          const abort = AbortSignal.timeout(5_000);
          if (proc.type === "mutation") {
            res = await fetch(`${server.url}/trpc/${proc.path}`, {
              method: "POST",
              headers: { ...headers, "content-type": "application/json" },
              body: raw,
              signal: abort,
            });
          } else {
            if (proc.type === "subscription") headers.accept = "text/event-stream";
            res = await fetch(`${server.url}/trpc/${proc.path}?input=${encodeURIComponent(raw)}`, { headers, signal: abort });
          }
          sent++;
          const body = await res.text().catch(() => "");
          const isError = res.status >= 400 || (proc.type === "subscription" && /error/i.test(body));
          if (res.status >= 500 || !isError)
            failures.push(`${signedIn ? "signed-in" : "anonymous"} ${proc.path} [${label}] -> ${res.status} ${body.slice(0, 160)}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(100);
    expect(failures).toEqual([]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await countRows(server)).toEqual(before);
  });

  it("answers 400 naming the field when one field of an otherwise valid input is what the database cannot store", async () => {
    const call = async (path: string, type: "query" | "mutation", input: unknown) => {
      const raw = JSON.stringify(superjson.serialize(input));
      const headers = { origin: server.url, cookie, "content-type": "application/json" };
      const res =
        type === "mutation"
          ? await fetch(`${server.url}/trpc/${path}`, { method: "POST", headers, body: raw })
          : await fetch(`${server.url}/trpc/${path}?input=${encodeURIComponent(raw)}`, { headers });
      const body = (await res.json()) as { error?: { json?: { message?: string } } };
      return `${res.status} ${body.error?.json?.message ?? "(no error)"}`;
    };
    const created = await call("alerts.create", "mutation", { symbol: "BTC", type: "price_above", threshold: 1 });
    expect(created).toBe("200 (no error)");
    const before = await countRows(server);
    const alertId = (await execute<{ id: string }>(server.database.db, sql`select id from ucie_alerts limit 1`)).rows[0]!.id;
    const nul = "a\u0000b";
    const cases: Array<[string, "query" | "mutation", unknown, string]> = [
      // Postgres text has no NUL character
      ["watchlist.add", "mutation", { symbol: "BTC", notes: nul }, "notes"],
      ["watchlist.remove", "mutation", { symbol: nul }, "symbol"],
      ["tokens.get", "query", { symbol: nul }, "symbol"],
      ["tokens.search", "query", { query: nul }, "query"],
      [
        "auth.register",
        "mutation",
        { email: "nul@example.com", password: "a sturdy passphrase", accessCode: "UCIE-\u0000AAA" },
        "accessCode",
      ],
      [
        "alerts.create",
        "mutation",
        { symbol: "BTC", type: "price_cross", threshold: 1, condition: { direction: nul } },
        "condition.direction",
      ],
      // JavaScript dates reach the year 275760, Postgres (as the driver writes them) the year 9999
      ["alerts.create", "mutation", { symbol: "BTC", type: "price_above", threshold: 1, expiresAt: new Date(8.64e15) }, "expiresAt"],
      [
        "alerts.create",
        "mutation",
        { symbol: "BTC", type: "price_above", threshold: 1, expiresAt: new Date("+010000-01-01T00:00:00Z") },
        "expiresAt",
      ],
      ["alerts.create", "mutation", { symbol: "BTC", type: "price_above", threshold: 1, snoozedUntil: new Date(-8.64e15) }, "snoozedUntil"],
      ["alerts.update", "mutation", { id: alertId, snoozedUntil: new Date(8.64e15) }, "snoozedUntil"],
      ["alerts.update", "mutation", { id: alertId, expiresAt: new Date("+010000-01-01T00:00:00Z") }, "expiresAt"],
    ];
    const answers = [];
    for (const [path, type, input, field] of cases) answers.push([path, field, await call(path, type, input)]);
    expect(answers).toEqual(
      cases.map(([path, , , field]) => [path, field, expect.stringMatching(new RegExp(`^400 ${field.replace(".", "\\.")}: `))]),
    );
    expect(await countRows(server)).toEqual(before);
  });
});
