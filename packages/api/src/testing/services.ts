/** Shared by the watchlist and alerts tests: a migrated database with a small catalogue and logged-in callers. */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { ucieTokens, users, type Db } from "@ucie/db";
import type { TestDatabase } from "@ucie/db/testing";
import { loadConfig } from "@ucie/config";
import { createSession } from "../auth/session";
import { createContextInner } from "../context";
import { FakeClock } from "../lib/clock";
import { createCaller } from "../root";
import { createServices, type Services } from "../services";

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
