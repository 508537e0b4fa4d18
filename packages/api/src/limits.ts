/**
 * The limits behind the input schemas (./schemas.ts) and the analysis phase names, as plain constants:
 * no zod, no server code, so any web page can import them through `@ucie/api/limits` at no bundle cost.
 */
export { ANALYSIS_TYPES, PHASES, PHASE_NUMBERS, type AnalysisType, type PhaseNumber } from "./analysis/types";

export const SYMBOL_MAX_LENGTH = 100;
export const SEARCH_QUERY_MAX_LENGTH = 100;
export const NOTES_MAX_LENGTH = 2000;
export const EMAIL_MAX_LENGTH = 254;
export const ACCESS_CODE_MAX_LENGTH = 64;
export const PASSWORD_MIN_LENGTH = 8;
/** what the password meter calls strong (NIST 800-63B: length is what counts) */
export const PASSWORD_RECOMMENDED_LENGTH = 15;
/** Long enough for any passphrase; the cap only keeps a megabyte "password" from costing argon2 time. */
export const PASSWORD_MAX_LENGTH = 256;

// ---- requests -------------------------------------------------------------------------------------
/** Calls one HTTP request may batch; more is refused with 400 before any of them runs (the web client splits larger batches). */
export const MAX_BATCH_CALLS = 10;

// ---- alerts --------------------------------------------------------------------------------------
export const MAX_ALERTS_PER_USER = 100;
/** The ranges each alert type accepts (the form's input bounds come from here too). */
export const ALERT_LIMITS = {
  priceMax: 1e12,
  percentChangeMax: 10_000,
  rsi: { min: 0, max: 100 },
  volumeMultiple: { min: 1.1, max: 100 },
  sentimentPoints: { min: 1, max: 100 },
} as const;
/** a repeating alert waits at least this long between two firings */
export const MIN_COOLDOWN_SECONDS = 60;
export const MAX_COOLDOWN_SECONDS = 30 * 86_400;
export const DEFAULT_COOLDOWN_SECONDS = 3_600;

// ---- notifications -------------------------------------------------------------------------------
export const MAX_WEBHOOKS_PER_USER = 10;
/** browsers (Web Push subscriptions) per user */
export const MAX_PUSH_SUBSCRIPTIONS_PER_USER = 20;
export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const CHANNEL_NAME_MAX_LENGTH = 100;
export const WEBHOOK_FORMATS = ["json", "discord", "slack"] as const;
export const DELIVERIES_LIST_MAX = 100;
/** test deliveries a user may queue per minute: each is a request to an address the user chose */
export const MAX_TESTS_PER_MINUTE = 5;

// ---- screener and preferences ----------------------------------------------------------------------
export const SCREENER_TRENDS = ["above_sma200", "below_sma200", "golden_cross", "death_cross"] as const;
export const SCREENER_SORT_KEYS = [
  "rank",
  "price",
  "change24h",
  "change7d",
  "change30d",
  "rsi14",
  "volatility30d",
  "drawdown",
  "volumeRatio",
  "score",
] as const;
export const SCREENER_MAX_LIMIT = 250;
/** display currencies: CoinGecko /exchange_rates keys */
export const CURRENCIES = ["usd", "eur", "gbp", "jpy", "chf", "cad", "aud", "btc", "eth"] as const;
export type Currency = (typeof CURRENCIES)[number];
export const THEMES = ["dark", "light", "system"] as const;
export type Theme = (typeof THEMES)[number];
export const TIME_ZONE_MAX_LENGTH = 64;
