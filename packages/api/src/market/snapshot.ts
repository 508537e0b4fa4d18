import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MarketCoin } from "./types";

export const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../data");
/** The bundled real CoinGecko /coins/markets response (top 100), captured on this date. */
export const SNAPSHOT_DATE = new Date("2021-06-24T03:32:13.383Z");

let cached: MarketCoin[] | undefined;

export function loadSnapshot(): MarketCoin[] {
  cached ??= JSON.parse(readFileSync(path.join(dataDir, "coingecko-markets-top100-2021-06-24.json"), "utf8")) as MarketCoin[];
  return cached;
}
