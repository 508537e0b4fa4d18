/**
 * data_quality_score (0-100) of one section: half completeness, three tenths freshness, one fifth the
 * kind of source. Simulated data is capped low and snapshot data in the middle, whatever else it has,
 * so a simulated figure can never look trustworthy.
 */
import type { Computed, SectionResult, SectionStatus } from "./types";

const MIN = 60_000;
/** fully fresh up to 15 minutes old, then linearly down to zero at 24 hours */
const FRESH_MS = 15 * MIN;
const STALE_MS = 24 * 60 * MIN;

const SOURCE_WEIGHT: Record<string, number> = { live: 1, derived: 1, snapshot: 0.4, simulated: 0 };
const SOURCE_CAP: Record<string, number> = { live: 100, derived: 100, snapshot: 60, simulated: 30 };

export function freshness(asOf: string | null, now: Date): number {
  if (!asOf) return 0;
  const age = now.getTime() - Date.parse(asOf);
  if (!Number.isFinite(age)) return 0;
  if (age <= FRESH_MS) return 1;
  if (age >= STALE_MS) return 0;
  return 1 - (age - FRESH_MS) / (STALE_MS - FRESH_MS);
}

export function qualityScore(c: Pick<Computed, "status" | "source" | "asOf" | "completeness">, now: Date): number {
  if (c.status === "failed" || c.status === "unavailable" || !c.source) return 0;
  const completeness = Math.max(0, Math.min(1, c.completeness));
  const raw = 100 * (0.5 * completeness + 0.3 * freshness(c.asOf, now) + 0.2 * (SOURCE_WEIGHT[c.source] ?? 0));
  const partialPenalty = c.status === "partial" ? 0.8 : 1;
  return Math.round(Math.min(raw * partialPenalty, SOURCE_CAP[c.source] ?? 100));
}

/** A phase's score: the mean of its sections, leaving out those that do not exist for this coin. */
export function phaseQuality(sections: SectionResult[]): number {
  const counted = sections.filter((s) => s.status !== "unavailable");
  if (counted.length === 0) return 0;
  return Math.round(counted.reduce((sum, s) => sum + s.qualityScore, 0) / counted.length);
}

export function phaseStatus(statuses: SectionStatus[]): "complete" | "partial" | "failed" {
  const counted = statuses.filter((s) => s !== "unavailable");
  if (counted.length > 0 && counted.every((s) => s === "failed")) return "failed";
  if (counted.some((s) => s === "failed" || s === "partial")) return "partial";
  return "complete";
}

/** The share of `values` that are real numbers (or present, for non-numbers). */
export function completenessOf(values: unknown[]): number {
  if (values.length === 0) return 0;
  const present = values.filter((v) => (typeof v === "number" ? Number.isFinite(v) : v !== null && v !== undefined));
  return present.length / values.length;
}
