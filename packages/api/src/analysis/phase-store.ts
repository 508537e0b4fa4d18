/** ucie_phase_data: each finished phase of a streamed analysis, kept an hour so a reload or reconnect resumes. */
import { and, eq, gt } from "drizzle-orm";
import { uciePhaseData, type DbOrTx } from "@ucie/db";
import { PHASE_TTL_MS, type PhaseEvent, type PhaseNumber } from "./types";

export async function loadStoredPhases(db: DbOrTx, sessionId: string, coinId: string, now: Date): Promise<Map<PhaseNumber, PhaseEvent>> {
  const rows = await db
    .select({ phase: uciePhaseData.phaseNumber, data: uciePhaseData.phaseData })
    .from(uciePhaseData)
    .where(and(eq(uciePhaseData.sessionId, sessionId), eq(uciePhaseData.coinId, coinId), gt(uciePhaseData.expiresAt, now)));
  return new Map(rows.map((r) => [r.phase as PhaseNumber, r.data as PhaseEvent]));
}

export async function storePhase(
  db: DbOrTx,
  entry: { sessionId: string; coinId: string; symbol: string; event: PhaseEvent; now: Date },
): Promise<void> {
  const expiresAt = new Date(entry.now.getTime() + PHASE_TTL_MS);
  await db
    .insert(uciePhaseData)
    .values({
      sessionId: entry.sessionId,
      coinId: entry.coinId,
      symbol: entry.symbol,
      phaseNumber: entry.event.phase,
      phaseData: entry.event,
      createdAt: entry.now,
      expiresAt,
    })
    .onConflictDoUpdate({
      target: [uciePhaseData.sessionId, uciePhaseData.coinId, uciePhaseData.phaseNumber],
      set: { phaseData: entry.event, symbol: entry.symbol, createdAt: entry.now, expiresAt },
    });
}
