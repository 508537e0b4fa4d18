/** Number and time formatting for market figures. */
const usd = (digits: number) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd2 = usd(2);
const compact = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 2 });

/** $32,797.00, $1.0012, $0.00001234: enough digits that small prices do not read as $0.00 */
export function formatPrice(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return "–";
  if (v >= 1) return usd2.format(v);
  if (v === 0) return "$0";
  const digits = Math.min(12, Math.max(4, 3 - Math.floor(Math.log10(v))));
  return `$${v.toFixed(digits)}`;
}

/** $613.45B */
export function formatCompactUsd(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return "–";
  return compact.format(v);
}

export function formatPct(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return "–";
  return `${v > 0 ? "+" : ""}${v.toFixed(2)}%`;
}

export function changeClass(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v) || v === 0) return "";
  return v > 0 ? "up" : "down";
}

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
/** "2 minutes ago", "3 days ago", "4 years ago" */
export function timeAgo(date: Date | string | null | undefined, now = Date.now()): string {
  if (!date) return "at an unknown time";
  const t = new Date(date).getTime();
  if (!Number.isFinite(t)) return "at an unknown time";
  const s = Math.round((t - now) / 1000);
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

/** 2021-06-24 14:32 UTC */
export function formatUtc(date: Date | string | null | undefined): string {
  if (!date) return "unknown time";
  const d = new Date(date);
  if (Number.isNaN(d.getTime())) return "unknown time";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
