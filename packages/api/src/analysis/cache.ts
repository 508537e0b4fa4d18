/** ucie_analysis_cache: one row per (coin, analysis type), replaced on every recomputation (upsert). */
import { and, eq, gt } from "drizzle-orm";
import { ucieAnalysisCache, type DbOrTx } from "@ucie/db";
import type { AnalysisType, Computed } from "./types";

/** What a cache row's `data` holds: the section as computed, without per-request bookkeeping. */
export type CachedSection = Omit<Computed, "completeness">;

export interface CachedAnalysis {
  data: CachedSection;
  qualityScore: number;
  createdAt: Date;
  expiresAt: Date;
}

export async function readCachedAnalysis(db: DbOrTx, coinId: string, type: AnalysisType, now: Date): Promise<CachedAnalysis | null> {
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
  return row ? { ...row, data: row.data as CachedSection } : null;
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
