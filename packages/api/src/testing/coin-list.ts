/**
 * 17,000 generated coins beside the real snapshot's, for the fake upstream's /coins/list and
 * /coins/markets?ids= (and the search benchmark): deterministic ids, tickers and names shaped like
 * CoinGecko's long tail ("zorbi-finance", ZORB, "Zorbi Finance"), with prices from their seed.
 */
import { prng, seedOf } from "../market/simulate";
import type { MarketCoin } from "../market/types";

export const GENERATED_COINS = 17_000;

const START = [
  "zor",
  "kal",
  "vex",
  "lum",
  "qua",
  "nim",
  "tor",
  "bel",
  "cry",
  "dra",
  "fen",
  "gal",
  "hex",
  "ion",
  "jup",
  "kry",
  "mor",
  "nov",
  "orb",
  "pix",
];
const MID = ["bi", "ta", "lo", "ne", "ra", "xi", "mu", "ko", "sa", "ve", "do", "ri", "pa", "zu", "fi", "ge", "ha", "ju", "ly", "wo"];
const END = ["", "n", "x", "r", "s", "l", "m", "k", "th", "on"];
const KIND = ["Finance", "Protocol", "Token", "Network", "Swap", "DAO", "Inu", "AI", "Chain", "Labs"];

/** the i-th generated coin (0 <= i < GENERATED_COINS) */
export function generatedCoin(i: number): MarketCoin {
  const a = START[i % START.length]!;
  const b = MID[Math.floor(i / START.length) % MID.length]!;
  const c = END[Math.floor(i / (START.length * MID.length)) % END.length]!;
  const kind = KIND[Math.floor(i / (START.length * MID.length * END.length)) % KIND.length]!;
  const word = `${a}${b}${c}`;
  const name = `${word[0]!.toUpperCase()}${word.slice(1)} ${kind}`;
  const id = `${word}-${kind.toLowerCase()}`;
  const rand = prng(seedOf(id));
  const price = Number((10 ** (rand() * 6 - 5)).toPrecision(4));
  const supply = Math.round(1e6 + rand() * 1e10);
  return {
    id,
    symbol: `${word.slice(0, 4)}${i % 7 === 0 ? "" : kind[0]!.toLowerCase()}`,
    name,
    image: null,
    current_price: price,
    market_cap: Math.round(price * supply * 0.6),
    market_cap_rank: 300 + i,
    fully_diluted_valuation: Math.round(price * supply),
    total_volume: Math.round(price * supply * 0.01 * (0.2 + rand())),
    high_24h: price * 1.03,
    low_24h: price * 0.97,
    price_change_24h: price * 0.01,
    price_change_percentage_24h: Number(((rand() - 0.5) * 20).toFixed(3)),
    circulating_supply: supply * 0.6,
    total_supply: supply,
    max_supply: i % 3 === 0 ? null : supply,
    ath: price * (1.5 + rand() * 10),
    ath_change_percentage: -50,
    ath_date: "2021-11-10T00:00:00.000Z",
    last_updated: null,
  };
}

let cache: MarketCoin[] | undefined;
/** all generated coins (built once: they are pure functions of their index) */
export function generatedCoins(): MarketCoin[] {
  return (cache ??= Array.from({ length: GENERATED_COINS }, (_, i) => generatedCoin(i)));
}
