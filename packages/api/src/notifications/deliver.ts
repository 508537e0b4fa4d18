/**
 * The delivery worker: sends the outbox (notification_deliveries), on every instance at once.
 *
 * - A claim is one UPDATE over due rows picked `FOR UPDATE SKIP LOCKED`: two workers never take the same
 *   row, and neither waits for the other. The claim sets a lease (`lease_until`) and counts the attempt;
 *   a worker killed mid-send leaves the lease to run out, and the row is sent again, with the same
 *   delivery id, by whichever worker comes next. So every delivery goes out at least once, and receivers
 *   drop repeats by `X-UCIE-Delivery`.
 * - The outcome is written only while the claim is still ours (`attempts` unchanged since the claim).
 * - Failures retry at 1 s, 2 s, 4 s, ... (jitter, capped at an hour) until the delivery is 24 h old: then
 *   `failed`. A webhook answering 410 Gone is turned off (its status tells the user); a push service
 *   answering 404 or 410 means the browser unsubscribed: its subscription is removed.
 * - Workers sleep until woken by a NOTIFY (something was queued) or their poll (retries come due).
 */
import { sql } from "drizzle-orm";
import webpush from "web-push";
import { execute } from "@ucie/db";
import type { WebhookFormat, DeliveryKind } from "@ucie/db";
import { describeRule } from "../alerts/rules";
import type { AlertType } from "@ucie/db";
import type { Services } from "../services";
import { sleep } from "../lib/timeouts";
import { sendOutbound, OutboundRefused } from "./http";
import { converterFor, loadRates, moneyText } from "../preferences/preferences";
import { CURRENCIES, type Currency } from "../limits";
import { usd } from "../alerts/rules";
import { emailMessage, pushPayload, signature, valueText, webhookBody, type AlertMessage, type Money } from "./messages";
import { backoffMs } from "./options";
import { DELIVERY_WAKE_CHANNEL } from "./outbox";
import { vapidKeys, vapidSubject } from "./vapid";

interface Claimed {
  id: string;
  user_id: string;
  kind: DeliveryKind;
  attempts: number;
  created_at: string | Date;
  payload: Record<string, unknown> | string | null;
  trigger_seq: number | null;
  alert_id: string | null;
  // the channel, the browser or the address it goes to
  url: string | null;
  format: WebhookFormat | null;
  secret: string | null;
  channel_enabled: boolean | null;
  sub_id: string | null;
  endpoint: string | null;
  p256dh: string | null;
  auth: string | null;
  email: string | null;
  /** the user's display currency: every message shows money in it (lines stay stored in USD) */
  currency: string | null;
  // the firing
  symbol: string | null;
  coin_id: string | null;
  alert_type: AlertType | null;
  value: number | null;
  details: Record<string, unknown> | string | null;
  triggered_at: string | Date | null;
}

type Outcome = { ok: true } | { ok: false; error: string; retry: boolean; disableChannel?: boolean; dropSubscription?: boolean };

/** Claim up to `limit` due deliveries for this worker, with the firing and channel each needs. */
export async function claimDeliveries(services: Services, limit: number): Promise<Claimed[]> {
  const now = services.clock.now();
  const leaseUntil = new Date(now.getTime() + services.delivery.leaseMs);
  const { rows } = await execute<Claimed>(
    services.db,
    sql`
WITH due AS (
  SELECT id FROM notification_deliveries
  WHERE status IN ('pending', 'retrying') AND next_attempt_at <= ${now.toISOString()}::timestamptz
    AND (lease_until IS NULL OR lease_until <= ${now.toISOString()}::timestamptz)
  ORDER BY next_attempt_at
  LIMIT ${limit}
  FOR UPDATE SKIP LOCKED
),
claimed AS (
  UPDATE notification_deliveries d SET lease_until = ${leaseUntil.toISOString()}::timestamptz, attempts = d.attempts + 1
  FROM due WHERE d.id = due.id
  RETURNING d.*
)
SELECT c.id, c.user_id, c.kind, c.attempts, c.created_at, c.payload, c.trigger_seq, c.alert_id,
       ch.url, ch.format, ch.secret, ch.enabled AS channel_enabled,
       ps.id AS sub_id, ps.endpoint, ps.p256dh, ps.auth,
       CASE WHEN c.kind = 'email' THEN u.email END AS email, up.currency,
       t.symbol, t.coin_id, t.alert_type, t.value, t.details, t.triggered_at
FROM claimed c
JOIN users u ON u.id = c.user_id
LEFT JOIN user_preferences up ON up.user_id = c.user_id
LEFT JOIN notification_channels ch ON ch.id = c.channel_id
LEFT JOIN push_subscriptions ps ON ps.id = c.push_subscription_id
LEFT JOIN ucie_alert_triggers t ON t.seq = c.trigger_seq`,
  );
  return rows;
}

const json = <T>(v: T | string | null): T | null => (typeof v === "string" ? (JSON.parse(v) as T) : v);
const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

export function messageOf(d: Claimed, money: Money = usd): AlertMessage {
  const payload = json(d.payload);
  if (payload?.type === "test" || d.trigger_seq === null) {
    return {
      id: d.id,
      alertId: null,
      symbol: "",
      coinId: "",
      type: "test",
      rule: "Test delivery",
      value: null,
      threshold: null,
      source: "live",
      triggeredAt: typeof payload?.triggeredAt === "string" ? payload.triggeredAt : new Date(d.created_at).toISOString(),
      valueText: "n/a",
    };
  }
  const details = json(d.details) ?? {};
  const threshold = details.threshold === null || details.threshold === undefined ? null : Number(details.threshold);
  const condition = (details.condition ?? {}) as Record<string, unknown>;
  const source = details.source === "snapshot" || details.source === "simulated" ? details.source : "live";
  const value = d.value === null ? null : Number(d.value);
  const type = d.alert_type ?? "";
  return {
    id: d.id,
    alertId: d.alert_id,
    symbol: d.symbol ?? "",
    coinId: d.coin_id ?? "",
    type,
    rule: describeRule(d.alert_type!, d.symbol ?? "", threshold, condition, money),
    value,
    threshold,
    source,
    triggeredAt: new Date(d.triggered_at!).toISOString(),
    valueText: valueText({ type, value, source }, asOfOf(d), money),
  };
}

const isCurrency = (c: string | null): c is Currency => c !== null && (CURRENCIES as readonly string[]).includes(c);

/** Money in the user's currency (the rates are cached per instance); US dollars when no rate can be had. */
async function moneyFor(services: Services, d: Claimed): Promise<Money> {
  if (!isCurrency(d.currency) || d.currency === "usd") return usd;
  try {
    return moneyText(converterFor(d.currency, await loadRates(services)));
  } catch (err) {
    services.logger.warn({ err: describeError(err) }, "no exchange rates: the message shows US dollars");
    return usd;
  }
}

/** When the firing's value was priced (price types), for the human-readable value: "(snapshot 2021-06-24)". */
export function asOfOf(d: Claimed): string | null {
  const asOf = json(d.details)?.asOf;
  return typeof asOf === "string" ? asOf : null;
}

async function sendWebhook(services: Services, d: Claimed, m: AlertMessage, money: Money): Promise<Outcome> {
  if (!d.url || !d.format || !d.secret) return { ok: false, error: "The webhook was removed", retry: false };
  if (!d.channel_enabled) return { ok: false, error: "The webhook is turned off", retry: false };
  const body = webhookBody(d.format, m, services.config.publicUrl, money);
  try {
    const res = await sendOutbound(d.url, {
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": "UCIE-Webhook/1",
        "x-ucie-delivery": d.id,
        "x-ucie-signature": signature(d.secret, body, services.clock.now()),
      },
      allowPrivate: services.delivery.allowPrivate,
      timeoutMs: services.delivery.timeoutMs,
      ca: services.delivery.ca,
      resolve: services.delivery.resolve,
    });
    if (res.status >= 200 && res.status < 300) return { ok: true };
    if (res.status === 410) return { ok: false, error: "The receiver answered 410 Gone", retry: false, disableChannel: true };
    const redirect = res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : "";
    return { ok: false, error: `The receiver answered ${res.status}${redirect}`, retry: true };
  } catch (err) {
    // an address refused now may be refused for good, but DNS can change: retry like any failure
    return {
      ok: false,
      error: describeError(err),
      retry: !(err instanceof OutboundRefused && /not allowed|Not a valid/.test(err.message)),
    };
  }
}

async function sendPush(services: Services, d: Claimed, m: AlertMessage): Promise<Outcome> {
  if (!d.sub_id || !d.endpoint || !d.p256dh || !d.auth) return { ok: false, error: "The browser unsubscribed", retry: false };
  const keys = await vapidKeys(services);
  // web-push encrypts (aes128gcm) and signs (VAPID); the request itself goes through our SSRF-safe sender
  const req = webpush.generateRequestDetails({ endpoint: d.endpoint, keys: { p256dh: d.p256dh, auth: d.auth } }, pushPayload(m), {
    vapidDetails: { subject: vapidSubject(services), publicKey: keys.publicKey, privateKey: keys.privateKey },
    TTL: 24 * 3600,
    contentEncoding: "aes128gcm",
  });
  try {
    const res = await sendOutbound(req.endpoint, {
      body: req.body ?? undefined,
      headers: req.headers,
      allowPrivate: services.delivery.allowPrivate,
      timeoutMs: services.delivery.timeoutMs,
      ca: services.delivery.ca,
      resolve: services.delivery.resolve,
    });
    if (res.status >= 200 && res.status < 300) return { ok: true };
    if (res.status === 404 || res.status === 410)
      return {
        ok: false,
        error: `The push service answered ${res.status}: the browser unsubscribed`,
        retry: false,
        dropSubscription: true,
      };
    return { ok: false, error: `The push service answered ${res.status}`, retry: true };
  } catch (err) {
    return { ok: false, error: describeError(err), retry: true };
  }
}

async function sendEmail(services: Services, d: Claimed, m: AlertMessage): Promise<Outcome> {
  if (!d.email) return { ok: false, error: "No e-mail address", retry: false };
  try {
    await services.mailer.send({ to: d.email, ...emailMessage(m, services.config.publicUrl) });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: describeError(err), retry: true };
  }
}

async function record(services: Services, d: Claimed, outcome: Outcome): Promise<void> {
  const now = services.clock.now();
  const mine = sql`id = ${d.id} AND attempts = ${d.attempts} AND status IN ('pending', 'retrying')`;
  if (outcome.ok) {
    await execute(
      services.db,
      sql`UPDATE notification_deliveries SET status = 'delivered', delivered_at = ${now.toISOString()}::timestamptz, lease_until = NULL, last_error = NULL WHERE ${mine}`,
    );
    return;
  }
  const age = now.getTime() - new Date(d.created_at).getTime();
  const next = new Date(now.getTime() + backoffMs(services.delivery, d.attempts));
  const giveUp =
    !outcome.retry ||
    next.getTime() - new Date(d.created_at).getTime() > services.delivery.giveUpAfterMs ||
    age > services.delivery.giveUpAfterMs;
  await execute(
    services.db,
    sql`UPDATE notification_deliveries SET status = ${giveUp ? "failed" : "retrying"}, last_error = ${outcome.error},
          next_attempt_at = ${next.toISOString()}::timestamptz, lease_until = NULL WHERE ${mine}`,
  );
  if (outcome.disableChannel) {
    await execute(
      services.db,
      sql`UPDATE notification_channels SET enabled = false,
            disabled_reason = ${`Turned off on ${now.toISOString().slice(0, 10)}: the receiver answered 410 Gone. Add it again to resume.`}
          WHERE id = (SELECT channel_id FROM notification_deliveries WHERE id = ${d.id})`,
    );
    services.logger.info({ delivery: d.id }, "webhook answered 410: channel turned off");
  }
  if (outcome.dropSubscription && d.sub_id) await execute(services.db, sql`DELETE FROM push_subscriptions WHERE id = ${d.sub_id}`);
}

/** Send one claimed delivery and record what happened. */
async function deliverOne(services: Services, d: Claimed): Promise<boolean> {
  let outcome: Outcome;
  try {
    const money = await moneyFor(services, d);
    const m = messageOf(d, money);
    outcome =
      d.kind === "webhook"
        ? await sendWebhook(services, d, m, money)
        : d.kind === "push"
          ? await sendPush(services, d, m)
          : await sendEmail(services, d, m);
  } catch (err) {
    outcome = { ok: false, error: describeError(err), retry: true };
  }
  await record(services, d, outcome);
  return outcome.ok;
}

/** One pass: claim a batch and send it. How many were claimed and delivered. */
export async function deliverBatch(
  services: Services,
  limit = services.delivery.batchSize,
): Promise<{ claimed: number; delivered: number }> {
  const batch = await claimDeliveries(services, limit);
  const results = await Promise.all(batch.map((d) => deliverOne(services, d)));
  return { claimed: batch.length, delivered: results.filter(Boolean).length };
}

export interface DeliveryWorker {
  stop(): Promise<void>;
}

/**
 * The worker loop of one instance: up to `batchSize` sends in flight, topped up as each one ends, so one
 * slow receiver (up to its 10 s limit) never holds back the others. It looks for due rows when woken (a
 * NOTIFY: something was queued), when a send ends, and every `pollMs` (retries coming due).
 */
export async function startDeliveryWorker(services: Services): Promise<DeliveryWorker> {
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let wake: (() => void) | null = null;
  let woken = false;
  // the last claim filled every free slot: more rows are likely due, so a send that ends looks again at once
  let backlog = false;
  const unsubscribe = await services.events.subscribe(DELIVERY_WAKE_CHANNEL, () => {
    woken = true;
    wake?.();
  });
  const loop = (async () => {
    while (!controller.signal.aborted) {
      woken = false;
      const free = services.delivery.batchSize - inFlight.size;
      let full = false;
      if (free > 0) {
        try {
          const claimed = await claimDeliveries(services, free);
          for (const d of claimed) {
            const p: Promise<unknown> = deliverOne(services, d)
              .catch((err: unknown) => services.logger.error({ err: describeError(err), delivery: d.id }, "delivery failed"))
              .finally(() => {
                inFlight.delete(p);
                // top up in chunks (half the slots free), not one claim query per finished send
                if (backlog && inFlight.size <= services.delivery.batchSize / 2) wake?.();
              });
            inFlight.add(p);
          }
          full = claimed.length === free;
          backlog = full;
        } catch (err) {
          services.logger.error({ err: describeError(err) }, "delivery claim failed");
        }
      }
      if ((full && inFlight.size <= services.delivery.batchSize / 2) || woken) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        sleep(services.delivery.pollMs, controller.signal).then(resolve, resolve);
      });
      wake = null;
    }
    // sends under way finish (each within its time limit); unclaimed rows wait for the next start or another instance
    await Promise.allSettled([...inFlight]);
  })();
  return {
    async stop() {
      controller.abort();
      wake?.();
      unsubscribe();
      await loop;
    },
  };
}
