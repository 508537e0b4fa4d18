/**
 * One live stream for all of a user's tabs. Browsers allow six HTTP/1.1 connections per origin; a stream
 * per tab would exhaust them with six tabs open. Tabs elect a leader with the Web Locks API: the leader
 * alone holds the SSE subscription and rebroadcasts every event on a BroadcastChannel; the others listen.
 * When the leader tab closes, its lock passes to a waiting tab, which resubscribes from the last event id
 * any tab saw, so nothing is lost or repeated. Without Web Locks every tab simply subscribes itself.
 */
import { useEffect, useLayoutEffect, useRef } from "react";

export interface StreamHandlers<T> {
  onData: (id: string, data: T) => void;
  onError: (err: unknown) => void;
}

/** Start the underlying subscription (resuming after `lastEventId`); returns its unsubscribe. */
export type Subscribe<T> = (lastEventId: string | undefined, handlers: StreamHandlers<T>) => () => void;

interface Message<T> {
  id: string;
  data: T;
}

export function useSharedStream<T>(name: string, enabled: boolean, subscribe: Subscribe<T>, onEvent: (id: string, data: T) => void): void {
  const onEventRef = useRef(onEvent);
  const subscribeRef = useRef(subscribe);
  // the latest callbacks, without resubscribing when they change (refs are written after render, not during it)
  useLayoutEffect(() => {
    onEventRef.current = onEvent;
    subscribeRef.current = subscribe;
  });

  useEffect(() => {
    if (!enabled) return;
    const seen = new Set<string>();
    let lastEventId: string | undefined;
    const deliver = (id: string, data: T) => {
      if (seen.has(id)) return;
      seen.add(id);
      lastEventId = id;
      onEventRef.current(id, data);
    };

    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    if (!locks || typeof BroadcastChannel === "undefined") {
      return subscribeRef.current(undefined, { onData: deliver, onError: () => {} });
    }

    const channel = new BroadcastChannel(`ucie:${name}`);
    channel.onmessage = (e: MessageEvent<Message<T>>) => deliver(e.data.id, e.data.data);
    const stop = new AbortController();
    locks
      .request(`ucie:${name}`, { signal: stop.signal }, () => {
        // leader from here until this tab goes away
        return new Promise<void>((release) => {
          const unsubscribe = subscribeRef.current(lastEventId, {
            onData(id, data) {
              channel.postMessage({ id, data } satisfies Message<T>);
              deliver(id, data);
            },
            onError: () => {},
          });
          stop.signal.addEventListener("abort", () => {
            unsubscribe();
            release();
          });
        });
      })
      .catch(() => {}); // aborted while waiting to lead
    return () => {
      stop.abort();
      channel.close();
    };
  }, [name, enabled]);
}
