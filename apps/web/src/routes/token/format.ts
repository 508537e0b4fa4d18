/** Readable numbers for the token page (Intl.NumberFormat, created once). */
const usdSmall = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 4 });
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 2 });
const usdCompact = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });
const pct = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 2, signDisplay: "exceptZero" });
const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

const ok = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

export const fmtUsd = (v: number | null | undefined) => (!ok(v) ? "—" : Math.abs(v) < 1 ? usdSmall.format(v) : usd.format(v));
export const fmtUsdCompact = (v: number | null | undefined) => (!ok(v) ? "—" : usdCompact.format(v));
export const fmtCompact = (v: number | null | undefined) => (!ok(v) ? "—" : compact.format(v));
export const fmtPct = (v: number | null | undefined) => (!ok(v) ? "—" : `${pct.format(v)}%`);
export const fmtNum = (v: number | null | undefined, digits = 2) =>
  !ok(v) ? "—" : new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }).format(v);
export const fmtPlain = (v: number | null | undefined) => (!ok(v) ? "—" : plain.format(v));
export const trendClass = (v: number | null | undefined) => (!ok(v) || v === 0 ? "" : v > 0 ? "up" : "down");

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
/** "3 minutes ago", "2 hours ago" */
export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (Math.abs(s) < 60) return rtf.format(s, "second");
  if (Math.abs(s) < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (Math.abs(s) < 86400) return rtf.format(Math.round(s / 3600), "hour");
  return rtf.format(Math.round(s / 86400), "day");
}
