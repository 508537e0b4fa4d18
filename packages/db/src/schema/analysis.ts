import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** One cached analysis per (coin, type) with its own TTL; `symbol` is kept for look-ups and display. */
export const ucieAnalysisCache = pgTable(
  "ucie_analysis_cache",
  {
    id: uuid().primaryKey().defaultRandom(),
    symbol: text().notNull(),
    coinId: text().notNull(),
    analysisType: text().notNull(),
    data: jsonb().notNull(),
    dataQualityScore: integer().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("ucie_analysis_cache_coin_type_unique").on(t.coinId, t.analysisType),
    index("ucie_analysis_cache_symbol_idx").on(t.symbol),
    index("ucie_analysis_cache_expires_idx").on(t.expiresAt),
    index("ucie_analysis_cache_type_idx").on(t.analysisType),
    index("ucie_analysis_cache_symbol_type_idx").on(t.symbol, t.analysisType),
    check("ucie_analysis_cache_quality_range", sql`${t.dataQualityScore} BETWEEN 0 AND 100`),
  ],
);

/** Each finished phase of a streamed analysis, so a reconnect or reload resumes (1 h expiry). */
export const uciePhaseData = pgTable(
  "ucie_phase_data",
  {
    id: uuid().primaryKey().defaultRandom(),
    sessionId: text().notNull(),
    symbol: text().notNull(),
    coinId: text().notNull(),
    phaseNumber: integer().notNull(),
    phaseData: jsonb().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("ucie_phase_data_session_coin_phase_unique").on(t.sessionId, t.coinId, t.phaseNumber),
    index("ucie_phase_data_session_idx").on(t.sessionId),
    index("ucie_phase_data_expires_idx").on(t.expiresAt),
    index("ucie_phase_data_session_symbol_idx").on(t.sessionId, t.symbol),
    index("ucie_phase_data_symbol_idx").on(t.symbol),
    check("ucie_phase_data_phase_range", sql`${t.phaseNumber} BETWEEN 1 AND 4`),
  ],
);
