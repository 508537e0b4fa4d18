/**
 * Display currencies. CoinGecko's /exchange_rates gives units of each currency per 1 BTC; UCIE keeps
 * "US dollars per unit" (usd / value), so a USD figure converts as `usd / usdPerUnit[currency]`.
 */
import { z } from "zod";
import { CURRENCIES, type Currency } from "../limits";
import { loadSnapshot, SNAPSHOT_DATE } from "./snapshot";

export const exchangeRatesSchema = z.object({
  rates: z.record(z.string(), z.object({ name: z.string(), unit: z.string(), value: z.number().positive(), type: z.string() })),
});
export type ExchangeRatesBody = z.output<typeof exchangeRatesSchema>;

/** US dollars per unit of each display currency */
export type UsdRates = Record<Currency, number>;

/** Our rates from CoinGecko's BTC-based table; currencies it lacks are left out (and show in USD). */
export function usdRatesFrom(body: ExchangeRatesBody): Partial<UsdRates> {
  const usd = body.rates.usd?.value;
  const out: Partial<UsdRates> = {};
  if (!usd) return out;
  for (const c of CURRENCIES) {
    const v = body.rates[c]?.value;
    if (v) out[c] = usd / v;
  }
  return out;
}

/**
 * The offline set, for the snapshot's day (2021-06-24): BTC and ETH are the bundled snapshot's own USD
 * prices, so a coin priced in BTC offline agrees with the snapshot; the fiat rates are the ECB euro
 * reference rates of 24 June 2021 (USD 1.1938, GBP 0.85773, JPY 132.25, CHF 1.0968, CAD 1.4731,
 * AUD 1.5771 per euro) turned into US dollars per unit, to four significant figures.
 */
export function offlineUsdRates(): UsdRates {
  const snap = loadSnapshot();
  const price = (id: string) => snap.find((c) => c.id === id)?.current_price ?? Number.NaN;
  const eurUsd = 1.1938;
  return {
    usd: 1,
    eur: eurUsd,
    gbp: Number((eurUsd / 0.85773).toPrecision(4)),
    jpy: Number((eurUsd / 132.25).toPrecision(4)),
    chf: Number((eurUsd / 1.0968).toPrecision(4)),
    cad: Number((eurUsd / 1.4731).toPrecision(4)),
    aud: Number((eurUsd / 1.5771).toPrecision(4)),
    btc: price("bitcoin"),
    eth: price("ethereum"),
  };
}

export const OFFLINE_RATES_DATE = SNAPSHOT_DATE;

/** The same table in CoinGecko's wire shape (for the fake upstream), for a given BTC price in USD. */
export function exchangeRatesBody(btcUsd: number, ethUsd: number): ExchangeRatesBody {
  const r = { ...offlineUsdRates(), btc: btcUsd, eth: ethUsd };
  const names: Record<Currency, [string, string, string]> = {
    usd: ["US Dollar", "$", "fiat"],
    eur: ["Euro", "€", "fiat"],
    gbp: ["British Pound Sterling", "£", "fiat"],
    jpy: ["Japanese Yen", "¥", "fiat"],
    chf: ["Swiss Franc", "Fr.", "fiat"],
    cad: ["Canadian Dollar", "CA$", "fiat"],
    aud: ["Australian Dollar", "A$", "fiat"],
    btc: ["Bitcoin", "BTC", "crypto"],
    eth: ["Ether", "ETH", "crypto"],
  };
  const rates: ExchangeRatesBody["rates"] = {};
  for (const c of CURRENCIES) {
    const [name, unit, type] = names[c];
    rates[c] = { name, unit, value: btcUsd / r[c], type };
  }
  return { rates };
}
