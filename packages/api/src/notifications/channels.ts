/**
 * A user's notification channels: webhooks (with their signing secret), Web Push subscriptions, and e-mail,
 * which every verified account has. Expected failures are values; the router maps them to errors.
 */
import { randomBytes } from "node:crypto";
import { and, count, eq, sql } from "drizzle-orm";
import { execute, notificationChannels, notificationDeliveries, pushSubscriptions, type WebhookFormat } from "@ucie/db";
import { MAX_PUSH_SUBSCRIPTIONS_PER_USER, MAX_TESTS_PER_MINUTE, MAX_WEBHOOKS_PER_USER } from "../limits";
import type { PushSubscriptionInput, WebhookInput } from "../schemas";
import type { Services } from "../services";
import { checkUrl, refusedHost } from "./http";
import { wakeDeliveryWorkers } from "./outbox";

export type ChannelFailure = { error: "not_found" | "invalid" | "limit" | "too_many"; message: string };

export interface ChannelView {
  /** a webhook's uuid, or `email` / `push`: the ids `alerts.create` takes in `channels` */
  id: string;
  kind: "webhook" | "email" | "push";
  name: string;
  format: WebhookFormat | null;
  /** a webhook's address without its path or query (which may hold a token) */
  target: string;
  enabled: boolean;
  /** why a channel was turned off, e.g. the receiver answered 410 Gone */
  disabledReason: string | null;
  createdAt: Date | null;
}

/** Refuses at once an address that resolves inside; every send checks again, as DNS can change. */
async function vetWebhookUrl(services: Services, raw: string): Promise<URL | ChannelFailure> {
  const url = checkUrl(raw);
  if (typeof url === "string") return { error: "invalid", message: url };
  const why = await refusedHost(url, services.delivery.allowPrivate, services.delivery.resolve);
  if (why) return { error: "invalid", message: `This address cannot be reached from UCIE. ${why}` };
  return url;
}

export async function addWebhook(
  services: Services,
  userId: string,
  input: WebhookInput,
): Promise<{ id: string; secret: string } | ChannelFailure> {
  const url = await vetWebhookUrl(services, input.url);
  if ("error" in url) return url;
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  return services.db.transaction(async (tx) => {
    // the count and the insert in one transaction under the user's row lock, so two adds cannot pass the cap together
    await execute(tx, sql`SELECT 1 FROM users WHERE id = ${userId} FOR UPDATE`);
    const [counted] = await tx.select({ n: count() }).from(notificationChannels).where(eq(notificationChannels.userId, userId));
    if ((counted?.n ?? 0) >= MAX_WEBHOOKS_PER_USER)
      return { error: "limit", message: `At most ${MAX_WEBHOOKS_PER_USER} webhooks per account` } as const;
    const [row] = await tx
      .insert(notificationChannels)
      .values({ userId, url: url.href, format: input.format, name: input.name || url.hostname, secret })
      .returning({ id: notificationChannels.id });
    return { id: row!.id, secret };
  });
}

export async function listChannels(services: Services, userId: string): Promise<ChannelView[]> {
  const [hooks, counted] = await Promise.all([
    services.db.select().from(notificationChannels).where(eq(notificationChannels.userId, userId)).orderBy(notificationChannels.createdAt),
    services.db.select({ browsers: count() }).from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)),
  ]);
  const browsers = counted[0]?.browsers ?? 0;
  const fixed: ChannelView[] = [
    {
      id: "email",
      kind: "email",
      name: "E-mail",
      format: null,
      target: "your account's address",
      enabled: true,
      disabledReason: null,
      createdAt: null,
    },
    {
      id: "push",
      kind: "push",
      name: "Browser notifications",
      format: null,
      target: browsers === 1 ? "1 browser" : `${browsers} browsers`,
      enabled: browsers > 0,
      disabledReason: browsers > 0 ? null : "No browser is subscribed",
      createdAt: null,
    },
  ];
  return [
    ...fixed,
    ...hooks.map((h) => ({
      id: h.id,
      kind: "webhook" as const,
      name: h.name,
      format: h.format,
      target: new URL(h.url).origin,
      enabled: h.enabled,
      disabledReason: h.disabledReason,
      createdAt: h.createdAt,
    })),
  ];
}

export async function removeChannel(services: Services, userId: string, id: string): Promise<boolean> {
  const gone = await services.db
    .delete(notificationChannels)
    .where(and(eq(notificationChannels.userId, userId), eq(notificationChannels.id, id)))
    .returning({ id: notificationChannels.id });
  return gone.length === 1;
}

/** Queue a test delivery to a channel (`email`, `push`: every browser, or a webhook id); the ids queued. */
export async function queueTest(services: Services, userId: string, channelId: string): Promise<{ ids: string[] } | ChannelFailure> {
  const now = services.clock.now();
  const [recent] = await services.db
    .select({ n: count() })
    .from(notificationDeliveries)
    .where(
      and(
        eq(notificationDeliveries.userId, userId),
        sql`${notificationDeliveries.triggerSeq} IS NULL AND ${notificationDeliveries.createdAt} > ${new Date(now.getTime() - 60_000)}`,
      ),
    );
  if ((recent?.n ?? 0) >= MAX_TESTS_PER_MINUTE)
    return { error: "too_many", message: `At most ${MAX_TESTS_PER_MINUTE} tests a minute: wait a moment and try again` };
  const payload = { type: "test", triggeredAt: now.toISOString() };
  const base = { userId, payload, createdAt: now, nextAttemptAt: now };
  let rows: (typeof notificationDeliveries.$inferInsert)[];
  if (channelId === "email") rows = [{ ...base, kind: "email", channelKey: "email" }];
  else if (channelId === "push") {
    const subs = await services.db.select({ id: pushSubscriptions.id }).from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
    if (!subs.length) return { error: "not_found", message: "No browser is subscribed to notifications" };
    rows = subs.map((s) => ({ ...base, kind: "push" as const, pushSubscriptionId: s.id, channelKey: `push:${s.id}` }));
  } else {
    if (!/^[0-9a-f-]{36}$/i.test(channelId)) return { error: "not_found", message: `No channel ${channelId}` };
    const [hook] = await services.db
      .select({ id: notificationChannels.id })
      .from(notificationChannels)
      .where(and(eq(notificationChannels.userId, userId), eq(notificationChannels.id, channelId)));
    if (!hook) return { error: "not_found", message: `No channel ${channelId}` };
    rows = [{ ...base, kind: "webhook", channelId: hook.id, channelKey: hook.id }];
  }
  const ids = await services.db.insert(notificationDeliveries).values(rows).returning({ id: notificationDeliveries.id });
  await wakeDeliveryWorkers(services);
  return { ids: ids.map((r) => r.id) };
}

export async function subscribePush(
  services: Services,
  userId: string,
  input: PushSubscriptionInput,
): Promise<{ ok: true } | ChannelFailure> {
  return services.db.transaction(async (tx) => {
    await execute(tx, sql`SELECT 1 FROM users WHERE id = ${userId} FOR UPDATE`);
    const [counted] = await tx.select({ n: count() }).from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
    const n = counted?.n ?? 0;
    const [mine] = await tx
      .select({ id: pushSubscriptions.id })
      .from(pushSubscriptions)
      .where(and(eq(pushSubscriptions.endpoint, input.endpoint), eq(pushSubscriptions.userId, userId)));
    if (!mine && n >= MAX_PUSH_SUBSCRIPTIONS_PER_USER)
      return { error: "limit", message: `At most ${MAX_PUSH_SUBSCRIPTIONS_PER_USER} browsers per account` } as const;
    // an endpoint belongs to one browser: re-subscribing (another account signed in there) moves it
    await tx
      .insert(pushSubscriptions)
      .values({ userId, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth })
      .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { userId, p256dh: input.keys.p256dh, auth: input.keys.auth } });
    return { ok: true } as const;
  });
}

export async function unsubscribePush(services: Services, userId: string, endpoint: string): Promise<void> {
  await services.db.delete(pushSubscriptions).where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint)));
}
