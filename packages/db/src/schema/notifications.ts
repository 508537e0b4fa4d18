import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, boolean } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { ucieAlertTriggers } from "./alerts";

export const WEBHOOK_FORMATS = ["json", "discord", "slack"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
export const DELIVERY_STATUSES = ["pending", "retrying", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** how a delivery leaves: a user's webhook, one browser's Web Push subscription, or e-mail */
export type DeliveryKind = "webhook" | "push" | "email";

/** A user's webhook. The signing secret is stored as given (it signs every delivery) and shown once. */
export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    url: text().notNull(),
    format: text().$type<WebhookFormat>().notNull(),
    secret: text().notNull(),
    enabled: boolean().notNull().default(true),
    /** why the channel was turned off (the receiver answered 410 Gone), shown to the user */
    disabledReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("notification_channels_user_idx").on(t.userId),
    check("notification_channels_format", sql`${t.format} IN ('json', 'discord', 'slack')`),
  ],
);

/** One browser's Web Push subscription; the push service's 404 or 410 removes it. */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    endpoint: text().notNull(),
    p256dh: text().notNull(),
    auth: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("push_subscriptions_endpoint_unique").on(t.endpoint), index("push_subscriptions_user_idx").on(t.userId)],
);

/**
 * The outbox: one row per (firing, channel), written in the evaluator's transaction, so a firing and its
 * deliveries commit together. Workers claim due rows with `FOR UPDATE SKIP LOCKED` and a lease
 * (`lease_until`): a worker that dies mid-send leaves a lease that runs out, and the row is sent again with
 * the same id, which receivers use to drop repeats.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text().$type<DeliveryKind>().notNull(),
    channelId: uuid().references(() => notificationChannels.id, { onDelete: "cascade" }),
    /** the browser of a push delivery; a subscription removed meanwhile leaves NULL (the delivery then fails) */
    pushSubscriptionId: uuid().references(() => pushSubscriptions.id, { onDelete: "set null" }),
    /** the channel id, `push:<subscription id>` or `email`: with the trigger, what makes a delivery unique */
    channelKey: text().notNull(),
    triggerSeq: bigint({ mode: "number" }).references(() => ucieAlertTriggers.seq, { onDelete: "cascade" }),
    alertId: uuid(),
    /** the message of a test delivery (real ones are built from their trigger) */
    payload: jsonb().$type<Record<string, unknown>>(),
    status: text().$type<DeliveryStatus>().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    lastError: text(),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("notification_deliveries_trigger_channel_unique").on(t.triggerSeq, t.channelKey),
    index("notification_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} IN ('pending', 'retrying')`),
    index("notification_deliveries_user_idx").on(t.userId, t.createdAt),
    check("notification_deliveries_status", sql`${t.status} IN ('pending', 'retrying', 'delivered', 'failed')`),
    check("notification_deliveries_kind", sql`${t.kind} IN ('webhook', 'push', 'email')`),
  ],
);

/** Server-wide settings kept in the database so every instance shares them (the VAPID key pair). */
export const appSettings = pgTable("app_settings", {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
