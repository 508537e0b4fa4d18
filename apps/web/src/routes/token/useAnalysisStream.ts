/**
 * Subscribes to analysis.stream for one coin and keeps the phases that have arrived. The session id
 * lives in sessionStorage per coin, so a reload resumes the same analysis (the server replays stored
 * phases at once and computes only the rest); `restart` starts a new session that bypasses the cache.
 * A dropped connection is resumed by the tRPC link itself with `lastEventId`.
 */
import { useCallback, useEffect, useState } from "react";
import { useTRPCClient } from "../../lib/trpc";
import type { PhaseEvent, PhaseEventOf, PhaseNumber } from "../../lib/api-types";

const storageKey = (coinId: string) => `ucie:analysis-session:${coinId}`;

function newSessionId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

function storedSessionId(coinId: string): string {
  try {
    const existing = sessionStorage.getItem(storageKey(coinId));
    if (existing && /^[A-Za-z0-9_-]{8,64}$/.test(existing)) return existing;
    const id = newSessionId();
    sessionStorage.setItem(storageKey(coinId), id);
    return id;
  } catch {
    return newSessionId(); // storage blocked: the analysis still runs, it just cannot resume
  }
}

export type StreamState = "connecting" | "streaming" | "done" | "error";

/** The phases that have arrived, each with its own sections' types. */
export type PhaseMap = { [P in PhaseNumber]?: PhaseEventOf<P> };

function withPhase(phases: PhaseMap, event: PhaseEvent): PhaseMap {
  switch (event.phase) {
    case 1:
      return { ...phases, 1: event };
    case 2:
      return { ...phases, 2: event };
    case 3:
      return { ...phases, 3: event };
    case 4:
      return { ...phases, 4: event };
  }
}

export function useAnalysisStream(coinId: string) {
  const client = useTRPCClient();
  const [run, setRun] = useState(() => ({ coinId, sessionId: storedSessionId(coinId), refresh: false }));
  const [phases, setPhases] = useState<PhaseMap>({});
  const [state, setState] = useState<StreamState>("connecting");
  const [error, setError] = useState<{ message: string; code?: string } | null>(null);

  // another coin in the same component (navigation between token pages)
  if (run.coinId !== coinId) {
    setRun({ coinId, sessionId: storedSessionId(coinId), refresh: false });
    setPhases({});
    setState("connecting");
    setError(null);
  }

  useEffect(() => {
    const sub = client.analysis.stream.subscribe(
      { symbol: run.coinId, sessionId: run.sessionId, refresh: run.refresh || undefined },
      {
        onData(ev) {
          const event = ev.data;
          setState("streaming");
          setPhases((p) => withPhase(p, event));
          if (event.phase === 4) setState("done");
        },
        onError(err) {
          setError({ message: err.message, code: err.data?.code });
          setState("error");
        },
        onComplete() {
          setState((s) => (s === "error" ? s : "done"));
        },
      },
    );
    return () => sub.unsubscribe();
  }, [client, run]);

  const restart = useCallback(() => {
    const sessionId = newSessionId();
    try {
      sessionStorage.setItem(storageKey(coinId), sessionId);
    } catch {
      /* storage blocked */
    }
    setPhases({});
    setError(null);
    setState("connecting");
    setRun({ coinId, sessionId, refresh: true });
  }, [coinId]);

  return { phases, state, error, restart, sessionId: run.sessionId };
}
