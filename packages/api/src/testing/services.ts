/** Shared by the watchlist and alerts tests: a migrated database with a small catalogue and logged-in callers. */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { ucieTokens, users, type Db } from "@ucie/db";
import { createTestDb, type TestDatabase, type TestDbKind } from "@ucie/db/testing";
import { loadConfig } from "@ucie/config";
import { afterAll, beforeAll } from "vitest";
import { createSession } from "../auth/session";
import { createContextInner } from "../context";
import { FakeClock } from "../lib/clock";
import { silentLogger } from "../lib/logger";
import { createMarketService } from "../market/index";
import { createCaller } from "../root";
import { createServices, type Services } from "../services";
import type { FakeUpstream } from "./fake-upstream";

export interface CoinSeed {
  id: string;
  symbol: string;
  price: number | null;
  rank?: number | null;
  active?: boolean;
  change1h?: number | null;
  change24h?: number | null;
  volume?: number | null;
}

export const DEFAULT_COINS: CoinSeed[] = [
  { id: "bitcoin", symbol: "BTC", price: 30_000, rank: 1, change24h: 2.5, change1h: 0.1, volume: 20e9 },
  { id: "ethereum", symbol: "ETH", price: 2_000, rank: 2, change24h: -1.2, change1h: -0.2, volume: 10e9 },
  { id: "uniswap", symbol: "UNI", price: 20, rank: 20, change24h: 0, volume: 3e8 },
  { id: "unicorn-token", symbol: "UNI", price: 0.01, rank: 900, volume: 1e3 },
  { id: "gone-coin", symbol: "GONE", price: 1.5, rank: null, active: false },
];

export async function seedCoins(db: Db, coins: CoinSeed[] = DEFAULT_COINS, at = new Date("2026-01-01T00:00:00Z")): Promise<void> {
  await db
    .insert(ucieTokens)
    .values(
      coins.map((c) => ({
        coingeckoId: c.id,
        symbol: c.symbol,
        name: c.id.replace(/(^|-)(\w)/g, (_m, sep: string, ch: string) => (sep ? " " : "") + ch.toUpperCase()),
        marketCapRank: c.rank ?? null,
        imageUrl: `https://example.test/${c.id}.png`,
        currentPriceUsd: c.price,
        priceChangePct1h: c.change1h ?? null,
        priceChangePct24h: c.change24h ?? null,
        totalVolumeUsd: c.volume ?? null,
        isActive: c.active ?? true,
        lastUpdated: at,
        source: "snapshot",
      })),
    )
    .onConflictDoNothing();
}

export async function setPrice(
  db: Db,
  coinId: string,
  price: number | null,
  fields: { change1h?: number; change24h?: number; volume?: number } = {},
) {
  await db
    .update(ucieTokens)
    .set({
      currentPriceUsd: price,
      ...(fields.change1h !== undefined ? { priceChangePct1h: fields.change1h } : {}),
      ...(fields.change24h !== undefined ? { priceChangePct24h: fields.change24h } : {}),
      ...(fields.volume !== undefined ? { totalVolumeUsd: fields.volume } : {}),
    })
    .where(sql`${ucieTokens.coingeckoId} = ${coinId}`);
}

export function testServices(
  database: TestDatabase,
  clock = new FakeClock(),
  overrides: Parameters<typeof createServices>[1] = {},
): Services {
  return createServices(database, {
    config: loadConfig({ MARKET_DATA: "offline", LOG_LEVEL: "silent" }),
    clock,
    mailer: { send: async () => {} },
    ...overrides,
  });
}

/** A fresh `kind` database holding the default coins, test services on it, and one close for both. */
export async function startSeededServices(kind: TestDbKind, clock: FakeClock): Promise<{ services: Services; close: () => Promise<void> }> {
  const database = await createTestDb(kind);
  const services = testServices(database, clock);
  const close = async () => {
    await services.events.close();
    await database.close();
  };
  try {
    await seedCoins(services.db);
  } catch (err) {
    await close();
    throw err;
  }
  return { services, close };
}

/**
 * For a describe block: before all, `startSeededServices` (its services handed to `use`); after all, closed.
 * `timeoutMs` is the before-all hook's timeout.
 */
export function withSeededServices(kind: TestDbKind, clock: FakeClock, use: (services: Services) => void, timeoutMs?: number): void {
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const started = await startSeededServices(kind, clock);
    close = started.close;
    use(started.services);
  }, timeoutMs);
  afterAll(async () => {
    await close?.();
  });
}

/** Services whose market client talks to the fake upstream `up` in `mode`, retrying once and quickly. */
export function fakeUpstreamServices(database: TestDatabase, up: FakeUpstream, mode: "live" | "offline" | "auto"): Services {
  const config = loadConfig({
    MARKET_DATA: mode,
    LOG_LEVEL: "silent",
    COINGECKO_CALLS_PER_MINUTE: "1000",
    UPSTREAM_TIMEOUT_MS: "2000",
    ...up.env,
  });
  return createServices(database, {
    config,
    market: createMarketService(config, silentLogger, { retry: { maxRetries: 1, baseDelayMs: 10, maxRetryAfterMs: 1000 } }),
  });
}

export async function createUser(db: Db, email = `u-${randomBytes(4).toString("hex")}@example.test`): Promise<string> {
  const [u] = await db.insert(users).values({ email, passwordHash: "x", emailVerified: true }).returning({ id: users.id });
  return u!.id;
}

/** A verified user with a session, and a tRPC caller acting as them. */
export async function loginCaller(services: Services, email?: string) {
  const userId = await createUser(services.db, email);
  const { token } = await createSession(services.db, userId, services.clock, services.sessionPolicy);
  const caller = createCaller(await createContextInner({ services, sessionToken: token }));
  return { userId, token, caller };
}
