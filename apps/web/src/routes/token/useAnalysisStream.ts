/**
 * Subscribes to analysis.stream for one coin and keeps the phases that have arrived. The session id
 * lives in sessionStorage per coin, so a reload resumes the same analysis (the server replays stored
 * phases at once and computes only the rest); `restart` starts a new session that bypasses the cache.
 * A dropped connection is resumed by the tRPC link itself with `lastEventId`.
 */
import { useCallback, useEffect, useState } from "react";
import { useTRPCClient } from "../../lib/trpc";
import type { PhaseEvent } from "./types";

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

export function useAnalysisStream(coinId: string) {
  const client = useTRPCClient();
  const [run, setRun] = useState(() => ({ coinId, sessionId: storedSessionId(coinId), refresh: false }));
  const [phases, setPhases] = useState<Partial<Record<1 | 2 | 3 | 4, PhaseEvent>>>({});
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
    setState("connecting");
    const sub = client.analysis.stream.subscribe(
      { symbol: run.coinId, sessionId: run.sessionId, refresh: run.refresh || undefined },
      {
        onData(ev) {
          const event = ev.data as unknown as PhaseEvent;
          setState("streaming");
          setPhases((p) => ({ ...p, [event.phase]: event }));
          if (event.phase === 4) setState("done");
        },
        onError(err) {
          const code = (err as { data?: { code?: string } }).data?.code;
          setError({ message: err.message, code });
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
    setRun({ coinId, sessionId, refresh: true });
  }, [coinId]);

  return { phases, state, error, restart, sessionId: run.sessionId };
}
