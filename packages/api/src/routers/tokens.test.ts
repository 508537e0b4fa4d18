/** tokens.* through the real router on a real database: list, search ranking, the resolver, history. */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@ucie/config";
import { ucieTokens } from "@ucie/db";
import { createTestDb, testDbKinds, type TestDatabase } from "@ucie/db/testing";
import { createContextInner } from "../context";
import { upsertCoins } from "../market/catalogue";
import { resolveCoin } from "../market/resolve";
import { loadSnapshot } from "../market/snapshot";
import type { MarketCoin } from "../market/types";
import { createCaller } from "../root";
import { createServices, type Services } from "../services";

const coin = (id: string, symbol: string, name: string, rank: number | null, price = 1): MarketCoin => ({
  id,
  symbol,
  name,
  image: null,
  current_price: price,
  market_cap: rank ? 1e12 / rank : null,
  market_cap_rank: rank,
  fully_diluted_valuation: null,
  total_volume: 1e6,
  high_24h: null,
  low_24h: null,
  price_change_24h: null,
  price_change_percentage_24h: 1,
  circulating_supply: null,
  total_supply: null,
  max_supply: null,
  ath: null,
  ath_change_percentage: null,
  ath_date: null,
  last_updated: "2021-06-24T03:00:00.000Z",
});

// ranking fixtures around "sol": solana (SOL, #14 in the snapshot) is the exact ticker
const EXTRA: MarketCoin[] = [
  coin("soldex", "solx", "Soldex", 3), // ticker prefix, better rank than the exact match
  coin("solidly", "solid", "Solidly", 300),
  coin("solfarm", "tulip", "Solfarm", 2), // name prefix only
  coin("wrapped-solana", "wsol", "Wrapped Solana", 1), // contains "sol": fuzzy only
  coin("unicorn-token", "uni", "Unicorn Token", 900), // shares UNI with uniswap (#11)
  coin("link", "lnk", "Link Token", 950), // an id equal to chainlink's ticker
  coin("old-coin", "old", "Old Coin", 120),
];

describe.each(testDbKinds())("tokens router (%s)", (kind) => {
  let database: TestDatabase;
  let services: Services;
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    database = await createTestDb(kind);
    services = createServices(database, { config: loadConfig({ MARKET_DATA: "offline", LOG_LEVEL: "silent" }) });
    await upsertCoins(database.db, loadSnapshot(), "snapshot");
    await upsertCoins(database.db, EXTRA, "snapshot");
    await database.db.update(ucieTokens).set({ isActive: false }).where(eq(ucieTokens.coingeckoId, "old-coin"));
    caller = createCaller(await createContextInner({ services }));
  });
  afterAll(async () => {
    await services?.events.close();
    await database?.close();
  });

  describe("search", () => {
    it("ranks exact ticker, then ticker prefix, then name prefix, then fuzzy, whatever the market-cap rank", async () => {
      const hits = await caller.tokens.search({ query: "sol" });
      expect(hits.slice(0, 5).map((h) => [h.id, h.match])).toEqual([
        ["solana", "symbol"],
        ["soldex", "symbol-prefix"],
        ["solidly", "symbol-prefix"],
        ["solfarm", "name-prefix"],
        ["wrapped-solana", "fuzzy"],
      ]);
      expect(hits[0]).toMatchObject({ id: "solana", symbol: "SOL", name: "Solana", rank: 14 });
      // offline no logo is held: the page draws a badge rather than ask CoinGecko's image host
      expect(hits[0]!.logo).toBeNull();
    });

    it("is case-insensitive and finds names by prefix", async () => {
      const hits = await caller.tokens.search({ query: "BITCOIN" });
      // the exact CoinGecko id ranks with exact tickers
      expect(hits[0]).toMatchObject({ id: "bitcoin", match: "id" });
      const names = hits.filter((h) => h.match === "name-prefix").map((h) => h.id);
      expect(names).toEqual(expect.arrayContaining(["bitcoin-cash", "bitcoin-cash-sv", "bitcoin-gold"]));
      // name-prefix hits by rank: Bitcoin Cash (12) before Bitcoin SV (39) before Bitcoin Gold (87)
      expect(names.indexOf("bitcoin-cash")).toBeLessThan(names.indexOf("bitcoin-cash-sv"));
      expect(names.indexOf("bitcoin-cash-sv")).toBeLessThan(names.indexOf("bitcoin-gold"));
      expect((await caller.tokens.search({ query: "bitcoin g" }))[0]).toMatchObject({ id: "bitcoin-gold", match: "name-prefix" });
      expect(hits.find((h) => h.id === "wrapped-bitcoin")?.match).toBe("fuzzy");
    });

    it("forgives a typo with the trigram match", async () => {
      const hits = await caller.tokens.search({ query: "etherum" });
      expect(hits[0]).toMatchObject({ id: "ethereum", match: "fuzzy" });
    });

    it("marks a ticker that belongs to a better-ranked coin", async () => {
      const hits = await caller.tokens.search({ query: "uni" });
      const uniswap = hits.find((h) => h.id === "uniswap")!;
      const unicorn = hits.find((h) => h.id === "unicorn-token")!;
      expect(uniswap).toMatchObject({ match: "symbol", tickerOwnedByHigherRank: false });
      expect(unicorn).toMatchObject({ match: "symbol", tickerOwnedByHigherRank: true });
      expect(hits.indexOf(uniswap)).toBeLessThan(hits.indexOf(unicorn));
    });

    it("shows a delisted coin after active ones, marked", async () => {
      const hits = await caller.tokens.search({ query: "old" });
      expect(hits.find((h) => h.id === "old-coin")).toMatchObject({ isActive: false });
    });

    it("takes LIKE wildcards literally and bounds its input", async () => {
      expect(await caller.tokens.search({ query: "%" })).toEqual([]);
      expect(await caller.tokens.search({ query: "_" })).toEqual([]);
      expect((await caller.tokens.search({ query: "b", limit: 3 })).length).toBe(3);
      await expect(caller.tokens.search({ query: "" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining("query"),
      });
      await expect(caller.tokens.search({ query: "x".repeat(101) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(caller.tokens.search({ query: "btc", limit: 51 })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining("limit"),
      });
    });
  });

  describe("get and the resolver", () => {
    it("resolves a ticker to the active coin with the best rank", async () => {
      expect(await caller.tokens.get({ symbol: "uni" })).toMatchObject({ id: "uniswap", symbol: "UNI" });
      expect(await caller.tokens.get({ symbol: "unicorn-token" })).toMatchObject({ id: "unicorn-token", symbol: "UNI" });
    });

    it("lets an id win over a ticker", async () => {
      expect((await resolveCoin(database.db, "link"))!.coingeckoId).toBe("link");
      expect((await resolveCoin(database.db, "LINK"))!.coingeckoId).toBe("link");
      expect(await caller.tokens.get({ symbol: "chainlink" })).toMatchObject({ id: "chainlink", symbol: "LINK" });
    });

    it("keeps a delisted coin reachable by id, with its last price, but not by ticker", async () => {
      expect(await caller.tokens.get({ symbol: "old-coin" })).toMatchObject({ isActive: false, priceUsd: 1 });
      await expect(caller.tokens.get({ symbol: "OLD" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("answers NOT_FOUND for an unknown coin and BAD_REQUEST for a bad input", async () => {
      await expect(caller.tokens.get({ symbol: "no-such-coin" })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(caller.tokens.get({ symbol: " " })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining("symbol"),
      });
    });
  });

  describe("list", () => {
    it("lists by rank with active coins first, with source, time and a labelled sparkline", async () => {
      const page = await caller.tokens.list({ limit: 20 });
      expect(page.items).toHaveLength(20);
      expect(page.source).toBe("snapshot");
      expect(page.asOf!.toISOString()).toMatch(/^2021-06-24T03:3/);
      const ranks = page.items.map((t) => t.rank!);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(page.items.find((t) => t.id === "bitcoin")).toMatchObject({ symbol: "BTC", sparklineSource: "snapshot" });
      expect(page.items.find((t) => t.id === "ethereum")).toMatchObject({ sparklineSource: "simulated" });
      expect(page.items[0]!.sparkline7d!.length).toBeGreaterThanOrEqual(7);
    });

    it("pages with a cursor and puts delisted coins last", async () => {
      const all = [];
      let cursor: number | undefined = 0;
      while (cursor !== undefined) {
        const page: Awaited<ReturnType<typeof caller.tokens.list>> = await caller.tokens.list({ limit: 50, cursor });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      }
      expect(all).toHaveLength(107);
      expect(new Set(all.map((t) => t.id)).size).toBe(107);
      expect(all.at(-1)).toMatchObject({ id: "old-coin", isActive: false });
      await expect(caller.tokens.list({ limit: 0 })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining("limit"),
      });
      await expect(caller.tokens.list({ limit: 251 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    });
  });

  describe("details", () => {
    it("offline: the snapshot's supply and all-time figures, labelled, nothing descriptive", async () => {
      const d = await caller.tokens.details({ symbol: "BTC" });
      expect(d).toMatchObject({ id: "bitcoin", source: "snapshot", details: { maxSupply: 21_000_000, description: null, homepage: null } });
      expect(d.details!.athUsd).toBeGreaterThan(60_000);
      expect(d.details!.atlUsd).toBeGreaterThan(0);
      expect(d.details!.atlDate).toBeInstanceOf(Date);
      expect(d.note).toMatch(/snapshot/);
      const outside = await caller.tokens.details({ symbol: "soldex" });
      expect(outside).toMatchObject({ source: "snapshot", details: null });
      await expect(caller.tokens.details({ symbol: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    });
  });

  describe("history", () => {
    it("returns daily candles oldest first, and says where they came from", async () => {
      const btc = await caller.tokens.history({ symbol: "BTC", days: 30 });
      expect(btc).toHaveLength(30);
      expect(btc[0]!.t).toBeLessThan(btc[29]!.t);
      expect(Object.keys(btc[0]!).sort()).toEqual(["close", "high", "low", "open", "t", "volume"]);
      expect(await caller.tokens.historyMeta({ symbol: "BTC", days: 30 })).toMatchObject({
        id: "bitcoin",
        symbol: "BTC",
        source: "snapshot",
        candles: 30,
      });
      const eth = await caller.tokens.historyMeta({ symbol: "ethereum", days: 90 });
      expect(eth).toMatchObject({ source: "simulated", candles: 90 });
      expect(eth.note).toMatch(/simulated/);
    });

    it("gives hourly candles for up to 90 days, simulated offline and labelled so", async () => {
      const h = await caller.tokens.history({ symbol: "ETH", days: 7, interval: "hourly" });
      expect(h).toHaveLength(7 * 24);
      for (let i = 1; i < h.length; i++) expect(h[i]!.t - h[i - 1]!.t).toBe(3_600_000);
      const meta = await caller.tokens.historyMeta({ symbol: "BTC", days: 1, interval: "hourly" });
      expect(meta).toMatchObject({ interval: "hourly", source: "simulated", candles: 24 });
      expect(meta.note).toMatch(/simulated hourly/);
      // the hourly walk ends at the day's real close
      const daily = await caller.tokens.history({ symbol: "BTC", days: 1 });
      const hourly = await caller.tokens.history({ symbol: "BTC", days: 1, interval: "hourly" });
      expect(hourly.at(-1)!.close).toBe(daily.at(-1)!.close);
      await expect(caller.tokens.history({ symbol: "BTC", days: 91, interval: "hourly" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringMatching(/days[\s\S]*90 days/),
      });
    });

    it("refuses bad days and unknown coins, and has no offline history for coins outside the snapshot", async () => {
      await expect(caller.tokens.history({ symbol: "BTC", days: 0 })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining("days"),
      });
      await expect(caller.tokens.history({ symbol: "BTC", days: 1.5 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(caller.tokens.history({ symbol: "BTC", days: 5000 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(caller.tokens.history({ symbol: "nope", days: 5 })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(caller.tokens.history({ symbol: "soldex", days: 5 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    });
  });
});
