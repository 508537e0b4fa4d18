/**
 * The offline provider (MARKET_DATA=offline, and the fallback of `auto`): the bundled real CoinGecko
 * snapshot of 2021-06-24 for the catalogue and prices; Bitcoin's real daily history (the bundled CSV,
 * up to the snapshot day, `source: "snapshot"`); deterministic simulated history for every other
 * snapshot coin (`source: "simulated"`, anchored to its snapshot price); a simulated Fear and Greed
 * series; simulated derivatives and Bitcoin on-chain figures; no news and no DeFi TVL (labelled
 * unavailable). The offline world's "now" is the snapshot time.
 */
import { readFileSync } from "node:fs";
import { TtlCache } from "./cache";
import { UpstreamError } from "./errors";
import { offlineUsdRates } from "./exchange-rates";
import { DAY_MS, prng, seedOf, simulateDailyCandles, simulateFearGreed, utcDay, MAX_SIMULATED_DAYS } from "./simulate";
import { snapshotDetails } from "./details";
import { loadSnapshot, SNAPSHOT_DATE } from "./snapshot";
import { dataFile } from "../lib/data-files";
import type { BitcoinOnchain, Candle, DerivativesSnapshot, MarketCoin, MarketService, Sourced } from "./types";

const STABLE = new Set(["usdt", "usdc", "busd", "dai", "tusd", "usdp", "pax", "husd", "lusd", "ust", "gusd", "usdn", "fei", "frax"]);

let btcCandles: Candle[] | undefined;

/** The bundled real BTC-USD daily candles (2019-06-29 to 2022-03-24), oldest first. */
export function loadBitcoinCsv(): Candle[] {
  if (btcCandles) return btcCandles;
  const text = readFileSync(dataFile("btc-usd-daily-2019-2022.csv"), "utf8");
  const rows = text.trim().split(/\r?\n/).slice(1);
  btcCandles = rows
    .map((line) => line.split(","))
    .filter((f) => f.length >= 7 && f.slice(1).every((x) => x !== "null" && x !== ""))
    .map(([date, open, high, low, close, , volume]) => ({
      t: Date.parse(`${date}T00:00:00Z`),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    }))
    .filter((c) => Number.isFinite(c.t) && Number.isFinite(c.close));
  return btcCandles;
}

function snapshotCoin(id: string): MarketCoin | undefined {
  return loadSnapshot().find((c) => c.id === id);
}

function sourced<T>(data: T, source: Sourced<T>["source"], extra: Partial<Sourced<T>> = {}): Sourced<T> {
  return { data, source, asOf: SNAPSHOT_DATE, ...extra };
}

/** Days of simulated history for a snapshot coin (or `[]` when the snapshot does not hold it). */
export function offlineCandles(coin: Pick<MarketCoin, "id" | "symbol" | "current_price" | "total_volume">, days: number): Candle[] {
  if (!coin.current_price) return [];
  return simulateDailyCandles(coin.id, days, {
    price: coin.current_price,
    volume: coin.total_volume,
    end: SNAPSHOT_DATE,
    stable: STABLE.has(coin.symbol.toLowerCase()),
  });
}

/**
 * Hourly candles inside daily ones: each day's 24 hours walk from its open to its close with seeded noise,
 * kept within the day's high and low. The last `days * 24` hours, oldest first.
 */
export function simulateHourly(coinId: string, daily: Candle[], days: number): Candle[] {
  const rand = prng(seedOf(`hourly:${coinId}`));
  const out: Candle[] = [];
  for (const d of daily) {
    let prev = d.open;
    for (let h = 0; h < 24; h++) {
      const path = d.open + ((d.close - d.open) * (h + 1)) / 24;
      const wobble = (d.high - d.low) * 0.15 * (rand() - 0.5);
      const close = h === 23 ? d.close : Math.min(d.high, Math.max(d.low, path + wobble));
      out.push({
        t: d.t + h * 3_600_000,
        open: prev,
        high: Math.max(prev, close),
        low: Math.min(prev, close),
        close,
        volume: d.volume / 24,
      });
      prev = close;
    }
  }
  return out.slice(-days * 24);
}

export function createOfflineMarket(): MarketService {
  // simulated candles cost CPU on every call: kept per coin and length (callers ask for a few fixed ranges)
  const candles = new TtlCache(100);
  const market: MarketService = {
    mode: "offline",

    async topCoins(limit) {
      return sourced(loadSnapshot().slice(0, Math.max(0, limit)), "snapshot");
    },

    async history(coinId, days) {
      const n = Math.max(1, Math.min(Math.floor(days), MAX_SIMULATED_DAYS));
      if (coinId === "bitcoin") {
        // real candles whose day had begun by the snapshot time; the CSV starts 2019-06-29, so long
        // windows are shorter than asked (never padded with invented prices)
        const all = loadBitcoinCsv().filter((c) => c.t <= utcDay(SNAPSHOT_DATE));
        return sourced(all.slice(-n), "snapshot", { note: "real BTC-USD daily history up to the snapshot day" });
      }
      const coin = snapshotCoin(coinId);
      if (!coin) {
        throw new UpstreamError("offline", "unavailable", `no offline history for "${coinId}": it is not in the bundled snapshot`);
      }
      const data = await candles.get(`${coinId}:${n}`, 60 * 60_000, async () => offlineCandles(coin, n));
      return sourced(data, "simulated", {
        note: `simulated history anchored to the snapshot price of ${SNAPSHOT_DATE.toISOString().slice(0, 10)}`,
      });
    },

    async coinsList() {
      return sourced(
        loadSnapshot().map(({ id, symbol, name }) => ({ id, symbol, name })),
        "snapshot",
        { note: "offline, the snapshot's coins are all there is" },
      );
    },

    async marketsByIds(coinIds) {
      const want = new Set(coinIds);
      return sourced(
        loadSnapshot().filter((c) => want.has(c.id)),
        "snapshot",
      );
    },

    async hourlyHistory(coinId, days) {
      const n = Math.max(1, Math.min(Math.floor(days), 90));
      const daily = await market.history(coinId, n + 1);
      return sourced(simulateHourly(coinId, daily.data, n), "simulated", {
        note: `simulated hourly prices between the daily candles up to ${SNAPSHOT_DATE.toISOString().slice(0, 10)} (offline)`,
      });
    },

    async details(coinId) {
      const coin = snapshotCoin(coinId);
      if (!coin) return sourced(null, "snapshot", { unavailable: true, note: "this coin is not in the offline snapshot" });
      return sourced(snapshotDetails(coin), "snapshot", {
        note: `supply and all-time figures from the ${SNAPSHOT_DATE.toISOString().slice(0, 10)} snapshot; descriptions and links need live data`,
      });
    },

    async prices(coinIds) {
      const out: Record<string, { usd: number; usd_24h_change?: number; usd_24h_vol?: number }> = {};
      for (const id of new Set(coinIds)) {
        const c = snapshotCoin(id);
        if (c?.current_price == null) continue;
        out[id] = {
          usd: c.current_price,
          ...(c.price_change_percentage_24h != null ? { usd_24h_change: c.price_change_percentage_24h } : {}),
          ...(c.total_volume != null ? { usd_24h_vol: c.total_volume } : {}),
        };
      }
      return sourced(out, "snapshot");
    },

    async exchangeRates() {
      return sourced<Partial<Record<string, number>>>(offlineUsdRates(), "snapshot", {
        note: "the European Central Bank's reference rates of the snapshot day, 2021-06-24 (bundled)",
      });
    },

    async fearGreed(days) {
      return sourced(simulateFearGreed(Math.max(1, days), SNAPSHOT_DATE), "simulated", {
        note: "simulated Fear and Greed index (offline)",
      });
    },

    async news() {
      return sourced([], "snapshot", { unavailable: true, note: "news headlines are unavailable offline" });
    },

    async defiTvl() {
      return sourced(null, "snapshot", { unavailable: true, note: "DeFi TVL is unavailable offline" });
    },

    async derivatives(coin) {
      const c = snapshotCoin(coin.id);
      // perpetual futures exist for the larger non-stable coins; simulate those, nothing for the rest
      if (!c?.current_price || (c.market_cap_rank ?? 999) > 60 || STABLE.has(c.symbol.toLowerCase())) {
        return sourced<DerivativesSnapshot | null>(null, "simulated", { note: "no simulated futures market for this coin" });
      }
      const rand = prng(seedOf(`deriv:${c.id}`));
      const data: DerivativesSnapshot = {
        contract: `${c.symbol.toUpperCase()}USDT`,
        fundingRate: Number(((rand() - 0.4) * 0.0004).toFixed(6)),
        openInterestUsd: Math.round((c.market_cap ?? c.current_price * 1e6) * (0.005 + rand() * 0.02)),
        markPrice: c.current_price * (1 + (rand() - 0.5) * 0.001),
      };
      return sourced<DerivativesSnapshot | null>(data, "simulated", { note: "simulated funding and open interest (offline)" });
    },

    async bitcoinOnchain() {
      const rand = prng(seedOf("bitcoin-onchain"));
      // block 688,000 was mined on 2021-06-23; about 144 blocks a day
      const height = 688_000 + Math.round(((SNAPSHOT_DATE.getTime() - Date.parse("2021-06-23T12:00:00Z")) / DAY_MS) * 144);
      const data: BitcoinOnchain = {
        blockHeight: height,
        hashrateEhs: Math.round((95 + rand() * 10) * 10) / 10,
        difficulty: 19.93e12,
        mempoolTxCount: Math.round(3000 + rand() * 5000),
        fees: { fastest: 6, halfHour: 4, hour: 2, economy: 1 },
      };
      return sourced<BitcoinOnchain | null>(data, "simulated", { note: "simulated on-chain figures (offline)" });
    },
  };
  return market;
}
