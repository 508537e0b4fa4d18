/**
 * How often one user may start analyses: every fresh stream stores up to four phase rows and a refresh
 * also recomputes every section upstream, so both are counted per user in the database (the same
 * fixed windows as the login throttle, shared by every instance). A resume (`lastEventId`) is free.
 */
import type { Services } from "../services";
import { hitThrottle, type ThrottleRule } from "../auth/throttle";

export type AnalysisAdmission = { ok: true } | { ok: false; what: "refreshes" | "analyses"; retryAfterSeconds: number };

export function analysisRules(config: Services["config"]): { refresh: ThrottleRule; sessions: ThrottleRule } {
  return {
    refresh: { name: "analysis:refresh", limit: config.ANALYSIS_REFRESHES_PER_MINUTE, windowMs: 60_000 },
    sessions: { name: "analysis:sessions", limit: config.ANALYSIS_SESSIONS_PER_HOUR, windowMs: 3_600_000 },
  };
}

export async function admitAnalysis(
  services: Services,
  userId: string,
  req: { refresh: boolean; resuming: boolean },
): Promise<AnalysisAdmission> {
  const rules = analysisRules(services.config);
  const now = services.clock.now();
  if (req.refresh) {
    const r = await hitThrottle(services.db, rules.refresh, userId, now);
    if (!r.allowed) return { ok: false, what: "refreshes", retryAfterSeconds: r.retryAfterSeconds };
  }
  if (!req.resuming) {
    const r = await hitThrottle(services.db, rules.sessions, userId, now);
    if (!r.allowed) return { ok: false, what: "analyses", retryAfterSeconds: r.retryAfterSeconds };
  }
  return { ok: true };
}
