/**
 * Market data on demand for coins outside the top 250 ("not ranked": known from CoinGecko's /coins/list
 * only). When someone opens, analyses, watches or alerts on such a coin, its figures come from
 * /coins/markets?ids=. Requests arriving within a short window are merged into one batched call, a coin
 * already being fetched is awaited rather than fetched again (single flight), and a row priced within
 * the TTL is served from the catalogue: twenty users opening twenty unranked coins cost one upstream call,
 * and every call still goes through the CoinGecko client's shared call budget.
 */
import { eq } from "drizzle-orm";
import { ucieTokens } from "@ucie/db";
import type { Services } from "../services";
import { upsertCoins } from "./catalogue";
import { resolveCoin, type TokenRow } from "./resolve";

/** how long on-demand figures are served from the catalogue before they are fetched again */
export const ON_DEMAND_TTL_MS = 5 * 60_000;
/**
 * Requests gather into one batch until none has arrived for WINDOW_MS, or MAX_WAIT_MS after the first;
 * while a batch is being fetched, the next one waits for it to end (calls never overlap).
 */
const WINDOW_MS = 100;
const MAX_WAIT_MS = 500;
/** a coin CoinGecko did not price is not asked for again before this */
const MISS_TTL_MS = 10 * 60_000;

type Deps = Pick<Services, "db" | "market" | "logger" | "clock">;

export class OnDemandMarket {
  private queue = new Map<string, { resolve: () => void }[]>();
  private inFlight = new Map<string, Promise<void>>();
  private misses = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** the batch being fetched: the next one starts when it ends, so calls never overlap */
  private running: Promise<void> | null = null;
  /** upstream calls made (tests and logs) */
  calls = 0;

  constructor(
    private readonly deps: Deps,
    private readonly ttlMs = ON_DEMAND_TTL_MS,
  ) {}

  /** true when the row needs figures from upstream now */
  private stale(row: TokenRow): boolean {
    if (row.ranked || !row.isActive) return false;
    const now = this.deps.clock.now().getTime();
    if ((this.misses.get(row.coingeckoId) ?? 0) > now - MISS_TTL_MS) return false;
    return row.currentPriceUsd === null || !row.lastUpdated || row.lastUpdated.getTime() < now - this.ttlMs;
  }

  /**
   * The row with fresh market data when it is an unranked coin whose figures are missing or older than
   * the TTL; the row as it is otherwise, and also when the upstream cannot answer (the page then shows
   * the coin without a price rather than failing).
   */
  async freshen(row: TokenRow): Promise<TokenRow> {
    if (this.deps.market.mode === "offline" || !this.stale(row)) return row;
    const id = row.coingeckoId;
    let flight = this.inFlight.get(id);
    if (!flight) {
      flight = new Promise<void>((resolve) => {
        const waiting = this.queue.get(id) ?? [];
        waiting.push({ resolve });
        this.queue.set(id, waiting);
        this.schedule();
      });
      this.inFlight.set(id, flight);
    }
    await flight;
    const [fresh] = await this.deps.db.select().from(ucieTokens).where(eq(ucieTokens.coingeckoId, id)).limit(1);
    return fresh ?? row;
  }

  private firstQueuedAt = 0;

  private schedule(): void {
    if (this.running) return;
    const now = Date.now();
    if (this.timer) clearTimeout(this.timer);
    else this.firstQueuedAt = now;
    const wait = Math.max(0, Math.min(WINDOW_MS, this.firstQueuedAt + MAX_WAIT_MS - now));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.flush().finally(() => {
        this.running = null;
        if (this.queue.size > 0) this.schedule();
      });
    }, wait);
  }

  private async flush(): Promise<void> {
    // at most one upstream call's worth of ids per batch (the client splits bigger ones)
    const batch = new Map([...this.queue].slice(0, 100));
    for (const id of batch.keys()) this.queue.delete(id);
    const ids = [...batch.keys()];
    try {
      this.calls++;
      const got = await this.deps.market.marketsByIds(ids);
      if (got.source === "live") {
        // figures only: the coin stays unranked (the top-250 sync decides who is ranked)
        await upsertCoins(this.deps.db, got.data, "live", { ranked: false });
      }
      const priced = new Set(got.data.map((c) => c.id));
      const now = this.deps.clock.now().getTime();
      for (const id of ids) if (!priced.has(id)) this.misses.set(id, now);
    } catch (err) {
      this.deps.logger.warn({ coins: ids.length, err: err instanceof Error ? err.message : String(err) }, "on-demand market data failed");
    } finally {
      for (const [id, waiting] of batch) {
        this.inFlight.delete(id);
        for (const w of waiting) w.resolve();
      }
    }
  }
}

/** Resolve a coin and freshen it: for writes (watch, alert) that should find an unranked coin priced. */
export async function freshenCoin(services: Pick<Services, "db" | "caches">, input: string): Promise<void> {
  const row = await resolveCoin(services.db, input);
  if (row) await services.caches.onDemand.freshen(row);
}
