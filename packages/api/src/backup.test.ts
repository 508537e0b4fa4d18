/**
 * A backup restored into the other kind of database is the same UCIE to its users: they log in with their old
 * password, an old session cookie still works, and the watchlist, alerts and alert history are as they were.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { restoreBackup, writeBackup } from "@ucie/db";
import { createTestDb, prepareTestDbs, testDbKinds, type TestDatabase, type TestDbKind } from "@ucie/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAlerts } from "./alerts/evaluate";
import { createAuthTestEnv, TEST_PASSWORD, type AuthTestEnv } from "./testing/auth-env";
import { seedCoins } from "./testing/services";

const dir = mkdtempSync(path.join(os.tmpdir(), "ucie-backup-api-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// PGlite's initdb and migrations belong to set-up, not to the first test's time
beforeAll(prepareTestDbs);

const pairs: [TestDbKind, TestDbKind][] = testDbKinds().includes("postgres")
  ? [
      ["pglite", "postgres"],
      ["postgres", "pglite"],
    ]
  : [["pglite", "pglite"]];

describe.each(pairs)("backup of %s restored into %s", (from, to) => {
  it("lets a user log in with the old password and keeps their session, watchlist, alerts and alert history", async () => {
    const opened: (TestDatabase | AuthTestEnv)[] = [];
    try {
      const source = await createTestDb(from);
      const target = await createTestDb(to);
      const before = await createAuthTestEnv(source);
      opened.push(before, source, target);
      await seedCoins(before.services.db);
      const alice = await before.signUp("alice@example.com");
      await alice.api.watchlist.add({ symbol: "bitcoin", notes: 'long term, "quoted" and ünïcode' });
      await alice.api.watchlist.add({ symbol: "ETH" });
      await alice.api.alerts.create({ symbol: "BTC", type: "price_above", threshold: 25_000 });
      await alice.api.alerts.create({ symbol: "ETH", type: "price_cross", threshold: 1_500, condition: { direction: "down" } });
      const fired = await evaluateAlerts(before.services);
      expect(fired.triggered).toBeGreaterThan(0);
      const seen = {
        watchlist: await alice.api.watchlist.list(),
        alerts: await alice.api.alerts.list(),
        history: await alice.api.alerts.triggers(),
        me: await alice.api.auth.me(),
      };
      expect(seen.history.length).toBeGreaterThan(0);

      const file = path.join(dir, `${from}-${to}.jsonl.gz`);
      await writeBackup(source, file);
      expect(await restoreBackup(target, file)).toMatchObject({ ok: true });

      const after = await createAuthTestEnv(target);
      opened.unshift(after);
      // the old cookie: the session row came back with the user
      const returning = after.browser();
      returning.token = alice.token;
      expect({
        watchlist: await returning.api.watchlist.list(),
        alerts: await returning.api.alerts.list(),
        history: await returning.api.alerts.triggers(),
        me: await returning.api.auth.me(),
      }).toEqual(seen);
      // and a fresh login with the old password (its argon2id hash came back intact)
      const fresh = after.browser({ ip: "192.0.2.200" });
      expect(await fresh.api.auth.login({ email: "alice@example.com", password: TEST_PASSWORD })).toMatchObject({ id: alice.userId });
      expect(await fresh.api.watchlist.list()).toEqual(seen.watchlist);
    } finally {
      for (const o of opened) await o.close();
    }
  }, 120_000); // two fresh databases (a PGlite one runs initdb and every migration) and a round trip each way
});
