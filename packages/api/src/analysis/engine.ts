/**
 * The analysis engine: runs the four phases of one coin, each as a set of analysis types. Every type
 * is read from ucie_analysis_cache while fresh, else computed once per process however many requests
 * ask at the same time (single flight), under a deadline so a slow source cannot hold a phase, and
 * written back. `streamAnalysis` replays the phases a session already stored, computes the rest, and
 * stores each phase before handing it out, so a reconnect, a reload or another server instance after a
 * crash picks up where the last one stopped.
 */
import type { Services } from "../services";
import { readCachedAnalysis, writeCachedAnalysis, type CachedSection } from "./cache";
import { coinRef } from "./coin";
import type { CatalogueRow } from "./market-snapshot";
import { loadStoredPhases, storePhase } from "./phase-store";
import { phaseQuality, phaseStatus, qualityScore } from "./quality";
import { DeadlineError, describeFailure, SECTION_COMPUTERS, type SectionContext } from "./sections";
import { abortable, withTimeout } from "../lib/timeouts";
import type { SingleFlight } from "./single-flight";
import {
  ANALYSIS_TTL_MS,
  PHASE_NUMBERS,
  PHASES,
  type AnalysisType,
  type Computed,
  type PhaseEvent,
  type PhaseNumber,
  type SectionData,
  type SectionResult,
  type Sections,
} from "./types";

/** A partial result is worth keeping briefly (the source may be back soon): at most a minute. */
const PARTIAL_TTL_MS = 60_000;

/** `work` under the section deadline; when it passes, `controller` aborts the work with the same DeadlineError. */
function withDeadline<T>(work: Promise<T>, ms: number, controller: AbortController): Promise<T> {
  return withTimeout(work, ms, () => {
    const err = new DeadlineError(ms);
    controller.abort(err);
    return err;
  });
}

export class AnalysisEngine {
  constructor(private readonly services: Services) {}

  /** shared by every request of this instance: concurrent callers of one section or upstream call wait for one flight */
  get flights(): SingleFlight {
    return this.services.caches.analysisFlights;
  }

  /** How long one section may take: a provider's own timeout and one retry, plus a margin. */
  get sectionDeadlineMs(): number {
    return this.services.config.UPSTREAM_TIMEOUT_MS * 2 + 1000;
  }

  async section<K extends AnalysisType>(
    coin: CatalogueRow,
    type: K,
    refresh: boolean,
    earlier: SectionContext["earlier"],
  ): Promise<SectionResult<SectionData[K]>> {
    const { db, clock, logger } = this.services;
    if (!refresh) {
      const cached = await readCachedAnalysis(db, coin.coingeckoId, type, clock.now());
      if (cached && !drawnAtAnotherPrice(type, cached.data, earlier))
        return { ...cached.data, qualityScore: cached.qualityScore, fromCache: true, computedAt: cached.createdAt.toISOString() };
    }
    return this.flights.run(`section:${coin.coingeckoId}:${type}`, async () => {
      // a flight that ended between our cache read and now has written the cache: use it
      if (!refresh) {
        const cached = await readCachedAnalysis(db, coin.coingeckoId, type, clock.now());
        if (cached && !drawnAtAnotherPrice(type, cached.data, earlier))
          return { ...cached.data, qualityScore: cached.qualityScore, fromCache: true, computedAt: cached.createdAt.toISOString() };
      }
      const controller = new AbortController();
      const ctx: SectionContext = {
        market: this.services.market,
        coin,
        signal: controller.signal,
        earlier,
        logger,
        fetch: (key, fn) =>
          this.flights.run(`fetch:${key}`, () => {
            const c = new AbortController();
            return withDeadline(fn(c.signal), this.sectionDeadlineMs, c);
          }),
      };
      let computed: Computed<SectionData[K]>;
      try {
        computed = await withDeadline(SECTION_COMPUTERS[type](ctx), this.sectionDeadlineMs, controller);
      } catch (err) {
        logger.warn({ err, coin: coin.coingeckoId, type }, "analysis section failed");
        computed = { status: "failed", data: null, source: null, asOf: null, reason: describeFailure(err), completeness: 0 };
      }
      const now = clock.now();
      const score = type === "synthesis" ? synthesisQuality(computed, earlier) : qualityScore(computed, now);
      const { completeness: _c, ...data } = computed;
      const section: CachedSection<SectionData[K]> = stripUndefined(data);
      if (computed.status !== "failed") {
        try {
          await writeCachedAnalysis(db, {
            coinId: coin.coingeckoId,
            symbol: coin.symbol,
            type,
            data: section,
            qualityScore: score,
            now,
            ttlMs: computed.status === "partial" ? Math.min(PARTIAL_TTL_MS, ANALYSIS_TTL_MS[type]) : ANALYSIS_TTL_MS[type],
          });
        } catch (err) {
          logger.warn({ err, coin: coin.coingeckoId, type }, "could not write the analysis cache");
        }
      }
      return { ...section, qualityScore: score, fromCache: false, computedAt: now.toISOString() };
    });
  }

  async phase(coin: CatalogueRow, phase: PhaseNumber, refresh: boolean, earlier: SectionContext["earlier"]): Promise<PhaseEvent> {
    const { label, types } = PHASES[phase];
    const results: SectionResult[] = await Promise.all(types.map((t: AnalysisType) => this.section(coin, t, refresh, earlier)));
    // each result is the section of the type at the same index (SECTION_COMPUTERS is typed per type)
    const sections = Object.fromEntries(types.map((t, i) => [t, results[i]!])) as Sections;
    return {
      phase,
      label,
      status: phaseStatus(results.map((r) => r.status)),
      data: { coin: coinRef(coin), sections },
      qualityScore: phaseQuality(results),
      fromCache: results.every((r) => r.fromCache),
    };
  }
}

/**
 * A cached technical section (or synthesis) drawn at another price than the page's (phase 1's, fresher than
 * their 15 and 30 minutes in the cache) would put two prices on one page: it is computed again instead.
 */
function drawnAtAnotherPrice(type: AnalysisType, cached: CachedSection, earlier: SectionContext["earlier"]): boolean {
  const price = (earlier.market?.data as { priceUsd?: number | null } | null | undefined)?.priceUsd;
  const data = cached.data as { lastClose?: number | null; outlook?: { priceUsd?: number } | null } | null;
  const drawnAt = type === "technical" ? data?.lastClose : type === "synthesis" ? data?.outlook?.priceUsd : undefined;
  return typeof price === "number" && typeof drawnAt === "number" && price !== drawnAt;
}

/** The synthesis is as good as what it was built from, scaled down for every rule it could not apply. */
function synthesisQuality(c: Computed<unknown>, earlier: SectionContext["earlier"]): number {
  if (c.status === "failed") return 0;
  const inputs = (["market", "technical", "risk", "sentiment", "news"] as const)
    .map((t) => earlier[t])
    .flatMap((s) => (s && s.status !== "unavailable" ? [s] : []));
  if (inputs.length === 0) return 0;
  const mean = inputs.reduce((s, x) => s + x.qualityScore, 0) / inputs.length;
  return Math.round(mean * (0.5 + 0.5 * c.completeness));
}

const stripUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The engine of this Services: its in-flight calls live in `services.caches`, one set per server process. */
export function analysisEngine(services: Services): AnalysisEngine {
  return new AnalysisEngine(services);
}

export interface StreamRequest {
  coin: CatalogueRow;
  sessionId: string;
  refresh: boolean;
  /** phases up to this one were already delivered (from lastEventId); 0 for a fresh start */
  afterPhase: number;
  signal?: AbortSignal;
}

/** The phase a `lastEventId` ("<sessionId>:<phase>") says was delivered last; 0 when it is not this session's. */
export function phaseFromLastEventId(lastEventId: string | null | undefined, sessionId: string): number {
  if (!lastEventId) return 0;
  const i = lastEventId.lastIndexOf(":");
  if (i < 0 || lastEventId.slice(0, i) !== sessionId) return 0;
  const n = Number(lastEventId.slice(i + 1));
  return Number.isInteger(n) && n >= 0 && n <= 4 ? n : 0;
}

export async function* streamAnalysis(services: Services, req: StreamRequest): AsyncGenerator<PhaseEvent, void> {
  const engine = analysisEngine(services);
  const { db, clock } = services;
  const { coin, sessionId, signal } = req;
  const stored = await abortable(loadStoredPhases(db, sessionId, coin.coingeckoId, clock.now()), signal);
  const earlier: SectionContext["earlier"] = {};
  for (const phase of PHASE_NUMBERS) {
    if (signal?.aborted) return;
    let event = stored.get(phase);
    if (!event) {
      // phases already delivered are still needed by the synthesis: computed (or cached) silently
      event = await abortable(engine.phase(coin, phase, req.refresh, { ...earlier }), signal);
      await storePhase(db, { sessionId, coinId: coin.coingeckoId, symbol: coin.symbol, event, now: clock.now() });
    }
    Object.assign(earlier, event.data.sections);
    if (phase > req.afterPhase) yield event;
  }
}
