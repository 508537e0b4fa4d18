/**
 * ONE local node:http server that speaks the wire formats of every market upstream UCIE calls, for tests
 * (and the e2e server). It serves the real bundled CoinGecko snapshot for /coins/markets and
 * deterministic generated data elsewhere.
 *
 *   const up = await startFakeUpstream();
 *   const config = loadConfig({ MARKET_DATA: "live", ...up.env });   // every *_API_BASE points here
 *   up.setPrice("bitcoin", 50_000);        // /coins/markets, /simple/price and charts follow it
 *   up.removeCoin("tether");               // gone from every CoinGecko endpoint (404 for its charts)
 *   up.addCoin({ id: "new-coin", symbol: "new", name: "New Coin", current_price: 1, market_cap: 1e9 });
 *   up.fail("/coins/markets", "error");    // knobs, matched by path prefix (see FailMode):
 *   up.fail("/simple/price", "rate-limit", { retryAfter: 1, times: 1 });   // once, then normal
 *   up.fail("/fng/", "slow", { delayMs: 5_000 });
 *   up.fail("/coins/markets", "html");     // 429 with a proxy's HTML page
 *   up.fail("/coins/markets", "garbage");  // 200 with a body that is not the wire format
 *   up.fail("/fng/", "hold");              // answered only at up.release(): a phase that waits for the test
 *   up.clearFailures();
 *   up.setHeaders("/coins/markets", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2" });
 *   up.requireKey("demo", "k1");           // CoinGecko refuses calls without x-cg-demo-api-key: k1
 *   up.requests   // every request: { provider, path, query, headers, at } (path relative to the provider base)
 *   up.callsTo("/coins/markets")           // how many so far
 *   up.reset()    // snapshot, knobs and log back to the start
 *   await up.close()
 *
 * Bases (also in `env`): CoinGecko `${url}/coingecko/api/v3` (pro plan: `${url}/coingecko-pro/api/v3`,
 * `env.COINGECKO_PRO_API_BASE`), alternative.me `${url}/alternative`, CryptoCompare news `${url}/cryptocompare`,
 * DefiLlama `${url}/llama`, Binance futures `${url}/binance`, mempool.space `${url}/mempool/api`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { exchangeRatesBody } from "../market/exchange-rates";
import { loadSnapshot } from "../market/snapshot";
import { DAY_MS, prng, seedOf, simulateDailyCandles, simulateFearGreed, utcDay } from "../market/simulate";
import type { MarketCoin } from "../market/types";
import { generatedCoins } from "./coin-list";

export type FailMode =
  /** HTTP `status` (default 500) with a JSON error body */
  | "error"
  /** answer normally after `delayMs` (default 10 s) */
  | "slow"
  /** 429 with `Retry-After: retryAfter` (default 1) and a JSON body */
  | "rate-limit"
  /** 429 with the HTML page a proxy serves (and Retry-After when `retryAfter` is set) */
  | "html"
  /** 200 with a body that is not the wire format */
  | "garbage"
  /** drop the connection without an answer */
  | "reset"
  /** answer normally once `release()` is called (a request the test lets through when it is ready) */
  | "hold";

export interface FailOptions {
  status?: number;
  delayMs?: number;
  retryAfter?: number;
  /** apply to the next N matching requests only, then answer normally */
  times?: number;
}

export interface FakeRequest {
  provider: Provider;
  method: string;
  /** path relative to the provider's base, e.g. "/coins/markets" */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  at: number;
}

type Provider =
  "coingecko" | "coingecko-pro" | "coingecko-images" | "fear-greed" | "news" | "defillama" | "derivatives" | "mempool" | "unknown";

const PREFIXES: [string, Provider][] = [
  ["/coingecko-pro/api/v3", "coingecko-pro"],
  ["/coingecko/api/v3", "coingecko"],
  // CoinGecko's image host (assets.coingecko.com): logos at /coins/images/<n>/<thumb|small|large>/<name>.png
  ["/coingecko-images", "coingecko-images"],
  ["/alternative", "fear-greed"],
  ["/cryptocompare", "news"],
  ["/llama", "defillama"],
  ["/binance", "derivatives"],
  ["/mempool/api", "mempool"],
];

export interface FakeUpstream {
  url: string;
  env: {
    COINGECKO_API_BASE: string;
    COINGECKO_PRO_API_BASE: string;
    FEAR_GREED_API_BASE: string;
    NEWS_API_BASE: string;
    DEFILLAMA_API_BASE: string;
    DERIVATIVES_API_BASE: string;
    MEMPOOL_API_BASE: string;
  };
  requests: FakeRequest[];
  coins(): MarketCoin[];
  setPrice(id: string, usd: number): void;
  removeCoin(id: string): void;
  addCoin(coin: Partial<MarketCoin> & Pick<MarketCoin, "id" | "symbol" | "name">): void;
  fail(pathPrefix: string, mode: FailMode, opts?: FailOptions): void;
  clearFailures(): void;
  /** answer every held request and stop holding (clears the "hold" knobs) */
  release(): void;
  setHeaders(pathPrefix: string, headers: Record<string, string>): void;
  requireKey(plan: "demo" | "pro", key: string): void;
  callsTo(pathPrefix: string): number;
  reset(): void;
  close(): Promise<void>;
}

const HTML_429 = `<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1><p>Rate limited by the edge proxy.</p></body></html>`;

export async function startFakeUpstream(opts: { port?: number } = {}): Promise<FakeUpstream> {
  let coins: MarketCoin[] = [];
  let failures: { prefix: string; mode: FailMode; opts: FailOptions; left: number }[] = [];
  let extraHeaders: { prefix: string; headers: Record<string, string> }[] = [];
  let keyRule: { plan: "demo" | "pro"; key: string } | null = null;
  const requests: FakeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const held = new Set<() => void>();

  const resetData = () => {
    coins = structuredClone(loadSnapshot()).map((c) => ({ ...c }));
  };
  resetData();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const [prefix, provider] = PREFIXES.find(([p]) => url.pathname.startsWith(`${p}/`) || url.pathname === p) ?? ["", "unknown"];
    const path = url.pathname.slice(prefix.length) || "/";
    const entry: FakeRequest = {
      provider,
      method: req.method ?? "GET",
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      at: Date.now(),
    };
    requests.push(entry);

    const matches = (p: string) => path.startsWith(p) || url.pathname.startsWith(p);
    for (const h of extraHeaders) if (matches(h.prefix)) for (const [k, v] of Object.entries(h.headers)) res.setHeader(k, v);

    const failure = failures.find((f) => f.left !== 0 && matches(f.prefix));
    if (failure && failure.left > 0) failure.left--;
    const answer = () => {
      if (res.destroyed) return;
      try {
        route(provider, path, url.searchParams, req, res);
      } catch (err) {
        json(res, 500, { error: String(err) });
      }
    };
    if (!failure) return answer();
    const o = failure.opts;
    switch (failure.mode) {
      case "error":
        return json(res, o.status ?? 500, { error: "internal error (fake upstream)" });
      case "rate-limit":
        res.setHeader("retry-after", String(o.retryAfter ?? 1));
        return json(res, 429, { status: { error_code: 429, error_message: "You've exceeded the Rate Limit." } });
      case "html":
        if (o.retryAfter !== undefined) res.setHeader("retry-after", String(o.retryAfter));
        res.writeHead(429, { "content-type": "text/html" });
        return res.end(HTML_429);
      case "garbage":
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(
          provider === "mempool" && path === "/blocks/tip/height" ? "<html>nope</html>" : '{"unexpected": [1, 2, "three"], "trunc',
        );
      case "reset":
        return req.socket.destroy();
      case "hold":
        held.add(answer);
        res.on("close", () => held.delete(answer));
        return;
      case "slow": {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, o.delayMs ?? 10_000);
        timers.add(t);
        res.on("close", () => {
          clearTimeout(t);
          timers.delete(t);
        });
        return;
      }
    }
  });

  function route(provider: Provider, path: string, q: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse): void {
    switch (provider) {
      case "coingecko":
      case "coingecko-pro":
        return coingecko(provider, path, q, req, res);
      case "fear-greed":
        if (path === "/fng/" || path === "/fng") {
          const limit = clampInt(q.get("limit"), 1, 1, 5000);
          const points = simulateFearGreed(limit, new Date(), 45);
          return json(res, 200, {
            name: "Fear and Greed Index",
            data: points.map((p) => ({
              value: String(p.value),
              value_classification: p.classification,
              timestamp: String(Math.floor(p.timestamp.getTime() / 1000)),
            })),
            metadata: { error: null },
          });
        }
        break;
      case "news":
        if (path === "/data/v2/news/" || path === "/data/v2/news") {
          const cat = (q.get("categories") ?? "BTC").toUpperCase();
          const now = Math.floor(Date.now() / 1000);
          return json(res, 200, {
            Type: 100,
            Message: "News list successfully returned",
            Promoted: [],
            Data: Array.from({ length: 12 }, (_, i) => ({
              id: String(1000 + i),
              guid: `https://news.example/${cat.toLowerCase()}/${i}`,
              published_on: now - i * 3600,
              imageurl: "",
              title: `${cat} headline ${i + 1}: markets ${i % 2 ? "rally" : "slide"} as traders weigh outlook`,
              url: `https://news.example/${cat.toLowerCase()}/${i}`,
              source: "examplewire",
              body: `Body of ${cat} story ${i + 1}.`,
              tags: cat,
              categories: cat,
              source_info: { name: "Example Wire", lang: "EN", img: "" },
            })),
            RateLimit: {},
            HasWarning: false,
          });
        }
        break;
      case "defillama":
        if (path === "/protocols") return json(res, 200, PROTOCOLS);
        if (path === "/v2/chains") return json(res, 200, CHAINS);
        if (path.startsWith("/protocol/")) {
          const p = PROTOCOLS.find((x) => x.slug === path.slice("/protocol/".length));
          return p ? json(res, 200, { ...p, currentChainTvls: {} }) : json(res, 400, { message: "Protocol not found" });
        }
        break;
      case "derivatives": {
        const symbol = q.get("symbol") ?? "";
        const coin = coins.find((c) => `${c.symbol.toUpperCase()}USDT` === symbol && (c.market_cap_rank ?? 999) <= 60);
        if (path === "/fapi/v1/premiumIndex" || path === "/fapi/v1/openInterest") {
          if (!coin?.current_price) return json(res, 400, { code: -1121, msg: "Invalid symbol." });
          const rand = prng(seedOf(`fake-futures:${coin.id}`));
          if (path === "/fapi/v1/premiumIndex") {
            return json(res, 200, {
              symbol,
              markPrice: coin.current_price.toFixed(8),
              indexPrice: coin.current_price.toFixed(8),
              estimatedSettlePrice: coin.current_price.toFixed(8),
              lastFundingRate: ((rand() - 0.4) * 0.0004).toFixed(8),
              interestRate: "0.00010000",
              nextFundingTime: utcDay(new Date()) + DAY_MS,
              time: Date.now(),
            });
          }
          const oiUsd = (coin.market_cap ?? 1e9) * (0.005 + rand() * 0.02);
          return json(res, 200, { symbol, openInterest: (oiUsd / coin.current_price).toFixed(3), time: Date.now() });
        }
        break;
      }
      case "mempool":
        if (path === "/v1/fees/recommended")
          return json(res, 200, { fastestFee: 12, halfHourFee: 9, hourFee: 7, economyFee: 4, minimumFee: 2 });
        if (path === "/blocks/tip/height") {
          res.writeHead(200, { "content-type": "text/plain" });
          res.end(String(840_000 + Math.floor((Date.now() - Date.parse("2024-04-20T00:00:00Z")) / 600_000)));
          return;
        }
        if (path === "/v1/mining/hashrate/3d") {
          return json(res, 200, { hashrates: [], difficulty: [], currentHashrate: 6.5e20, currentDifficulty: 9.2e13 });
        }
        if (path === "/mempool") return json(res, 200, { count: 41234, vsize: 23456789, total_fee: 12345678, fee_histogram: [] });
        break;
      case "coingecko-images": {
        const m = /^\/coins\/images\/\d+\/(thumb|small|large)\/([\w.-]+)\.png$/.exec(path);
        if (m) {
          const png = solidPng(m[1] === "thumb" ? 25 : m[1] === "small" ? 64 : 250, m[2]!);
          res.writeHead(200, { "content-type": "image/png", "content-length": png.length, "cache-control": "max-age=31536000" });
          return void res.end(png);
        }
        break;
      }
      default:
        break;
    }
    json(res, 404, { error: "Not found (fake upstream)" });
  }

  function coingecko(provider: Provider, path: string, q: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse): void {
    const demoKey = req.headers["x-cg-demo-api-key"];
    const proKey = req.headers["x-cg-pro-api-key"];
    if (provider === "coingecko-pro") {
      // the pro host refuses demo keys and keyless calls, as CoinGecko's does
      if (demoKey && !proKey) {
        return json(res, 400, {
          status: {
            error_code: 10011,
            error_message: "If you are using Demo API key, please change your root URL from pro-api.coingecko.com to api.coingecko.com",
          },
        });
      }
      if (!proKey || (keyRule && keyRule.key !== proKey))
        return json(res, 401, { status: { error_code: 10002, error_message: "API Key Missing" } });
    } else if (keyRule) {
      if (proKey && !demoKey) {
        return json(res, 400, {
          status: {
            error_code: 10010,
            error_message: "If you are using Pro API key, please change your root URL from api.coingecko.com to pro-api.coingecko.com",
          },
        });
      }
      if (keyRule.plan === "demo" && demoKey !== keyRule.key)
        return json(res, 401, { status: { error_code: 10002, error_message: "API Key Missing" } });
    }

    const findCoin = (id: string) => ranked.find((c) => c.id === id) ?? generatedById().get(id);
    const ranked = [...coins].sort((a, b) => (b.market_cap ?? 0) - (a.market_cap ?? 0)).map((c, i) => ({ ...c, market_cap_rank: i + 1 }));
    if (path === "/ping") return json(res, 200, { gecko_says: "(V3) To the Moon!" });
    if (path === "/coins/markets") {
      const perPage = clampInt(q.get("per_page"), 100, 1, 250);
      const page = clampInt(q.get("page"), 1, 1, 10_000);
      const withSpark = q.get("sparkline") === "true";
      const changes = (q.get("price_change_percentage") ?? "").split(",");
      const now = new Date().toISOString();
      const ids = q.get("ids");
      // ids=: any listed coin (the generated long tail included), at most per_page of them
      const picked = ids
        ? ids
            .split(",")
            .map((id) => findCoin(id))
            .filter((c): c is MarketCoin => c !== undefined)
            .slice(0, perPage)
        : ranked.slice((page - 1) * perPage, page * perPage);
      const rows = picked.map((c) => {
        const candles = dailyFor(c, 31);
        const pct = (days: number) => {
          const then = candles[candles.length - 1 - days]?.close;
          return then && c.current_price ? ((c.current_price - then) / then) * 100 : null;
        };
        const row: Record<string, unknown> = { ...c, image: fakeImageUrl(c.image, req), last_updated: now };
        if (withSpark) row.sparkline_in_7d = { price: hourlyFor(c, 7).map((p) => p[1]) };
        if (changes.includes("1h")) row.price_change_percentage_1h_in_currency = pct(1) === null ? null : pct(1)! / 24;
        if (changes.includes("24h")) row.price_change_percentage_24h_in_currency = c.price_change_percentage_24h;
        if (changes.includes("7d")) row.price_change_percentage_7d_in_currency = pct(7);
        if (changes.includes("30d")) row.price_change_percentage_30d_in_currency = pct(30);
        return row;
      });
      return json(res, 200, rows);
    }
    if (path === "/exchange_rates") {
      const usd = (id: string) => coins.find((x) => x.id === id)?.current_price ?? 1;
      return json(res, 200, exchangeRatesBody(usd("bitcoin"), usd("ethereum")));
    }
    if (path === "/coins/list") {
      const list = [...ranked, ...generatedCoins()].map((c) => ({
        id: c.id,
        symbol: c.symbol,
        name: c.name,
        ...(q.get("include_platform") === "true" ? { platforms: {} } : {}),
      }));
      return json(res, 200, list);
    }
    if (path === "/simple/price") {
      const ids = (q.get("ids") ?? "").split(",").filter(Boolean);
      const out: Record<string, Record<string, number | null>> = {};
      for (const id of ids) {
        const c = findCoin(id);
        if (!c || c.current_price == null) continue;
        out[id] = {
          usd: c.current_price,
          ...(q.get("include_24hr_change") === "true" ? { usd_24h_change: c.price_change_percentage_24h } : {}),
          ...(q.get("include_24hr_vol") === "true" ? { usd_24h_vol: c.total_volume } : {}),
          ...(q.get("include_last_updated_at") === "true" ? { last_updated_at: Math.floor(Date.now() / 1000) } : {}),
        };
      }
      return json(res, 200, out);
    }
    if (path === "/search") {
      const term = (q.get("query") ?? "").toLowerCase();
      const hits = ranked
        .filter((c) => term && (c.symbol.toLowerCase().includes(term) || c.name.toLowerCase().includes(term) || c.id.includes(term)))
        .map((c) => ({
          id: c.id,
          name: c.name,
          api_symbol: c.id,
          symbol: c.symbol.toUpperCase(),
          market_cap_rank: c.market_cap_rank,
          thumb: c.image,
          large: c.image,
        }));
      return json(res, 200, { coins: hits, exchanges: [], icos: [], categories: [], nfts: [] });
    }
    const one = /^\/coins\/([^/]+)$/.exec(path);
    if (one && one[1] !== "markets" && one[1] !== "list") {
      const coin = findCoin(decodeURIComponent(one[1]!));
      if (!coin) return json(res, 404, { error: "coin not found" });
      return json(res, 200, coinDetailsFor(coin, q.get("market_data") !== "false"));
    }
    const m = /^\/coins\/([^/]+)\/(market_chart|market_chart\/range|ohlc)$/.exec(path);
    if (m) {
      const coin = findCoin(decodeURIComponent(m[1]!));
      if (!coin) return json(res, 404, { error: "coin not found" });
      if (m[2] === "ohlc") {
        const days = clampInt(q.get("days"), 1, 1, 365);
        return json(
          res,
          200,
          dailyFor(coin, days).map((c) => [c.t, c.open, c.high, c.low, c.close]),
        );
      }
      let points: [number, number][];
      let from: number;
      if (m[2] === "market_chart") {
        const days = clampInt(q.get("days"), 1, 1, 100_000);
        if (provider === "coingecko" && keyRule?.plan === "demo" && days > 365) {
          return json(res, 401, {
            error: {
              status: {
                error_code: 10012,
                error_message:
                  "Your request exceeds the allowed time range. Public API users are limited to querying historical data within the past 365 days.",
              },
            },
          });
        }
        from = Date.now() - days * DAY_MS;
        points = days <= 90 ? hourlyFor(coin, days) : dailyPoints(coin, days);
      } else {
        from = clampInt(q.get("from"), 0, 0, 1e11) * 1000;
        const to = clampInt(q.get("to"), 0, 0, 1e11) * 1000;
        points = dailyPoints(coin, Math.ceil((Date.now() - from) / DAY_MS) + 1).filter((p) => p[0] >= from && p[0] <= to);
      }
      points = points.filter((p) => p[0] >= from - DAY_MS);
      return json(res, 200, {
        prices: points,
        market_caps: points.map(([t, p]) => [t, p * (coin.circulating_supply ?? 1)]),
        total_volumes: points.map(([t]) => [t, (coin.total_volume ?? 0) * (0.8 + prng(seedOf(`${coin.id}:${t}`))() * 0.4)]),
      });
    }
    json(res, 404, { error: "Not found (fake upstream)" });
  }

  let generated: Map<string, MarketCoin> | undefined;
  function generatedById(): Map<string, MarketCoin> {
    return (generated ??= new Map(generatedCoins().map((c) => [c.id, c])));
  }

  /**
   * /coins/{id} in CoinGecko's wire shape (the fields UCIE reads and a few it ignores). The English
   * description carries HTML the way CoinGecko's does (links, line breaks, entities), plus a script tag
   * that must never reach a page.
   */
  function coinDetailsFor(c: MarketCoin & { atl?: number | null; atl_date?: string | null }, withMarketData: boolean) {
    const usd = <T>(v: T) => ({ usd: v, eur: v });
    return {
      id: c.id,
      symbol: c.symbol,
      name: c.name,
      web_slug: c.id,
      asset_platform_id: null,
      platforms: { "": "" },
      block_time_in_minutes: 10,
      hashing_algorithm: null,
      categories: ["Layer 1 (L1)", "Smart Contract Platform", null],
      public_notice: null,
      localization: {},
      description: {
        en:
          `<a href="https://www.coingecko.com/en/coins/${c.id}">${c.name}</a> is a cryptocurrency &amp; a <b>test</b> coin.\r\n\r\n` +
          `<script>alert("x")</script>It trades as ${c.symbol.toUpperCase()}.<br/>Its &quot;genesis&quot; was long ago.`,
      },
      links: {
        homepage: [`https://${c.id}.example.org/`, "", ""],
        whitepaper: "",
        blockchain_site: [`https://explorer.example.org/${c.id}`, "javascript:alert(1)", "", null],
        official_forum_url: [""],
        chat_url: [""],
        announcement_url: [""],
        twitter_screen_name: c.id,
        subreddit_url: null,
        repos_url: { github: [], bitbucket: [] },
      },
      image: { thumb: c.image, small: c.image, large: c.image },
      country_origin: "",
      genesis_date: c.id === "bitcoin" ? "2009-01-03" : null,
      sentiment_votes_up_percentage: 80,
      sentiment_votes_down_percentage: 20,
      market_cap_rank: c.market_cap_rank,
      ...(withMarketData
        ? {
            market_data: {
              current_price: usd(c.current_price),
              ath: usd(c.ath),
              ath_change_percentage: usd(c.ath_change_percentage),
              ath_date: usd(c.ath_date),
              atl: usd(c.atl ?? null),
              atl_date: usd(c.atl_date ?? null),
              market_cap: usd(c.market_cap),
              total_volume: usd(c.total_volume),
              circulating_supply: c.circulating_supply,
              total_supply: c.total_supply,
              max_supply: c.max_supply,
              last_updated: new Date().toISOString(),
            },
          }
        : {}),
      last_updated: new Date().toISOString(),
    };
  }

  /** simulated daily candles ending today, closing at the coin's current price */
  function dailyFor(c: MarketCoin, days: number) {
    return simulateDailyCandles(c.id, days + 1, { price: c.current_price ?? 0, volume: c.total_volume, end: new Date() });
  }
  /** CoinGecko's daily granularity: a point at each UTC midnight plus the current price now */
  function dailyPoints(c: MarketCoin, days: number): [number, number][] {
    const candles = dailyFor(c, days);
    const pts: [number, number][] = candles.map((k) => [k.t, k.open]);
    pts.push([Date.now(), c.current_price ?? 0]);
    return pts;
  }
  /** hourly points over `days`, ending now at the current price */
  function hourlyFor(c: MarketCoin, days: number): [number, number][] {
    const candles = dailyFor(c, days);
    const now = Date.now();
    const pts: [number, number][] = [];
    for (let t = now - days * DAY_MS; t <= now; t += 3_600_000) {
      const k = candles.find((x) => t >= x.t && t < x.t + DAY_MS) ?? candles[candles.length - 1]!;
      const frac = (t - k.t) / DAY_MS;
      pts.push([t, k.open + (k.close - k.open) * Math.min(1, frac)]);
    }
    pts[pts.length - 1] = [now, c.current_price ?? 0];
    return pts;
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    env: {
      COINGECKO_API_BASE: `${url}/coingecko/api/v3`,
      COINGECKO_PRO_API_BASE: `${url}/coingecko-pro/api/v3`,
      FEAR_GREED_API_BASE: `${url}/alternative`,
      NEWS_API_BASE: `${url}/cryptocompare`,
      DEFILLAMA_API_BASE: `${url}/llama`,
      DERIVATIVES_API_BASE: `${url}/binance`,
      MEMPOOL_API_BASE: `${url}/mempool/api`,
    },
    requests,
    coins: () => coins,
    setPrice(id, usd) {
      const c = coins.find((x) => x.id === id);
      if (!c) throw new Error(`fake upstream: no coin ${id}`);
      c.current_price = usd;
    },
    removeCoin(id) {
      coins = coins.filter((c) => c.id !== id);
    },
    addCoin(coin) {
      coins = coins.filter((c) => c.id !== coin.id);
      coins.push({
        image: null,
        current_price: null,
        market_cap: null,
        market_cap_rank: null,
        fully_diluted_valuation: null,
        total_volume: null,
        high_24h: null,
        low_24h: null,
        price_change_24h: null,
        price_change_percentage_24h: null,
        circulating_supply: null,
        total_supply: null,
        max_supply: null,
        ath: null,
        ath_change_percentage: null,
        ath_date: null,
        last_updated: null,
        ...coin,
      });
    },
    fail(prefix, mode, o = {}) {
      failures = failures.filter((f) => f.prefix !== prefix);
      failures.push({ prefix, mode, opts: o, left: o.times ?? -1 });
    },
    clearFailures() {
      failures = [];
    },
    release() {
      failures = failures.filter((f) => f.mode !== "hold");
      const waiting = [...held];
      held.clear();
      for (const answer of waiting) answer();
    },
    setHeaders(prefix, headers) {
      extraHeaders = extraHeaders.filter((h) => h.prefix !== prefix);
      extraHeaders.push({ prefix, headers });
    },
    requireKey(plan, key) {
      keyRule = { plan, key };
    },
    callsTo(prefix) {
      return requests.filter((r) => r.path.startsWith(prefix)).length;
    },
    reset() {
      resetData();
      failures = [];
      extraHeaders = [];
      keyRule = null;
      requests.length = 0;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** CoinGecko's image URL moved onto the fake's own image host (the host the request came to). */
function fakeImageUrl(image: string | null | undefined, req: http.IncomingMessage): string | null {
  if (!image) return null;
  const u = new URL(image);
  return `http://${req.headers.host}/coingecko-images${u.pathname}${u.search}`;
}

/** A size×size PNG of one colour picked from the name: a real image, made without an image library. */
export function solidPng(size: number, name: string): Buffer {
  const hue = [...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const [r, g, b] = [hue & 255, (hue >> 8) & 255, (hue >> 16) & 255];
  const rowBytes = Buffer.alloc(1 + size * 3);
  for (let x = 0; x < size; x++) rowBytes.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => rowBytes));
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function clampInt(v: string | null, fallback: number, min: number, max: number): number {
  const n = Number(v);
  return Number.isFinite(n) && v !== null && v !== "" ? Math.min(max, Math.max(min, Math.floor(n))) : fallback;
}

const PROTOCOLS = [
  {
    name: "Uniswap V3",
    slug: "uniswap-v3",
    symbol: "UNI",
    gecko_id: "uniswap",
    tvl: 4.1e9,
    change_1d: 0.8,
    change_7d: -2.4,
    chains: ["Ethereum", "Arbitrum", "Polygon"],
  },
  {
    name: "Aave V3",
    slug: "aave-v3",
    symbol: "AAVE",
    gecko_id: "aave",
    tvl: 1.9e10,
    change_1d: 1.2,
    change_7d: 3.5,
    chains: ["Ethereum", "Arbitrum"],
  },
  {
    name: "MakerDAO",
    slug: "makerdao",
    symbol: "MKR",
    gecko_id: "maker",
    tvl: 5.2e9,
    change_1d: -0.4,
    change_7d: 1.1,
    chains: ["Ethereum"],
  },
  {
    name: "PancakeSwap AMM",
    slug: "pancakeswap-amm",
    symbol: "CAKE",
    gecko_id: "pancakeswap-token",
    tvl: 1.7e9,
    change_1d: 0.1,
    change_7d: -0.9,
    chains: ["BSC"],
  },
  { name: "Lido", slug: "lido", symbol: "LDO", gecko_id: "lido-dao", tvl: 2.8e10, change_1d: 0.3, change_7d: 2.2, chains: ["Ethereum"] },
];
const CHAINS = [
  { gecko_id: "ethereum", tvl: 6.1e10, tokenSymbol: "ETH", cmcId: "1027", name: "Ethereum", chainId: 1 },
  { gecko_id: "binancecoin", tvl: 5.4e9, tokenSymbol: "BNB", cmcId: "1839", name: "BSC", chainId: 56 },
  { gecko_id: "solana", tvl: 8.9e9, tokenSymbol: "SOL", cmcId: "5426", name: "Solana", chainId: null },
  { gecko_id: "tron", tvl: 6.9e9, tokenSymbol: "TRX", cmcId: "1958", name: "Tron", chainId: null },
  { gecko_id: "avalanche-2", tvl: 1.4e9, tokenSymbol: "AVAX", cmcId: "5805", name: "Avalanche", chainId: 43114 },
];
