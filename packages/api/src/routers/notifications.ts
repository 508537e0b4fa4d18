import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import {
  addWebhook,
  listChannels,
  queueTest,
  removeChannel,
  subscribePush,
  unsubscribePush,
  type ChannelFailure,
} from "../notifications/channels";
import { listDeliveries } from "../notifications/outbox";
import { vapidKeys } from "../notifications/vapid";
import { DELIVERIES_LIST_MAX, pushSubscriptionInput, webhookInput } from "../schemas";
import { protectedProcedure, publicProcedure } from "../trpc";

function fail(f: ChannelFailure): never {
  const code = f.error === "not_found" ? "NOT_FOUND" : f.error === "too_many" ? "TOO_MANY_REQUESTS" : "BAD_REQUEST";
  throw new TRPCError({ code, message: f.message });
}

const channelId = z.string().regex(/^(email|push|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, "Not a channel id");

export const notificationsRouter = {
  /** the VAPID public key browsers subscribe with (base64url) */
  pushPublicKey: publicProcedure.query(async ({ ctx }) => ({ publicKey: (await vapidKeys(ctx.services)).publicKey })),

  subscribePush: protectedProcedure.input(pushSubscriptionInput).mutation(async ({ ctx, input }) => {
    const r = await subscribePush(ctx.services, ctx.user.id, input);
    if ("error" in r) fail(r);
    return r;
  }),

  unsubscribePush: protectedProcedure
    .input(z.strictObject({ endpoint: z.string().max(pushSubscriptionInput.shape.endpoint.maxLength ?? 2048) }))
    .mutation(async ({ ctx, input }) => {
      await unsubscribePush(ctx.services, ctx.user.id, input.endpoint);
      return { ok: true as const };
    }),

  /** `{ id, secret }`: the signing secret is shown this once */
  addWebhook: protectedProcedure.input(webhookInput).mutation(async ({ ctx, input }) => {
    const r = await addWebhook(ctx.services, ctx.user.id, input);
    if ("error" in r) fail(r);
    return r;
  }),

  channels: protectedProcedure.query(({ ctx }) => listChannels(ctx.services, ctx.user.id)),

  removeChannel: protectedProcedure
    .input(z.strictObject({ id: z.uuid({ error: "Not a webhook id" }) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await removeChannel(ctx.services, ctx.user.id, input.id)))
        throw new TRPCError({ code: "NOT_FOUND", message: `No channel ${input.id}` });
      return { ok: true as const };
    }),

  /** queues a test delivery; `ids` are the deliveries to watch in `deliveries` */
  test: protectedProcedure.input(z.strictObject({ id: channelId })).mutation(async ({ ctx, input }) => {
    const r = await queueTest(ctx.services, ctx.user.id, input.id.toLowerCase());
    if ("error" in r) fail(r);
    return { ok: true as const, ids: r.ids };
  }),

  deliveries: protectedProcedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(DELIVERIES_LIST_MAX).optional() }).optional())
    .query(({ ctx, input }) => listDeliveries(ctx.services, ctx.user.id, input?.limit ?? 20)),
} satisfies TRPCRouterRecord;
