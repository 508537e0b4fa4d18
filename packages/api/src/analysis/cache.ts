/** ucie_analysis_cache: one row per (coin, analysis type), replaced on every recomputation (upsert). */
import { and, eq, gt } from "drizzle-orm";
import { ucieAnalysisCache, type DbOrTx } from "@ucie/db";
import type { AnalysisType, Computed, SectionData } from "./types";

/** What a cache row's `data` holds: the section as computed, without per-request bookkeeping. */
export type CachedSection<T = unknown> = Omit<Computed<T>, "completeness">;

export interface CachedAnalysis<T = unknown> {
  data: CachedSection<T>;
  qualityScore: number;
  createdAt: Date;
  expiresAt: Date;
}

export async function readCachedAnalysis<K extends AnalysisType>(
  db: DbOrTx,
  coinId: string,
  type: K,
  now: Date,
): Promise<CachedAnalysis<SectionData[K]> | null> {
  const [row] = await db
    .select({
      data: ucieAnalysisCache.data,
      qualityScore: ucieAnalysisCache.dataQualityScore,
      createdAt: ucieAnalysisCache.createdAt,
      expiresAt: ucieAnalysisCache.expiresAt,
    })
    .from(ucieAnalysisCache)
    .where(and(eq(ucieAnalysisCache.coinId, coinId), eq(ucieAnalysisCache.analysisType, type), gt(ucieAnalysisCache.expiresAt, now)))
    .limit(1);
  // jsonb written by writeCachedAnalysis for this same type
  return row ? { ...row, data: row.data as CachedSection<SectionData[K]> } : null;
}

export async function writeCachedAnalysis(
  db: DbOrTx,
  entry: { coinId: string; symbol: string; type: AnalysisType; data: CachedSection; qualityScore: number; now: Date; ttlMs: number },
): Promise<void> {
  const expiresAt = new Date(entry.now.getTime() + entry.ttlMs);
  await db
    .insert(ucieAnalysisCache)
    .values({
      coinId: entry.coinId,
      symbol: entry.symbol,
      analysisType: entry.type,
      data: entry.data,
      dataQualityScore: entry.qualityScore,
      createdAt: entry.now,
      expiresAt,
    })
    .onConflictDoUpdate({
      target: [ucieAnalysisCache.coinId, ucieAnalysisCache.analysisType],
      set: { symbol: entry.symbol, data: entry.data, dataQualityScore: entry.qualityScore, createdAt: entry.now, expiresAt },
    });
}
