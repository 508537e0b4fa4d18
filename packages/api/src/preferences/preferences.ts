/**
 * A user's currency, time zone and theme, and the exchange rates every price is shown through. Prices are
 * stored and computed in USD everywhere; conversion happens only when a figure is shown (here for API
 * results that carry `priceUsd`, in the web's format module for the pages).
 */
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@ucie/db";
import { ucieExchangeRates, userPreferences } from "@ucie/db/schema";
import { CURRENCIES, type Currency, type Theme } from "../limits";
import { usd } from "../alerts/rules";
import type { DataSource } from "../market/types";
import type { Services } from "../services";

export interface Preferences {
  currency: Currency;
  timeZone: string;
  theme: Theme;
}

export const DEFAULT_PREFERENCES: Preferences = { currency: "usd", timeZone: "UTC", theme: "dark" };

const isCurrency = (c: string): c is Currency => (CURRENCIES as readonly string[]).includes(c);
const isTheme = (t: string): t is Theme => t === "system" || t === "dark" || t === "light";

function toPreferences(row: { currency: string; timeZone: string; theme: string } | undefined): Preferences {
  if (!row) return { ...DEFAULT_PREFERENCES };
  return {
    currency: isCurrency(row.currency) ? row.currency : "usd",
    timeZone: row.timeZone,
    theme: isTheme(row.theme) ? row.theme : "dark",
  };
}

export async function getPreferences(db: DbOrTx, userId: string): Promise<Preferences> {
  const [row] = await db.select().from(userPreferences).where(eq(userPreferences.userId, userId)).limit(1);
  return toPreferences(row);
}

export async function updatePreferences(db: DbOrTx, userId: string, patch: Partial<Preferences>): Promise<Preferences> {
  // nothing to change writes nothing
  if (Object.values(patch).every((v) => v === undefined)) return getPreferences(db, userId);
  const set = { ...patch, updatedAt: new Date() };
  const [row] = await db
    .insert(userPreferences)
    .values({ userId, ...DEFAULT_PREFERENCES, ...patch })
    .onConflictDoUpdate({ target: userPreferences.userId, set })
    .returning();
  return toPreferences(row);
}

export interface RatesView {
  /** US dollars per unit of each currency the source knows */
  usdPerUnit: Partial<Record<Currency, number>>;
  source: DataSource;
  asOf: Date;
}

/** Fetch the rates from the market service and keep them in the database (the `prices` job calls this). */
export async function refreshExchangeRates(services: Services, signal?: AbortSignal): Promise<RatesView> {
  const r = await services.market.exchangeRates(signal);
  const usdPerUnit: Partial<Record<Currency, number>> = {};
  for (const c of CURRENCIES) {
    const v = r.data[c];
    if (typeof v === "number" && Number.isFinite(v) && v > 0) usdPerUnit[c] = v;
  }
  const rows = Object.entries(usdPerUnit).map(([currency, usd]) => ({ currency, usdPerUnit: usd, source: r.source, asOf: r.asOf }));
  if (rows.length && r.source === "live") {
    await services.db
      .insert(ucieExchangeRates)
      .values(rows)
      .onConflictDoUpdate({
        target: ucieExchangeRates.currency,
        set: { usdPerUnit: sql`excluded.usd_per_unit`, source: sql`excluded.source`, asOf: sql`excluded.as_of` },
      });
  } else if (rows.length) {
    // the bundled set only fills a gap: it never replaces rates of today with those of 2021
    await services.db.insert(ucieExchangeRates).values(rows).onConflictDoNothing();
  }
  services.caches.exchangeRates.clear();
  return { usdPerUnit, source: r.source, asOf: r.asOf };
}

const RATES_TTL_MS = 30_000;

/** The stored rates (read at most every 30 s per instance); before the first refresh, fetched once. */
export function loadRates(services: Services, signal?: AbortSignal): Promise<RatesView> {
  return services.caches.exchangeRates.get<RatesView>(
    "rates",
    RATES_TTL_MS,
    async () => {
      const rows = await services.db.select().from(ucieExchangeRates);
      if (!rows.length) return refreshExchangeRates(services, signal);
      const usdPerUnit: Partial<Record<Currency, number>> = {};
      let asOf = rows[0]!.asOf;
      let source = rows[0]!.source as DataSource;
      for (const r of rows) {
        if (isCurrency(r.currency)) usdPerUnit[r.currency] = r.usdPerUnit;
        if (r.asOf < asOf) asOf = r.asOf;
        if (r.source !== "live") source = r.source as DataSource;
      }
      return { usdPerUnit, source, asOf };
    },
    signal,
  );
}

export interface Converter {
  currency: Currency;
  /** a USD figure in the display currency (null stays null) */
  convert(usd: number | null): number | null;
}

export const USD: Converter = { currency: "usd", convert: (v) => v };

/** The converter for a currency; a currency without a known rate shows USD rather than a wrong figure. */
export function converterFor(currency: Currency, rates: RatesView): Converter {
  const rate = rates.usdPerUnit[currency];
  if (currency === "usd" || !rate) return USD;
  return { currency, convert: (v) => (v === null ? null : v / rate) };
}

/** The signed-in user's converter (USD for strangers). */
export async function converterForUser(services: Services, userId: string | null | undefined): Promise<Converter> {
  if (!userId) return USD;
  const prefs = await getPreferences(services.db, userId);
  if (prefs.currency === "usd") return USD;
  return converterFor(prefs.currency, await loadRates(services));
}

const moneyFormats = new Map<string, Intl.NumberFormat>();
/**
 * A USD amount in words in the converter's currency, for sentences (alert descriptions, channel messages):
 * "€25,130", and for other currencies than USD the stored dollar line beside it: "€25,130 (≈ $30,000 stored)".
 */
export function moneyText(c: Converter): (usdAmount: number) => string {
  if (c.currency === "usd") return usd;
  return (n) => {
    const v = c.convert(n) ?? n;
    const digits = Math.abs(v) >= 1000 ? 0 : Math.abs(v) >= 1 ? 2 : undefined;
    const key = `${c.currency}:${digits ?? "s"}`;
    let f = moneyFormats.get(key);
    if (!f) {
      f = new Intl.NumberFormat("en-US", {
        style: "currency",
        currency: c.currency.toUpperCase(),
        ...(digits === undefined ? { maximumSignificantDigits: 4 } : { minimumFractionDigits: digits, maximumFractionDigits: digits }),
      });
      moneyFormats.set(key, f);
    }
    return `${f.format(v)} (≈ ${usd(n)} stored)`;
  };
}

/** `price` and `currency` beside `priceUsd`, for results that carry a USD price. */
export function withPrice<T extends { priceUsd: number | null }>(item: T, c: Converter): T & { price: number | null; currency: Currency } {
  return { ...item, price: c.convert(item.priceUsd), currency: c.currency };
}
