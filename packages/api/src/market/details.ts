/**
 * Coin details for the token page: CoinGecko's /coins/{id} reduced to what the page shows, with the
 * description turned into plain text. Upstream HTML is never passed on: the description is reduced by a
 * strict text extraction (every tag dropped, entities decoded), and links keep only http(s) URLs.
 */
import type { CoinDetailsWire } from "./coingecko";
import type { CoinDetails, MarketCoin } from "./types";

/** the description's length cap (characters), cut at a sentence or word boundary */
export const DESCRIPTION_MAX = 600;

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—", hellip: "…" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}

/**
 * Plain text from an HTML fragment: script and style bodies and comments removed, block ends as
 * paragraph breaks, every other tag dropped, entities decoded once (so `&lt;b&gt;` stays visible text,
 * which the page renders as text), whitespace collapsed.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/\r\n?/g, "\n")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|h[1-6])\s*>/gi, "\n\n")
    .replace(/<[^>]*>?/g, "");
  return decodeEntities(text)
    .replace(/[ \t\f\v\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** at most `max` characters, ending at a sentence (or else a word) boundary, with an ellipsis when cut */
export function shorten(text: string, max = DESCRIPTION_MAX): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const sentence = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf(".\n"));
  if (sentence > max / 2) return cut.slice(0, sentence + 1);
  const word = cut.lastIndexOf(" ");
  return `${cut.slice(0, word > max / 2 ? word : max).trimEnd()}…`;
}

function httpUrl(u: string | null | undefined): string | null {
  if (!u) return null;
  try {
    const url = new URL(u.trim());
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

const finite = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const when = (v: string | null | undefined) => {
  const t = v ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? new Date(t) : null;
};

export function toCoinDetails(w: CoinDetailsWire): CoinDetails {
  const description = w.description ? shorten(htmlToText(w.description)) : "";
  const md = w.market_data;
  const explorers = [...new Set((w.links?.blockchain_site ?? []).map(httpUrl).filter((u): u is string => u !== null))].slice(0, 5);
  return {
    id: w.id,
    description: description || null,
    categories: [...new Set(w.categories.map((c) => c.trim()).filter(Boolean))].slice(0, 12),
    homepage: (w.links?.homepage ?? []).map(httpUrl).find((u): u is string => u !== null) ?? null,
    explorers,
    genesisDate: w.genesis_date && /^\d{4}-\d{2}-\d{2}$/.test(w.genesis_date) ? w.genesis_date : null,
    circulatingSupply: md?.circulating_supply ?? null,
    totalSupply: md?.total_supply ?? null,
    maxSupply: md?.max_supply ?? null,
    athUsd: finite(md?.ath?.usd),
    athDate: when(md?.ath_date?.usd),
    atlUsd: finite(md?.atl?.usd),
    atlDate: when(md?.atl_date?.usd),
  };
}

/** What the offline snapshot knows of a coin's details: supply and all-time figures, nothing descriptive. */
export function snapshotDetails(c: MarketCoin & { atl?: number | null; atl_date?: string | null }): CoinDetails {
  return {
    id: c.id,
    description: null,
    categories: [],
    homepage: null,
    explorers: [],
    genesisDate: null,
    circulatingSupply: finite(c.circulating_supply),
    totalSupply: finite(c.total_supply),
    maxSupply: finite(c.max_supply),
    athUsd: finite(c.ath),
    athDate: when(c.ath_date),
    atlUsd: finite(c.atl),
    atlDate: when(c.atl_date),
  };
}
