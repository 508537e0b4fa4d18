/** The shapes the analysis stream sends (see packages/api/src/analysis/types.ts). */
export type SectionStatus = "ok" | "partial" | "unavailable" | "failed";

export interface Section<T = any> {
  status: SectionStatus;
  data: T | null;
  source: "live" | "snapshot" | "simulated" | "derived" | null;
  asOf: string | null;
  reason?: string;
  note?: string;
  qualityScore: number;
  fromCache: boolean;
  computedAt: string;
}

export interface PhaseEvent {
  phase: 1 | 2 | 3 | 4;
  label: string;
  status: "complete" | "partial" | "failed";
  qualityScore: number;
  fromCache: boolean;
  data: {
    coin: { id: string; symbol: string; name: string; imageUrl: string | null; rank: number | null };
    sections: Partial<Record<string, Section>>;
  };
}

export const PHASE_LABELS: Record<1 | 2 | 3 | 4, string> = {
  1: "Market snapshot",
  2: "Sentiment and news",
  3: "Technical and risk",
  4: "Synthesis and outlook",
};
