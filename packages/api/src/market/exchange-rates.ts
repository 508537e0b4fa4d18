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
 * The euro foreign exchange reference rates the European Central Bank published for 24 June 2021, the
 * snapshot's day: units of each currency per euro, as in the ECB's own history file (eurofxref-hist.csv,
 * row 2021-06-24). No CoinGecko /exchange_rates answer of that day is at hand (the project's data holds
 * only the USD-priced /coins/markets snapshot, and no coin in it is pegged to another fiat currency), so
 * these official figures stand in for it. The ECB sets them at 14:15 CET; the snapshot was taken at about
 * 03:30 UTC the same day.
 */
export const ECB_RATES_2021_06_24 = { usd: 1.1936, gbp: 0.85883, jpy: 132.2, chf: 1.0967, cad: 1.4678, aud: 1.5756 } as const;

/**
 * The offline set, labelled with the snapshot's day (2021-06-24): BTC and ETH are the bundled snapshot's
 * own USD prices, so a coin priced in BTC offline agrees with the snapshot; the fiat rates are the ECB's of
 * that day (ECB_RATES_2021_06_24) turned into US dollars per unit.
 */
export function offlineUsdRates(): UsdRates {
  const snap = loadSnapshot();
  const price = (id: string) => snap.find((c) => c.id === id)?.current_price ?? Number.NaN;
  const ecb = ECB_RATES_2021_06_24;
  return {
    usd: 1,
    eur: ecb.usd,
    gbp: ecb.usd / ecb.gbp,
    jpy: ecb.usd / ecb.jpy,
    chf: ecb.usd / ecb.chf,
    cad: ecb.usd / ecb.cad,
    aud: ecb.usd / ecb.aud,
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
