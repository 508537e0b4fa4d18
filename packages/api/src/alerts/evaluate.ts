/**
 * The alert evaluator: one tick checks every enabled alert against current values, in set-based SQL.
 *
 * - Indicator inputs (RSI, volume against its average, Fear and Greed moves) are computed per coin, not per
 *   alert, before any lock is taken, since they may call upstream APIs.
 * - Then one transaction: a transaction-scoped advisory lock (two instances evaluating at once run one
 *   after the other, so trigger `seq`s commit in order and a stream can resume from a high-water mark),
 *   expiry of old alerts, and ONE statement that
 *     1. claims this tick's coins in `ucie_alert_coin_samples` with `FOR UPDATE SKIP LOCKED` (a coin already
 *        stamped with this tick is not evaluated again, so a second run of the same tick checks nothing),
 *     2. values and decides every enabled alert of those coins,
 *     3. records each firing in `ucie_alert_triggers` (`ON CONFLICT (alert_id, tick_key) DO NOTHING`: a
 *        retried tick cannot fire twice), and
 *     4. writes only the alerts whose state changes: fired, re-armed, or (a `price_cross`) the price moved
 *        to the other side of its line, which is all a cross needs of the previous sample. Writing all
 *        100,000 rows every minute would cost seconds; the coin's sample row says when they were checked.
 *     5. queues the firing's deliveries (webhooks, Web Push, e-mail) in the `notification_deliveries` outbox,
 *        in the same transaction: a firing is never recorded without them, nor they without it.
 * - After commit, each new trigger is published on the EventBus (Postgres NOTIFY reaches every instance),
 *   and the delivery workers are woken (notifications/deliver.ts sends the outbox).
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { execute } from "@ucie/db";
import type { Services } from "../services";
import { coinMetrics, sentimentMoves, type CoinMetrics, type SentimentMoves } from "./metrics";
import { MARKET, REARM_MARGIN } from "./rules";
import { wakeDeliveryWorkers } from "../notifications/outbox";
import type { AlertType } from "@ucie/db";

/** EventBus channel; payload `{ t: [userId, seq][] }` */
export const ALERT_TRIGGER_CHANNEL = "ucie_alert_triggers";
/** keeps each NOTIFY payload under Postgres's 8000-byte limit */
const NOTICES_PER_MESSAGE = 120;
/** the advisory lock key of the evaluator (an arbitrary constant: "UCIEALRT") */
const EVALUATOR_LOCK = 0x5543_4945_414c_5254n;

export interface EvaluateOptions {
  /** the scheduler's tick; default: the start of the current ALERT_INTERVAL_SECONDS window */
  tickKey?: string;
  /**
   * An operator's pass (`pnpm cli alerts evaluate`): its own tick, so every enabled alert is checked now even
   * when the scheduler already evaluated this interval. Firing still needs an armed alert (a firing disarms
   * it until its condition clears), so a manual pass never fires an alert twice for one state change.
   */
  manual?: boolean;
  signal?: AbortSignal;
}

export interface FiredTrigger {
  seq: number;
  alertId: string;
  userId: string;
  symbol: string;
  coinId: string;
  type: AlertType;
  value: number | null;
  threshold: number | null;
  condition: Record<string, unknown>;
  /** where the value came from: live, snapshot or simulated (null: unknown) */
  source: string | null;
  /** when the source priced it (price types) */
  asOf: string | null;
  triggeredAt: Date;
}

export interface EvaluateResult {
  checked: number;
  triggered: number;
  /** deliveries queued in the outbox with the firings (webhooks, push, e-mail) */
  queued: number;
  expired: number;
  tickKey: string;
  triggers: FiredTrigger[];
}

/** Coins not yet evaluated in this tick (no sample row yet counts as not evaluated). */
function coinNotYetEvaluated(tickKey: string) {
  return sql`NOT EXISTS (SELECT 1 FROM ucie_alert_coin_samples s WHERE s.coin_id = a.coin_id AND s.tick_key = ${tickKey})`;
}

function live(now: Date) {
  return sql`a.enabled AND (a.expires_at IS NULL OR a.expires_at > ${now.toISOString()}::timestamptz)`;
}

async function indicatorInputs(
  services: Services,
  now: Date,
  tickKey: string,
  signal?: AbortSignal,
): Promise<{ metrics: CoinMetrics[]; sentiment: SentimentMoves }> {
  const { rows: needs } = await execute<{
    coin_id: string;
    need_rsi: boolean;
    need_volume: boolean;
    need_sentiment: boolean;
    price: number | null;
    volume: number | null;
  }>(
    services.db,
    sql`
      SELECT a.coin_id,
             bool_or(a.alert_type IN ('rsi_above', 'rsi_below')) AS need_rsi,
             bool_or(a.alert_type = 'volume_spike') AS need_volume,
             bool_or(a.alert_type = 'sentiment_change') AS need_sentiment,
             max(t.current_price_usd) AS price,
             max(t.total_volume_usd) AS volume
      FROM ucie_alerts a
      LEFT JOIN ucie_tokens t ON t.coingecko_id = a.coin_id AND t.is_active
      WHERE a.alert_type IN ('rsi_above', 'rsi_below', 'volume_spike', 'sentiment_change') AND ${live(now)} AND ${coinNotYetEvaluated(tickKey)}
      GROUP BY a.coin_id`,
  );
  const perCoin = needs.filter((n) => n.need_rsi || n.need_volume);
  const [metrics, sentiment] = await Promise.all([
    perCoin.length
      ? coinMetrics(
          services,
          perCoin.map((n) => ({
            coinId: n.coin_id,
            price: n.price === null ? null : Number(n.price),
            volume: n.volume === null ? null : Number(n.volume),
            needRsi: n.need_rsi,
            needVolume: n.need_volume,
          })),
          signal,
        )
      : Promise.resolve([]),
    needs.some((n) => n.need_sentiment)
      ? sentimentMoves(services, signal)
      : Promise.resolve({ change24h: null, change7d: null, source: null }),
  ]);
  return { metrics, sentiment };
}

/**
 * The one statement: claim this tick's coins, value and decide every enabled alert of those coins, record
 * the firings, and write only the alerts whose state changes. Untouched alerts were still checked: their
 * coin's sample row says when.
 */
export function evaluationStatement(opts: { now: Date; tickKey: string; metrics: CoinMetrics[]; sentiment: SentimentMoves }) {
  const now = sql`${opts.now.toISOString()}::timestamptz`;
  const m = REARM_MARGIN;
  return sql`
WITH claimed AS (
  SELECT s.coin_id
  FROM ucie_alert_coin_samples s
  WHERE s.tick_key IS DISTINCT FROM ${opts.tickKey}
  FOR UPDATE SKIP LOCKED
),
sampled AS (
  UPDATE ucie_alert_coin_samples s SET
    tick_key = ${opts.tickKey},
    checked_at = ${now},
    price_usd = coalesce(
      (SELECT t.current_price_usd FROM ucie_tokens t WHERE t.coingecko_id = s.coin_id AND t.is_active), s.price_usd)
  FROM claimed c WHERE s.coin_id = c.coin_id
  RETURNING s.coin_id
),
due AS (
  SELECT a.id, a.user_id, a.symbol, a.coin_id, a.alert_type, a.threshold_value AS thr, a.condition_details AS cd,
         a.repeat_mode, a.cooldown_seconds, a.triggered_at, a.armed, a.snoozed_until, a.updated_at,
         -- the previous sample a cross compares with; it is rewritten whenever the price changes side
         a.last_value AS prev, a.channels
  FROM claimed c
  JOIN ucie_alerts a ON a.coin_id = c.coin_id
  WHERE a.enabled AND (a.expires_at IS NULL OR a.expires_at > ${now})
),
metrics AS (
  SELECT * FROM jsonb_to_recordset(${JSON.stringify(opts.metrics)}::jsonb) AS m(coin_id text, rsi float8, volume_ratio float8, source text)
),
valued AS (
  SELECT d.*, coalesce(d.cd->>'direction', 'any') AS dir,
    CASE
      WHEN d.alert_type IN ('price_above', 'price_below', 'price_cross') THEN CASE WHEN t.is_active THEN t.current_price_usd END
      WHEN d.alert_type = 'percent_change' THEN
        CASE WHEN NOT t.is_active THEN NULL WHEN d.cd->>'window' = '1h' THEN t.price_change_pct_1h ELSE t.price_change_pct_24h END
      WHEN d.alert_type IN ('rsi_above', 'rsi_below') THEN mt.rsi
      WHEN d.alert_type = 'volume_spike' THEN mt.volume_ratio
      WHEN d.alert_type = 'sentiment_change' THEN
        CASE WHEN d.cd->>'window' = '7d' THEN ${opts.sentiment.change7d}::float8 ELSE ${opts.sentiment.change24h}::float8 END
    END AS v,
    -- where the value came from (live, snapshot or simulated), so every message can say so
    CASE
      WHEN d.alert_type IN ('price_above', 'price_below', 'price_cross', 'percent_change') THEN t.source
      WHEN d.alert_type IN ('rsi_above', 'rsi_below', 'volume_spike') THEN mt.source
      ELSE ${opts.sentiment.source}::text
    END AS src,
    CASE WHEN d.alert_type IN ('price_above', 'price_below', 'price_cross', 'percent_change') THEN t.last_updated END AS as_of
  FROM due d
  LEFT JOIN ucie_tokens t ON t.coingecko_id = d.coin_id
  LEFT JOIN metrics mt ON mt.coin_id = d.coin_id
),
measured AS (
  SELECT x.*,
    -- e: how far the value is past the alert's line, in the value's own unit (>= 0: the condition holds)
    CASE x.alert_type
      WHEN 'price_above' THEN x.v - x.thr
      WHEN 'price_below' THEN x.thr - x.v
      WHEN 'rsi_above' THEN x.v - x.thr
      WHEN 'rsi_below' THEN x.thr - x.v
      WHEN 'volume_spike' THEN x.v - x.thr
      WHEN 'price_cross' THEN NULL
      ELSE CASE x.dir WHEN 'up' THEN x.v - x.thr WHEN 'down' THEN -x.v - x.thr ELSE abs(x.v) - x.thr END
    END AS e,
    CASE
      WHEN x.alert_type IN ('price_above', 'price_below', 'price_cross') THEN x.thr * ${m.priceFraction}::float8
      WHEN x.alert_type = 'percent_change' THEN ${m.percentPoints}::float8
      WHEN x.alert_type IN ('rsi_above', 'rsi_below') THEN ${m.rsiPoints}::float8
      WHEN x.alert_type = 'volume_spike' THEN ${m.volumeMultiple}::float8
      ELSE ${m.sentimentPoints}::float8
    END AS margin
  FROM valued x
),
judged AS (
  SELECT j.*,
    coalesce(
      j.v IS NOT NULL AND j.armed
      AND CASE WHEN j.alert_type = 'price_cross' THEN
            -- a cross needs the previous sample on the other side of the line
            j.prev IS NOT NULL AND (
                 (j.dir IN ('up', 'any') AND j.prev < j.thr AND j.v >= j.thr)
              OR (j.dir IN ('down', 'any') AND j.prev > j.thr AND j.v <= j.thr))
          ELSE j.e >= 0 END
      AND (j.snoozed_until IS NULL OR j.snoozed_until <= ${now})
      AND (j.repeat_mode = 'once' OR j.triggered_at IS NULL
           OR j.triggered_at + make_interval(secs => j.cooldown_seconds) <= ${now}),
      false) AS fires,
    coalesce(
      NOT j.armed AND CASE WHEN j.alert_type = 'price_cross' THEN
        CASE j.dir WHEN 'up' THEN j.v < j.thr - j.margin WHEN 'down' THEN j.v > j.thr + j.margin ELSE abs(j.v - j.thr) > j.margin END
      ELSE j.e < -j.margin END,
      false) AS rearm,
    -- a cross only needs to know on which side of its line the price was: it is written when that changes
    coalesce(j.alert_type = 'price_cross' AND j.v IS NOT NULL AND sign(j.v - j.thr) IS DISTINCT FROM sign(j.prev - j.thr), false) AS moved
  FROM measured j
),
decided AS (
  -- only alerts whose state changes go on: a tick over 100,000 alerts keeps a few thousand
  SELECT * FROM judged WHERE fires OR rearm OR moved
),
fired AS (
  INSERT INTO ucie_alert_triggers (alert_id, user_id, symbol, coin_id, alert_type, value, tick_key, details, triggered_at)
  SELECT d.id, d.user_id, d.symbol, d.coin_id, d.alert_type, d.v, ${opts.tickKey},
         jsonb_build_object('threshold', d.thr, 'previous', d.prev, 'condition', d.cd, 'source', d.src, 'asOf', d.as_of), ${now}
  FROM decided d WHERE d.fires
  ON CONFLICT (alert_id, tick_key) DO NOTHING
  RETURNING seq, alert_id, user_id, symbol, coin_id, alert_type, value, details, triggered_at
),
outbox AS (
  -- the deliveries of each firing, in the firing's own transaction: one per (trigger, channel). An alert
  -- with no channel list goes to all of the user's channels, and by e-mail when it asked for e-mail.
  INSERT INTO notification_deliveries (user_id, kind, channel_id, push_subscription_id, channel_key, trigger_seq, alert_id, next_attempt_at, created_at)
  SELECT f.user_id, ch.kind, ch.channel_id, ch.sub_id, ch.channel_key, f.seq, f.alert_id, ${now}, ${now}
  FROM fired f
  JOIN decided d ON d.id = f.alert_id
  CROSS JOIN LATERAL (
    SELECT 'webhook' AS kind, nc.id AS channel_id, NULL::uuid AS sub_id, nc.id::text AS channel_key
    FROM notification_channels nc
    WHERE nc.user_id = f.user_id AND nc.enabled AND (d.channels IS NULL OR nc.id::text = ANY(d.channels))
    UNION ALL
    -- every browser the user subscribed: one delivery each
    SELECT 'push', NULL, p.id, 'push:' || p.id::text
    FROM push_subscriptions p
    WHERE p.user_id = f.user_id AND (d.channels IS NULL OR 'push' = ANY(d.channels))
    UNION ALL
    SELECT 'email', NULL, NULL, 'email'
    WHERE CASE WHEN d.channels IS NULL THEN d.cd->>'email' = 'true' ELSE 'email' = ANY(d.channels) END
  ) ch
  ON CONFLICT (trigger_seq, channel_key) DO NOTHING
  RETURNING 1
),
writes AS (
  SELECT d.id, d.v, d.rearm, d.updated_at, f.alert_id IS NOT NULL AS did_fire
  FROM decided d LEFT JOIN fired f ON f.alert_id = d.id
),
changed AS (
  UPDATE ucie_alerts a SET
    last_checked_at = ${now},
    last_value = coalesce(w.v, a.last_value),
    armed = CASE WHEN w.did_fire THEN false WHEN w.rearm THEN true ELSE a.armed END,
    triggered = a.triggered OR w.did_fire,
    triggered_at = CASE WHEN w.did_fire THEN ${now} ELSE a.triggered_at END,
    trigger_count = a.trigger_count + CASE WHEN w.did_fire THEN 1 ELSE 0 END,
    enabled = CASE WHEN w.did_fire AND a.repeat_mode = 'once' THEN false ELSE a.enabled END
  FROM writes w
  -- the id array lets the planner fetch the few rows by primary key instead of scanning the table
  WHERE a.id = ANY(ARRAY(SELECT id FROM writes)) AND a.id = w.id
    -- a user's edit committed meanwhile wins over this tick's view of the alert
    AND a.updated_at = w.updated_at
  RETURNING a.id
)
SELECT
  (SELECT count(*) FROM claimed c JOIN ucie_alerts a ON a.coin_id = c.coin_id
    WHERE a.enabled AND (a.expires_at IS NULL OR a.expires_at > ${now}))::int AS checked,
  (SELECT count(*) FROM changed)::int AS written,
  (SELECT count(*) FROM sampled)::int AS coins,
  (SELECT count(*) FROM outbox)::int AS queued,
  coalesce((
    SELECT json_agg(json_build_object(
      'seq', f.seq, 'alertId', f.alert_id, 'userId', f.user_id, 'symbol', f.symbol, 'coinId', f.coin_id,
      'type', f.alert_type, 'value', f.value, 'threshold', f.details->'threshold', 'condition', f.details->'condition',
      'source', f.details->>'source', 'asOf', f.details->>'asOf',
      'triggeredAt', f.triggered_at) ORDER BY f.seq)
    FROM fired f
  ), '[]'::json) AS triggers`;
}

interface RawTrigger extends Omit<FiredTrigger, "triggeredAt"> {
  triggeredAt: string;
}

/** One evaluation tick. Safe to run on several instances at once and to retry with the same tickKey. */
export async function evaluateAlerts(services: Services, opts: EvaluateOptions = {}): Promise<EvaluateResult> {
  const now = services.clock.now();
  const intervalMs = services.config.ALERT_INTERVAL_SECONDS * 1000;
  const tickStart = new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);
  const tickKey = opts.tickKey ?? (opts.manual ? `manual-${now.toISOString()}-${randomUUID()}` : tickStart.toISOString());

  const { metrics, sentiment } = await indicatorInputs(services, now, tickKey, opts.signal);

  const { checked, expired, triggers, queued } = await services.db.transaction(async (tx) => {
    if (services.database.kind === "postgres") {
      // the statement is large but simple: compiling it (JIT) costs more than running it, and its sorts
      // and hashes of up to 100,000 rows should stay in memory
      await tx.execute(sql`SET LOCAL jit = off`);
      await tx.execute(sql`SET LOCAL work_mem = '32MB'`);
    }
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${EVALUATOR_LOCK.toString()}::bigint)`);
    const { rows: expiredRows } = await execute<{ id: string }>(
      tx,
      sql`
        UPDATE ucie_alerts SET enabled = false, updated_at = ${now.toISOString()}::timestamptz
        WHERE enabled AND expires_at <= ${now.toISOString()}::timestamptz
        RETURNING id`,
    );
    // every coin with an enabled alert gets its sample row, which the statement claims (alerts always
    // name a catalogue coin, and probing the catalogue's few hundred rows is cheaper than scanning alerts)
    await tx.execute(sql`
      INSERT INTO ucie_alert_coin_samples (coin_id)
      SELECT t.coingecko_id FROM ucie_tokens t
      WHERE NOT EXISTS (SELECT 1 FROM ucie_alert_coin_samples s WHERE s.coin_id = t.coingecko_id)
        AND EXISTS (SELECT 1 FROM ucie_alerts a WHERE a.coin_id = t.coingecko_id AND a.enabled)
      UNION ALL
      -- market-wide alerts are filed under a reserved coin that is not in the catalogue
      SELECT ${MARKET.coinId}::text
      WHERE NOT EXISTS (SELECT 1 FROM ucie_alert_coin_samples s WHERE s.coin_id = ${MARKET.coinId})
        AND EXISTS (SELECT 1 FROM ucie_alerts a WHERE a.coin_id = ${MARKET.coinId} AND a.enabled)
      ON CONFLICT (coin_id) DO NOTHING`);
    const {
      rows: [row],
    } = await execute<{ checked: number; queued: number; triggers: RawTrigger[] | string }>(
      tx,
      evaluationStatement({ now, tickKey, metrics, sentiment }),
    );
    const raw = typeof row!.triggers === "string" ? (JSON.parse(row!.triggers) as RawTrigger[]) : row!.triggers;
    return {
      checked: Number(row!.checked),
      queued: Number(row!.queued),
      expired: expiredRows.length,
      triggers: raw.map((t): FiredTrigger => ({
        ...t,
        seq: Number(t.seq),
        value: t.value === null ? null : Number(t.value),
        threshold: t.threshold === null ? null : Number(t.threshold),
        condition: t.condition ?? {},
        triggeredAt: new Date(t.triggeredAt),
      })),
    };
  });

  if (triggers.length) {
    await publishTriggers(services, triggers);
    if (queued) await wakeDeliveryWorkers(services);
    services.logger.info({ tickKey, checked, triggered: triggers.length }, "alerts fired");
  }
  return { checked, triggered: triggers.length, queued, expired, tickKey, triggers };
}

/** After commit only: a subscriber that hears of a trigger can always read it. */
async function publishTriggers(services: Services, triggers: FiredTrigger[]): Promise<void> {
  for (let i = 0; i < triggers.length; i += NOTICES_PER_MESSAGE) {
    const t = triggers.slice(i, i + NOTICES_PER_MESSAGE).map((x) => [x.userId, x.seq] as const);
    try {
      await services.events.publish(ALERT_TRIGGER_CHANNEL, { t });
    } catch (err) {
      // the rows are committed: streams still find them on their next read or reconnect
      services.logger.error({ err: (err as Error).message }, "alert notification failed");
    }
  }
}
