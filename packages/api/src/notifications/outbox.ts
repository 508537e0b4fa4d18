/**
 * The outbox's other writers and readers (the evaluator writes firings' deliveries in its own statement):
 * test deliveries, the user's recent deliveries, and the wake-up call to delivery workers.
 */
import { desc, eq } from "drizzle-orm";
import { notificationDeliveries, type DeliveryStatus } from "@ucie/db";
import type { Services } from "../services";

/** EventBus channel: something was queued, workers on every instance look now instead of at their next poll */
export const DELIVERY_WAKE_CHANNEL = "ucie_deliveries";

export async function wakeDeliveryWorkers(services: Services): Promise<void> {
  try {
    await services.events.publish(DELIVERY_WAKE_CHANNEL, {});
  } catch (err) {
    // the rows are committed: the workers' poll finds them a moment later
    services.logger.warn({ err: (err as Error).message }, "delivery wake-up failed");
  }
}

export interface DeliveryView {
  id: string;
  channelId: string | null;
  kind: "webhook" | "push" | "email";
  alertId: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export async function listDeliveries(services: Services, userId: string, limit: number): Promise<DeliveryView[]> {
  const d = notificationDeliveries;
  return services.db
    .select({
      id: d.id,
      channelId: d.channelId,
      kind: d.kind,
      alertId: d.alertId,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      createdAt: d.createdAt,
      deliveredAt: d.deliveredAt,
    })
    .from(d)
    .where(eq(d.userId, userId))
    .orderBy(desc(d.createdAt), desc(d.id))
    .limit(limit);
}

/** One delivery of a given id, for the user who owns it (tests and the settings page). */
