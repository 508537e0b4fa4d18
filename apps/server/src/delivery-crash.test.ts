/**
 * Exactly once across a crash: a server process is SIGKILLed while its webhook request hangs; after a
 * restart the delivery goes out again, with the same delivery id, and is recorded as delivered once.
 */
import { startReceiver, type Receiver } from "@ucie/api/testing";
import { execute, notificationDeliveries, users } from "@ucie/db";
import { createTestDb, type TestDatabase } from "@ucie/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServerProcess, type ServerProcess } from "./process";

describe.skipIf(!process.env.TEST_DATABASE_URL)("a server killed mid-send", () => {
  let database: TestDatabase;
  let receiver: Receiver;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDb("postgres");
    // the first request hangs, as a slow receiver would while the sender dies; later ones succeed
    receiver = await startReceiver((_r, i) => (i === 0 ? "hang" : { status: 200 }));
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.stop("SIGKILL")));
    await receiver?.close();
    await database?.close();
  });

  it("resends after restart with the same delivery id, and records one delivery", async () => {
    const env = {
      DATABASE_URL: database.url!,
      MARKET_DATA: "offline",
      DB_POOL_MAX: "4",
      ALERT_INTERVAL_SECONDS: "1",
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_TIMEOUT_SECONDS: "1",
    };
    const first = await spawnServerProcess(env);
    servers.push(first);
    // a user with a webhook and an alert the next tick fires (the catalogue was seeded at start-up)
    const [user] = await database.db
      .insert(users)
      .values({ email: "crash@example.com", passwordHash: "x", emailVerified: true })
      .returning();
    await execute(
      database.db,
      sql`INSERT INTO notification_channels (user_id, name, url, format, secret) VALUES (${user!.id}, 'hook', ${`${receiver.url}/hook`}, 'json', 'whsec_crash')`,
    );
    await execute(
      database.db,
      sql`INSERT INTO ucie_alerts (user_id, symbol, coin_id, alert_type, threshold_value) VALUES (${user!.id}, 'BTC', 'bitcoin', 'price_above', 1)`,
    );

    const hanging = await receiver.nextRequest(0);
    expect(await first.stop("SIGKILL")).toBeNull();

    const second = await spawnServerProcess(env);
    servers.push(second);
    const again = await receiver.nextRequest(1);
    expect(again.headers["x-ucie-delivery"]).toBe(hanging.headers["x-ucie-delivery"]);
    await expect
      .poll(async () => (await database.db.select().from(notificationDeliveries)).map((d) => [d.status, d.attempts]), { timeout: 20_000 })
      .toEqual([["delivered", 2]]);
    expect(receiver.requests).toHaveLength(2);
  }, 120_000);
});
