import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "../context";
import { isUpstreamError } from "../market/errors";
import { resolveCoin, type TokenRow } from "../market/resolve";
import { normaliseQuery, SEARCH_CACHE_TTL_MS, searchTokens } from "../market/search";
import { listTokens, toTokenDto } from "../market/tokens";
import type { Candle, Sourced } from "../market/types";
import { searchQuery, symbol } from "../schemas";
import { converterForUser, withPrice } from "../preferences/preferences";
import { publicProcedure } from "../trpc";

const days = z.number().int().min(1).max(3650);
/** hourly candles exist for the last 90 days (CoinGecko's hourly granularity) */
export const HOURLY_MAX_DAYS = 90;
const historyInput = z
  .strictObject({ symbol, days, interval: z.enum(["daily", "hourly"]).optional() })
  .refine((i) => i.interval !== "hourly" || i.days <= HOURLY_MAX_DAYS, {
    path: ["days"],
    message: `hourly history covers at most ${HOURLY_MAX_DAYS} days`,
  });

async function coinOrNotFound(ctx: Context, input: string): Promise<TokenRow> {
  const row = await resolveCoin(ctx.services.db, input);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `No coin '${input}' in the catalogue` });
  return row;
}

/**
 * The ranges daily history is asked for upstream and cached in: a request is cut from the smallest range
 * that holds it, so however many different `days` strangers ask for, a coin has at most eight cached daily
 * answers and costs at most eight upstream calls per cache lifetime.
 */
export const HISTORY_RANGES = [7, 30, 90, 180, 365, 730, 1825, 3650] as const;

/**
 * Hourly history likewise, one range per range button of the token page (1D, 7D, 1M, 3M): at most four
 * cached hourly answers per coin, and four upstream calls per cache lifetime, for any `days` up to 90.
 */
export const HOURLY_RANGES = [1, 7, 30, HOURLY_MAX_DAYS] as const;

/**
 * The coin's candles from the market service, its failures turned into API errors: daily (never finer than
 * one point a day, cut from a HISTORY_RANGES answer) or hourly (at most HOURLY_MAX_DAYS, the last `n` × 24
 * candles of an HOURLY_RANGES answer).
 */
async function historyOf(ctx: Context, coin: TokenRow, n: number, interval: "daily" | "hourly" = "daily"): Promise<Sourced<Candle[]>> {
  try {
    if (interval === "hourly") {
      const range = HOURLY_RANGES.find((r) => r >= n) ?? HOURLY_MAX_DAYS;
      const h = await upstream(ctx, coin, () => ctx.services.market.hourlyHistory(coin.coingeckoId, range));
      return range === n ? h : { ...h, data: h.data.slice(-n * 24) };
    }
    const range = HISTORY_RANGES.find((r) => r >= n) ?? HISTORY_RANGES.at(-1)!;
    const h = await upstream(ctx, coin, () => ctx.services.market.history(coin.coingeckoId, range));
    return { ...h, data: h.data.slice(-n) };
  } catch (err) {
    if (err instanceof TRPCError && err.code === "NOT_FOUND")
      throw new TRPCError({
        code: "NOT_FOUND",
        message: `No price history for ${coin.symbol} (${coin.coingeckoId}) from this data source`,
      });
    throw err;
  }
}

/** A market call for one coin, its upstream failures turned into API errors (NOT_FOUND when the source has no such data). */
async function upstream<T>(ctx: Context, coin: TokenRow, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isUpstreamError(err)) throw err;
    ctx.services.logger.warn(
      { coin: coin.coingeckoId, provider: err.provider, kind: err.kind, status: err.status },
      "market data unavailable",
    );
    if (err.kind === "unavailable" || err.status === 404) {
      throw new TRPCError({ code: "NOT_FOUND", message: `No such data for ${coin.symbol} (${coin.coingeckoId}) from this data source` });
    }
    if (err.kind === "rate_limited")
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "The market data source is busy; try again in a minute" });
    if (err.kind === "timeout") throw new TRPCError({ code: "GATEWAY_TIMEOUT", message: "The market data source did not answer in time" });
    throw new TRPCError({ code: "BAD_GATEWAY", message: "The market data source could not answer" });
  }
}

export const tokensRouter = {
  /** `{ items, nextCursor, source, asOf, total }`: tokens by market-cap rank, active first */
  list: publicProcedure
    .input(
      z
        .strictObject({
          limit: z.number().int().min(1).max(250).optional(),
          cursor: z.number().int().min(0).max(1_000_000).nullish(),
          /** sent by tRPC's infinite queries; only forward paging exists */
          direction: z.enum(["forward", "backward"]).optional(),
        })
        .optional(),
    )
    .query(async ({ ctx, input }) => {
      const [page, c] = await Promise.all([
        listTokens(ctx.services.db, input?.limit ?? 100, input?.cursor ?? 0),
        converterForUser(ctx.services, ctx.user?.id),
      ]);
      return { ...page, items: page.items.map((t) => withPrice(t, c)) };
    }),

  /** best match first: exact ticker, ticker prefix, name prefix, fuzzy name */
  search: publicProcedure
    .input(
      z.strictObject({
        query: searchQuery,
        limit: z.number().int().min(1).max(50).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const limit = input.limit ?? 10;
      // The same few queries arrive from many users at once (autocomplete as people type); the raw (USD) hits
      // are reused for a few seconds, identical concurrent ones share one database round (see SEARCH_CACHE_TTL_MS),
      // and each answer is then priced in the asking user's currency.
      const key = `${limit}:${normaliseQuery(input.query)}`;
      // PGlite in this process blocks the event loop while a search runs: one at a time, other requests between
      const { services } = ctx;
      const search = () => searchTokens(services.db, input.query, limit);
      const load = services.database.raw.kind === "pglite" ? () => services.limits.embeddedSearches.run(search) : search;
      const [hits, c] = await Promise.all([
        ctx.services.caches.search.get(key, SEARCH_CACHE_TTL_MS, load, undefined, SEARCH_CACHE_TTL_MS),
        converterForUser(ctx.services, ctx.user?.id),
      ]);
      return hits.map((h) => withPrice(h, c));
    }),

  get: publicProcedure.input(z.strictObject({ symbol })).query(async ({ ctx, input }) => {
    const [coin, c] = await Promise.all([coinOrNotFound(ctx, input.symbol), converterForUser(ctx.services, ctx.user?.id)]);
    // a coin outside the top 250 gets its market data now (batched, cached): see market/on-demand.ts
    return withPrice(toTokenDto(await ctx.services.caches.onDemand.freshen(coin)), c);
  }),

  /** `{ t, open, high, low, close, volume }[]`, oldest first; where they came from: `tokens.historyMeta` */
  history: publicProcedure.input(historyInput).query(async ({ ctx, input }) => {
    const coin = await coinOrNotFound(ctx, input.symbol);
    const { data } = await historyOf(ctx, coin, input.days, input.interval);
    // a long history is a big answer: its turn comes between other requests, never twenty at once
    if (data.length > 365) await ctx.services.limits.bigAnswers.next();
    return data;
  }),

  /**
   * Where `tokens.history` with the same input gets its candles: `source` (`live`, `snapshot` for real
   * offline history, `simulated`), `asOf` (the last candle), `note`, and the candle count. The market
   * service caches the candles, so asking both costs one upstream call.
   */
  historyMeta: publicProcedure.input(historyInput).query(async ({ ctx, input }) => {
    const coin = await coinOrNotFound(ctx, input.symbol);
    const interval = input.interval ?? "daily";
    const h = await historyOf(ctx, coin, input.days, interval);
    return {
      id: coin.coingeckoId,
      symbol: coin.symbol,
      interval,
      source: h.source,
      asOf: h.asOf,
      note: h.note ?? null,
      candles: h.data.length,
      from: h.data[0] ? new Date(h.data[0].t) : null,
      to: h.data.at(-1) ? new Date(h.data.at(-1)!.t) : null,
    };
  }),

  /**
   * `{ id, symbol, name, source, asOf, note, details }`: supply, all-time high and low with dates, genesis
   * date, categories, homepage and explorer links, a short plain-text description (upstream HTML stripped).
   * Cached a day. Offline, the snapshot's supply and all-time figures (`source: "snapshot"`, with a note).
   */
  details: publicProcedure.input(z.strictObject({ symbol })).query(async ({ ctx, input }) => {
    const coin = await coinOrNotFound(ctx, input.symbol);
    const d = await upstream(ctx, coin, () => ctx.services.market.details(coin.coingeckoId));
    return {
      id: coin.coingeckoId,
      symbol: coin.symbol,
      name: coin.name,
      source: d.source,
      asOf: d.asOf,
      note: d.note ?? null,
      details: d.data,
    };
  }),
} satisfies TRPCRouterRecord;
