/**
 * The server's VAPID key pair for Web Push: made at first start and kept in `app_settings`, so every
 * instance signs with the same key and browsers' subscriptions survive restarts.
 */
import { sql } from "drizzle-orm";
import webpush from "web-push";
import { execute } from "@ucie/db";
import type { Services } from "../services";

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const KEY = "vapid";

export function vapidKeys(services: Services): Promise<VapidKeys> {
  const cache = services.caches.vapid;
  cache.keys ??= loadOrCreate(services).catch((err: unknown) => {
    cache.keys = null;
    throw err;
  });
  return cache.keys;
}

async function loadOrCreate(services: Services): Promise<VapidKeys> {
  const fresh = webpush.generateVAPIDKeys();
  // the first instance to insert wins; every other one reads the winner's pair
  await execute(
    services.db,
    sql`INSERT INTO app_settings (key, value) VALUES (${KEY}, ${JSON.stringify(fresh)}::jsonb) ON CONFLICT (key) DO NOTHING`,
  );
  const { rows } = await execute<{ value: VapidKeys | string }>(services.db, sql`SELECT value FROM app_settings WHERE key = ${KEY}`);
  const v = rows[0]!.value;
  return typeof v === "string" ? (JSON.parse(v) as VapidKeys) : v;
}

/** VAPID's contact: the public https origin, else the mail sender's address (push services want one of the two). */
export function vapidSubject(services: Services): string {
  const url = services.config.publicUrl;
  if (url.startsWith("https:") && !new URL(url).hostname.endsWith("localhost")) return url;
  const address = /<([^>]+)>/.exec(services.config.MAIL_FROM)?.[1] ?? services.config.MAIL_FROM;
  return `mailto:${address.trim()}`;
}
