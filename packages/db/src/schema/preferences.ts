import { doublePrecision, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";

/** A user's display choices. No row means the defaults (USD, UTC, dark theme: the look UCIE always had). */
export const userPreferences = pgTable("user_preferences", {
  userId: uuid()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  currency: text().notNull().default("usd"),
  timeZone: text().notNull().default("UTC"),
  theme: text().notNull().default("dark"),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * CoinGecko's /exchange_rates (BTC-based), kept per currency so every instance converts alike.
 * `usd_per_unit`: how many US dollars one unit of the currency is worth.
 */
export const ucieExchangeRates = pgTable("ucie_exchange_rates", {
  currency: text().primaryKey(),
  usdPerUnit: doublePrecision().notNull(),
  source: text().notNull(),
  asOf: timestamp({ withTimezone: true }).notNull(),
});
