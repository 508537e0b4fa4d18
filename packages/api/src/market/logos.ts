/**
 * Coin logos, fetched once by the server and served from UCIE's own origin (`GET /logos/:coinId`), so a
 * browser never asks a third party and never shows a broken image.
 *
 * Fetching is a stranger-proof outgoing request: only from the configured CoinGecko's image hosts (its
 * real ones, or the host of a CoinGecko-speaking `COINGECKO_API_BASE`), over http(s), with the upstream
 * timeout, a size cap read as the bytes arrive, and raster image types only (an SVG served from our
 * origin could run script). Small sizes: CoinGecko's `large` path is asked for as `small` (64 px).
 * A failed fetch is stored as a null body and retried after a day; offline (snapshot rows) nothing is
 * fetched and the web app draws an initials badge instead.
 */
import { createHash } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { ucieCoinLogos, ucieTokens, type DbOrTx } from "@ucie/db";
import type { Services } from "../services";

/** Larger answers are refused: CoinGecko's `small` logos are 2-10 KB. */
export const LOGO_MAX_BYTES = 128 * 1024;
export const LOGO_RETRY_AFTER_MS = 24 * 3_600_000;
const RASTER_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);
const COINGECKO_IMAGE_HOSTS = ["assets.coingecko.com", "coin-images.coingecko.com"];

/** Where logos may come from: CoinGecko's image hosts, or the configured CoinGecko-compatible server's own. */
export function logoHosts(coingeckoBase: string): Set<string> {
  const base = new URL(coingeckoBase);
  if (/(^|\.)coingecko\.com$/.test(base.hostname)) return new Set(COINGECKO_IMAGE_HOSTS);
  return new Set([base.host]);
}

/** CoinGecko's markets list links the `large` logo (250 px); the `small` one (64 px) is plenty at 44 px. */
export function smallLogoUrl(url: string): string {
  return url.replace(/\/large\//, "/small/");
}

/** The logo's address on our own origin, versioned by content so it can be cached for a year. */
export function logoPath(coinId: string, etag: string | null): string | null {
  return etag ? `/logos/${encodeURIComponent(coinId)}?v=${etag}` : null;
}

/** The same as SQL over `ucie_tokens` (for selects that return a `logo`). */
export const logoPathSql = sql<string | null>`case when ${ucieTokens.logoEtag} is not null
  then '/logos/' || ${ucieTokens.coingeckoId} || '?v=' || ${ucieTokens.logoEtag} end`;

export type LogoFetch = { ok: true; contentType: string; body: Buffer } | { ok: false; reason: string };

/** One logo, within every limit; failures are values. */
export async function fetchLogoImage(
  url: string,
  opts: { allowedHosts: Set<string>; timeoutMs: number; maxBytes?: number; signal?: AbortSignal },
): Promise<LogoFetch> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") return { ok: false, reason: "not http(s)" };
  if (!opts.allowedHosts.has(target.host)) return { ok: false, reason: `host ${target.host} is not an image host of the source` };
  const maxBytes = opts.maxBytes ?? LOGO_MAX_BYTES;
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  try {
    // no redirects: a redirect could leave the allowed hosts
    const res = await fetch(target, { signal, redirect: "error", headers: { accept: "image/png,image/webp,image/jpeg,image/gif" } });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return { ok: false, reason: `status ${res.status}` };
    }
    const contentType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!RASTER_TYPES.has(contentType)) {
      await res.body.cancel();
      return { ok: false, reason: `content type ${contentType || "none"} is not a raster image` };
    }
    if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
      await res.body.cancel();
      return { ok: false, reason: `over ${maxBytes} bytes` };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) return { ok: false, reason: `over ${maxBytes} bytes` };
      chunks.push(chunk);
    }
    return { ok: true, contentType, body: Buffer.concat(chunks) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network error" };
  }
}

export interface LogoFetchResult {
  fetched: number;
  failed: number;
}

/**
 * Fetch the logos the catalogue's live coins still lack (a few at a time), store them and mark the coins.
 * Runs after each catalogue sync; each logo is fetched once (failures once a day).
 */
export async function fetchMissingLogos(
  services: Pick<Services, "db" | "config" | "logger">,
  opts: { signal?: AbortSignal; concurrency?: number; maxBytes?: number } = {},
): Promise<LogoFetchResult> {
  const { db, config, logger } = services;
  const retryBefore = new Date(Date.now() - LOGO_RETRY_AFTER_MS);
  const missing = await db
    .select({ id: ucieTokens.coingeckoId, imageUrl: ucieTokens.imageUrl })
    .from(ucieTokens)
    .leftJoin(ucieCoinLogos, eq(ucieCoinLogos.coinId, ucieTokens.coingeckoId))
    .where(
      and(
        isNull(ucieTokens.logoEtag),
        eq(ucieTokens.source, "live"),
        sql`${ucieTokens.imageUrl} is not null`,
        sql`(${ucieCoinLogos.coinId} is null or ${ucieCoinLogos.fetchedAt} < ${retryBefore})`,
      ),
    )
    .limit(1000);
  const allowedHosts = logoHosts(config.coingeckoBase);
  const result: LogoFetchResult = { fetched: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < missing.length && !opts.signal?.aborted) {
      const coin = missing[next++]!;
      const sourceUrl = smallLogoUrl(coin.imageUrl!);
      const got = await fetchLogoImage(sourceUrl, {
        allowedHosts,
        timeoutMs: config.UPSTREAM_TIMEOUT_MS,
        maxBytes: opts.maxBytes,
        signal: opts.signal,
      });
      if (got.ok) result.fetched++;
      else {
        result.failed++;
        logger.debug({ coin: coin.id, reason: got.reason }, "logo not fetched");
      }
      await storeLogo(db, coin.id, sourceUrl, got);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, missing.length) }, worker));
  if (missing.length) logger.info(result, "coin logos fetched");
  return result;
}

async function storeLogo(db: DbOrTx, coinId: string, sourceUrl: string, got: LogoFetch): Promise<void> {
  const row = got.ok
    ? {
        contentType: got.contentType,
        body: got.body.toString("base64"),
        etag: createHash("sha256").update(got.body).digest("hex").slice(0, 16),
      }
    : { contentType: null, body: null, etag: null };
  await db.transaction(async (tx) => {
    await tx
      .insert(ucieCoinLogos)
      .values({ coinId, sourceUrl, ...row, fetchedAt: new Date() })
      .onConflictDoUpdate({ target: ucieCoinLogos.coinId, set: { sourceUrl, ...row, fetchedAt: new Date() } });
    await tx.update(ucieTokens).set({ logoEtag: row.etag }).where(eq(ucieTokens.coingeckoId, coinId));
  });
}

/** A stored logo, or null. */
export async function readLogo(db: DbOrTx, coinId: string): Promise<{ contentType: string; body: Buffer; etag: string } | null> {
  const [row] = await db
    .select({ contentType: ucieCoinLogos.contentType, body: ucieCoinLogos.body, etag: ucieCoinLogos.etag })
    .from(ucieCoinLogos)
    .where(eq(ucieCoinLogos.coinId, coinId))
    .limit(1);
  if (!row?.body || !row.contentType || !row.etag) return null;
  return { contentType: row.contentType, body: Buffer.from(row.body, "base64"), etag: row.etag };
}
