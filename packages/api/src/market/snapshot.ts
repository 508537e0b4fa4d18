import { readFileSync } from "node:fs";
import { dataFile } from "../lib/data-files";
import type { MarketCoin } from "./types";

/** The bundled real CoinGecko /coins/markets response (top 100), captured on this date. */
export const SNAPSHOT_DATE = new Date("2021-06-24T03:32:13.383Z");

let cached: MarketCoin[] | undefined;

export function loadSnapshot(): MarketCoin[] {
  cached ??= JSON.parse(readFileSync(dataFile("coingecko-markets-top100-2021-06-24.json"), "utf8")) as MarketCoin[];
  return cached;
}
