/**
 * The contract between market-data providers (CoinGecko and the other live sources, the offline
 * snapshot) and their users (catalogue sync, analysis, alerts). Every result says where it came from.
 */

/** `live`: an upstream API now; `snapshot`: the bundled real CoinGecko snapshot of 2021-06-24;
 *  `simulated`: generated history (offline mode), never to be mistaken for real prices. */
export type DataSource = "live" | "snapshot" | "simulated";

/** One coin as CoinGecko's /coins/markets returns it (nullable where CoinGecko may send null). */
export interface MarketCoin {
  id: string;
  symbol: string;
  name: string;
  image: string | null;
  current_price: number | null;
  market_cap: number | null;
  market_cap_rank: number | null;
  fully_diluted_valuation: number | null;
  total_volume: number | null;
  high_24h: number | null;
  low_24h: number | null;
  price_change_24h: number | null;
  price_change_percentage_24h: number | null;
  price_change_percentage_1h_in_currency?: number | null;
  price_change_percentage_7d_in_currency?: number | null;
  price_change_percentage_30d_in_currency?: number | null;
  circulating_supply: number | null;
  total_supply: number | null;
  max_supply: number | null;
  ath: number | null;
  ath_change_percentage: number | null;
  ath_date: string | null;
  last_updated: string | null;
  sparkline_in_7d?: { price: number[] } | null;
}

/** A daily (or finer) OHLCV candle; `t` is the candle's open time in ms since the epoch (UTC). */
export interface Candle {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface Sourced<T> {
  data: T;
  source: DataSource;
  /** when the upstream produced the data (snapshot date for the bundled snapshot) */
  asOf: Date;
  /** true when the source has no such data at all in this mode (e.g. news offline): `data` is then empty or null */
  unavailable?: boolean;
  /** a short human-readable note about the data ("simulated from the 2021-06-24 snapshot price", ...) */
  note?: string;
}

export interface MarketDataProvider {
  /** top coins by market cap, up to `limit` (250 for the catalogue sync) */
  topCoins(limit: number, signal?: AbortSignal): Promise<Sourced<MarketCoin[]>>;
  /** daily candles for the last `days` days, oldest first */
  history(coinId: string, days: number, signal?: AbortSignal): Promise<Sourced<Candle[]>>;
  /** every coin the source lists (id, symbol, name): CoinGecko's /coins/list live, the snapshot's coins offline */
  coinsList(signal?: AbortSignal): Promise<Sourced<{ id: string; symbol: string; name: string }[]>>;
  /** market data for the given coins whatever their rank (batched upstream calls); unknown ids are left out */
  marketsByIds(coinIds: string[], signal?: AbortSignal): Promise<Sourced<MarketCoin[]>>;
  /** hourly candles for the last `days` days (at most 90), oldest first */
  hourlyHistory(coinId: string, days: number, signal?: AbortSignal): Promise<Sourced<Candle[]>>;
  /** description, links, categories, supply, all-time high and low; `data: null` when the source has no such coin */
  details(coinId: string, signal?: AbortSignal): Promise<Sourced<CoinDetails | null>>;
  /** current USD prices, batched in one upstream call */
  prices(
    coinIds: string[],
    signal?: AbortSignal,
  ): Promise<Sourced<Record<string, { usd: number; usd_24h_change?: number; usd_24h_vol?: number }>>>;
}

/** One coin's descriptive facts (CoinGecko /coins/{id}); every field may be missing upstream. */
export interface CoinDetails {
  id: string;
  /** plain text (upstream HTML stripped), at most a few paragraphs; null when there is none */
  description: string | null;
  categories: string[];
  /** http(s) URLs only */
  homepage: string | null;
  explorers: string[];
  genesisDate: string | null;
  circulatingSupply: number | null;
  totalSupply: number | null;
  maxSupply: number | null;
  athUsd: number | null;
  athDate: Date | null;
  atlUsd: number | null;
  atlDate: Date | null;
}

/** alternative.me Fear and Greed index: 0 (extreme fear) to 100 (extreme greed). */
export interface FearGreedPoint {
  value: number;
  classification: string;
  timestamp: Date;
}

export interface NewsItem {
  title: string;
  url: string;
  source: string;
  publishedAt: Date;
  /** the feed's own body or summary text, when it has one */
  body?: string;
}

export interface DefiTvl {
  /** DefiLlama protocol slug, or chain name */
  slug: string;
  tvlUsd: number;
  change1dPct: number | null;
  change7dPct: number | null;
  chains: string[];
}

export interface DerivativesSnapshot {
  /** exchange contract, e.g. BTCUSDT */
  contract: string;
  /** last funding rate as a fraction per 8 h (0.0001 = 0.01 %) */
  fundingRate: number;
  openInterestUsd: number;
  markPrice: number;
}

export interface BitcoinOnchain {
  blockHeight: number | null;
  hashrateEhs: number | null;
  difficulty: number | null;
  mempoolTxCount: number | null;
  /** recommended fees, sat/vB */
  fees: { fastest: number; halfHour: number; hour: number; economy: number } | null;
}

/**
 * Everything UCIE reads from the market: CoinGecko (or the offline snapshot) plus the sources the analysis
 * phases 2 and 3 need. Methods throw `UpstreamError` (see ./errors) when no source can answer; a method
 * whose data does not exist for a coin resolves to `data: null` rather than throwing.
 */
export interface MarketService extends MarketDataProvider {
  mode: "live" | "offline" | "auto";
  /** live modes: /ping CoinGecko with the configured key and log one line saying whether it fits the plan */
  checkPlan?(signal?: AbortSignal): Promise<{ ok: boolean; message: string }>;
  /** daily index values, newest first */
  fearGreed(days: number, signal?: AbortSignal): Promise<Sourced<FearGreedPoint[]>>;
  news(coin: { id: string; symbol: string; name: string }, limit: number, signal?: AbortSignal): Promise<Sourced<NewsItem[]>>;
  defiTvl(coin: { id: string; symbol: string; name: string }, signal?: AbortSignal): Promise<Sourced<DefiTvl | null>>;
  derivatives(coin: { id: string; symbol: string }, signal?: AbortSignal): Promise<Sourced<DerivativesSnapshot | null>>;
  bitcoinOnchain(signal?: AbortSignal): Promise<Sourced<BitcoinOnchain | null>>;
  /** US dollars per unit of each display currency (CoinGecko /exchange_rates; offline: the snapshot day's set) */
  exchangeRates(signal?: AbortSignal): Promise<Sourced<Partial<Record<string, number>>>>;
}
