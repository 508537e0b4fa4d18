/**
 * Every number and time the web app shows, formatted one way (Intl.NumberFormat / DateTimeFormat, built
 * once): tables, cards, toasts and chart axes all read alike. Missing values read "—".
 *
 * - prices: digits that suit their size: $32,797 · $287.22 · $0.2826 · $0.000006730 (4 significant below $1),
 *   in the user's currency (USD figures converted on display, see DisplaySettings)
 * - compact amounts: one decimal always: $613.5B · $29.0B · $9.7M
 * - percentages: two decimals everywhere; signed for changes (+3.16%), unsigned for levels (9.56%)
 * - indicators: what matters: RSI 72.4, MACD 4 significant digits (scales with the price), ratios 0.87
 * - times: the user's own time zone, ISO-like date with the zone's name
 */
const LOCALE = "en-US";
export const NONE = "—";

const ok = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * What money is shown in: the user's currency (preferences) and how many US dollars one unit of it is
 * worth. Every figure the API sends is USD; conversion happens here, on display, and nowhere else. The
 * PreferencesProvider (lib/preferences.tsx) sets it from the signed-in user's preferences and re-renders
 * the pages when it changes; `timeZone` is the default zone of formatTime/formatDay.
 */
export interface DisplaySettings {
  currency: string;
  usdPerUnit: number;
  timeZone?: string;
}
const USD_DISPLAY: DisplaySettings = { currency: "usd", usdPerUnit: 1 };
let display: DisplaySettings = USD_DISPLAY;

export function setDisplaySettings(d: DisplaySettings | null): void {
  display = d && d.usdPerUnit > 0 ? d : USD_DISPLAY;
}
export function displaySettings(): DisplaySettings {
  return display;
}
/** A USD amount in the display currency. */
export const toDisplay = (usd: number): number => usd / display.usdPerUnit;
/** An amount the user typed in the display currency, in USD (what the API stores). */
export const fromDisplay = (amount: number): number => amount * display.usdPerUnit;

interface MoneyFormats {
  whole: Intl.NumberFormat;
  cents: Intl.NumberFormat;
  small: Intl.NumberFormat;
  compact: Intl.NumberFormat;
}
const moneyFormats = new Map<string, MoneyFormats>();
function money(currency: string): MoneyFormats {
  let f = moneyFormats.get(currency);
  if (!f) {
    const code = currency.toUpperCase();
    // BTC and ETH are not ISO 4217, but Intl formats any well-formed code ("BTC 0.5000")
    f = {
      whole: new Intl.NumberFormat(LOCALE, { style: "currency", currency: code, maximumFractionDigits: 0 }),
      cents: new Intl.NumberFormat(LOCALE, { style: "currency", currency: code, minimumFractionDigits: 2, maximumFractionDigits: 2 }),
      small: new Intl.NumberFormat(LOCALE, { style: "currency", currency: code, minimumSignificantDigits: 4, maximumSignificantDigits: 4 }),
      compact: new Intl.NumberFormat(LOCALE, {
        style: "currency",
        currency: code,
        notation: "compact",
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }),
    };
    moneyFormats.set(currency, f);
  }
  return f;
}

function formatMoney(v: number, currency: string): string {
  const f = money(currency);
  const a = Math.abs(v);
  if (a >= 1000) return f.whole.format(v);
  if (a >= 1 || a === 0) return f.cents.format(v);
  return f.small.format(v);
}

const compact = new Intl.NumberFormat(LOCALE, { notation: "compact", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pctSigned = new Intl.NumberFormat(LOCALE, {
  style: "percent",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: "exceptZero",
});
const pctLevel = new Intl.NumberFormat(LOCALE, { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const significant4 = new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: 4 });
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const fixed = (digits: number) => new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
const fixed1 = fixed(1);
const fixed2 = fixed(2);

/** A USD price, shown in the display currency with the digits that suit its size. */
export function formatPrice(v: number | null | undefined): string {
  if (!ok(v)) return NONE;
  return formatMoney(toDisplay(v), display.currency);
}

/** A USD amount as US dollars whatever the display currency (what an alert stores: "≈ $X stored"). */
export function formatUsd(v: number | null | undefined): string {
  return ok(v) ? formatMoney(v, "usd") : NONE;
}

/** A USD market cap, volume or TVL in the display currency: $613.5B, €29.0B (below 1,000: the price rule). */
export function formatUsdCompact(v: number | null | undefined): string {
  if (!ok(v)) return NONE;
  const d = toDisplay(v);
  return Math.abs(d) < 1000 ? formatMoney(d, display.currency) : money(display.currency).compact.format(d);
}

/** Counts: 41.2K, 1.3M (below 1,000: the whole number). */
export function formatCompact(v: number | null | undefined): string {
  if (!ok(v)) return NONE;
  return Math.abs(v) < 1000 ? integer.format(v) : compact.format(v);
}

/** A change in percent (3.16 → "+3.16%"). */
export function formatChange(pct: number | null | undefined): string {
  return ok(pct) ? pctSigned.format(pct / 100) : NONE;
}

/** A level in percent, no sign (volatility, VaR, drawdown: 9.56 → "9.56%"). */
export function formatPercent(pct: number | null | undefined): string {
  return ok(pct) ? pctLevel.format(pct / 100) : NONE;
}

const rateSigned = new Intl.NumberFormat(LOCALE, {
  style: "percent",
  minimumFractionDigits: 4,
  maximumFractionDigits: 4,
  signDisplay: "exceptZero",
});
/** A funding rate per period: the one percentage quoted with four decimals, as exchanges do (0.0100%). */
export function formatFundingRate(pct: number | null | undefined): string {
  return ok(pct) ? rateSigned.format(pct / 100) : NONE;
}

/** Indicator values, rounded to what matters for each. */
export function formatIndicator(kind: "rsi" | "stochastic" | "macd" | "ratio", v: number | null | undefined): string {
  if (!ok(v)) return NONE;
  switch (kind) {
    case "rsi":
    case "stochastic":
      return fixed1.format(v);
    case "macd":
      // MACD is in price units: 4 significant digits read the same for BTC (1,235) and SHIB (0.0000001234)
      return Math.abs(v) >= 1000 ? integer.format(v) : significant4.format(v);
    case "ratio":
      return fixed2.format(v);
  }
}

/** A plain number with separators and at most `digits` decimals (block heights, days, hashrates). */
export function formatNumber(v: number | null | undefined, digits = 0): string {
  return ok(v) ? new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits }).format(v) : NONE;
}

/** Chart price axis: currency and separators, precision by size (lightweight-charts `localization.priceFormatter`). */
export const chartPriceFormatter = (v: number): string => formatPrice(v);

export function changeClass(v: number | null | undefined): string {
  if (!ok(v) || v === 0) return "";
  return v > 0 ? "up" : "down";
}

function toDate(d: Date | string | number | null | undefined): Date | null {
  if (d === null || d === undefined || d === "") return null;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? null : date;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
      timeZone,
    });
    dateTimeFormats.set(key, f);
  }
  return f;
}

/** "2021-06-24 05:00 GMT+2": the user's chosen time zone (else the browser's, or `timeZone`), named. */
export function formatTime(d: Date | string | number | null | undefined, timeZone = display.timeZone): string {
  const date = toDate(d);
  if (!date) return "unknown time";
  const p = Object.fromEntries(
    dateTimeFormat(timeZone)
      .formatToParts(date)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

/** "2021-06-24" in the user's time zone (or `timeZone`). */
export function formatDay(d: Date | string | number | null | undefined, timeZone = display.timeZone): string {
  return formatTime(d, timeZone).slice(0, 10);
}

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
/** "just now", "2 minutes ago", "3 days ago", "4 years ago". */
export function timeAgo(d: Date | string | number | null | undefined, now = Date.now()): string {
  const date = toDate(d);
  if (!date) return "at an unknown time";
  const s = Math.round((date.getTime() - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 31_536_000],
    ["month", 2_592_000],
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  for (const [unit, secs] of units) if (Math.abs(s) >= secs) return rtf.format(Math.round(s / secs), unit);
  return "just now";
}
