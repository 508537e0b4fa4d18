/**
 * The live stream of one user's alert firings, for `alerts.onTriggered`. It subscribes to the EventBus
 * FIRST, then reads the backlog from `ucie_alert_triggers` (seq > lastEventId), then waits for pokes. Each
 * notification is only a poke: the rows are read from the table by seq, so the stream sees every firing
 * exactly once and in order whichever instance found it (the evaluator commits seqs in order, see
 * evaluate.ts). A slow fallback poll covers a notification lost while a LISTEN connection reconnects.
 */
import { and, desc, eq, gt } from "drizzle-orm";
import { ucieAlertTriggers } from "@ucie/db";
import type { Services } from "../services";
import { triggerView, type TriggerView } from "./alerts";
import { ALERT_TRIGGER_CHANNEL } from "./evaluate";

const PAGE = 200;
const FALLBACK_POLL_MS = 30_000;

export async function* alertTriggerStream(
  services: Services,
  userId: string,
  opts: { lastEventId?: number | null; signal: AbortSignal; money?: (usdAmount: number) => string },
): AsyncGenerator<TriggerView> {
  const { signal } = opts;
  let last = opts.lastEventId ?? 0;
  let pokes = 0;
  let wake: (() => void) | null = null;
  const unsubscribe = await services.events.subscribe(ALERT_TRIGGER_CHANNEL, (payload) => {
    const t = (payload as { t?: unknown } | null)?.t;
    if (!Array.isArray(t)) return;
    if (t.some((e) => Array.isArray(e) && e[0] === userId && Number(e[1]) > last)) {
      pokes++;
      wake?.();
    }
  });
  try {
    if (opts.lastEventId === undefined || opts.lastEventId === null) {
      // a fresh stream starts now: older firings are in alerts.triggers, not replayed as news
      const [newest] = await services.db
        .select({ seq: ucieAlertTriggers.seq })
        .from(ucieAlertTriggers)
        .where(eq(ucieAlertTriggers.userId, userId))
        .orderBy(desc(ucieAlertTriggers.seq))
        .limit(1);
      last = newest?.seq ?? 0;
    }
    while (!signal.aborted) {
      const seen = pokes;
      const rows = await services.db
        .select()
        .from(ucieAlertTriggers)
        .where(and(eq(ucieAlertTriggers.userId, userId), gt(ucieAlertTriggers.seq, last)))
        .orderBy(ucieAlertTriggers.seq)
        .limit(PAGE);
      for (const r of rows) {
        if (signal.aborted) return;
        last = r.seq;
        yield triggerView(r, opts.money);
      }
      if (rows.length === PAGE || pokes !== seen) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wake = null;
          resolve();
        };
        const timer = setTimeout(done, FALLBACK_POLL_MS);
        timer.unref?.();
        signal.addEventListener("abort", done, { once: true });
        wake = done;
        if (pokes !== seen || signal.aborted) done();
      });
    }
  } finally {
    unsubscribe();
  }
}
