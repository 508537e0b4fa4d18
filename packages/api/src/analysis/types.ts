/**
 * The shapes an analysis is made of: analysis types (each cached on its own with its own TTL), the
 * sections they produce, and the four streamed phases that group them.
 */
import type { BitcoinOnchain, DataSource, DefiTvl, DerivativesSnapshot } from "../market/types";
import type { ChartSeries, TechnicalSnapshot } from "./indicators";
import type { MarketSnapshot } from "./market-snapshot";
import type { RiskData } from "./risk";
import type { FearGreedData, NewsData } from "./sentiment";
import type { SynthesisData } from "./synthesis";

export const ANALYSIS_TYPES = ["market", "sentiment", "news", "technical", "risk", "onchain", "derivatives", "defi", "synthesis"] as const;
export type AnalysisType = (typeof ANALYSIS_TYPES)[number];

const MIN = 60_000;
/** How long each type stays fresh in ucie_analysis_cache: prices move fast, daily indicators slowly. */
export const ANALYSIS_TTL_MS: Record<AnalysisType, number> = {
  market: 6 * MIN,
  sentiment: 15 * MIN,
  news: 10 * MIN,
  technical: 15 * MIN,
  risk: 15 * MIN,
  onchain: 10 * MIN,
  derivatives: 5 * MIN,
  defi: 30 * MIN,
  synthesis: 30 * MIN,
};

export type PhaseNumber = 1 | 2 | 3 | 4;
export const PHASE_NUMBERS: readonly PhaseNumber[] = [1, 2, 3, 4];

export const PHASES = {
  1: { label: "Market snapshot", types: ["market"] },
  2: { label: "Sentiment and news", types: ["sentiment", "news"] },
  3: { label: "Technical and risk", types: ["technical", "risk", "onchain", "derivatives", "defi"] },
  4: { label: "Synthesis and outlook", types: ["synthesis"] },
} as const satisfies Record<PhaseNumber, { label: string; types: readonly AnalysisType[] }>;

/** The analysis types phase P computes. */
export type PhaseTypes<P extends PhaseNumber> = (typeof PHASES)[P]["types"][number];

/** Stored and streamed phase data keeps phase rows after this long (ucie_phase_data.expires_at). */
export const PHASE_TTL_MS = 60 * MIN;

/**
 * ok: the data is there; partial: there, but a source it wanted failed (see `reason`);
 * unavailable: the data does not exist for this coin or mode (not a fault: no DeFi TVL for Bitcoin);
 * failed: a source failed and nothing could be computed (see `reason`).
 */
export type SectionStatus = "ok" | "partial" | "unavailable" | "failed";

/** What a section computation returns (before caching adds its bookkeeping). */
export interface Computed<T = unknown> {
  status: SectionStatus;
  data: T | null;
  /** where the figures came from; `derived` for results computed only from other sections */
  source: DataSource | "derived" | null;
  /** when the underlying data was produced (ISO) */
  asOf: string | null;
  reason?: string;
  note?: string;
  /** 0-1: the share of the section's expected figures that are present */
  completeness: number;
}

export interface SectionResult<T = unknown> extends Omit<Computed<T>, "completeness"> {
  qualityScore: number;
  fromCache: boolean;
  /** when this result was computed (the cache row's created_at when served from cache) */
  computedAt: string;
}

export interface CoinRef {
  id: string;
  symbol: string;
  name: string;
  imageUrl: string | null;
  rank: number | null;
}

/** The data each analysis type's section carries (what its computer in ./sections returns). */
export interface SectionData {
  market: MarketSnapshot;
  sentiment: FearGreedData;
  news: NewsData;
  technical: TechnicalSnapshot & { change7dPct: number | null; change30dPct: number | null; series: ChartSeries };
  risk: RiskData;
  onchain: BitcoinOnchain;
  derivatives: DerivativesSnapshot & { fundingRatePct: number; annualisedFundingPct: number };
  defi: DefiTvl;
  synthesis: SynthesisData;
}

/** Sections by type, each with its own data shape; a phase carries the subset it computes. */
export type Sections = { [K in AnalysisType]?: SectionResult<SectionData[K]> };

export type PhaseStatus = "complete" | "partial" | "failed";

export interface PhaseData<P extends PhaseNumber = PhaseNumber> {
  coin: CoinRef;
  sections: Pick<Sections, PhaseTypes<P>>;
}

interface PhaseEventOf<P extends PhaseNumber> {
  phase: P;
  label: string;
  status: PhaseStatus;
  data: PhaseData<P>;
  qualityScore: number;
  /** true when every section of the phase was served from the analysis cache */
  fromCache: boolean;
}

/** One streamed phase: a union on `phase`, so narrowing on it gives that phase's sections and their data types. */
export type PhaseEvent = { [P in PhaseNumber]: PhaseEventOf<P> }[PhaseNumber];
