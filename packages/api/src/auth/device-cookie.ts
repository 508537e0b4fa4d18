/**
 * OWASP "device cookies": a browser that has logged in to an account before carries a signed cookie
 * naming that account, and is exempt from the account-wide slow-down that failures from everywhere else
 * bring on. So a stranger guessing from many addresses slows the account down for unknown browsers only,
 * never for the owner's own. The cookie is `<userId>.<nonce>.<HMAC-SHA256(key, userId.nonce)>`; the key
 * is made once and kept in `server_secrets`, so every instance checks what any other signed. A cookie
 * that keeps failing (someone else holding it) stops exempting its browser (THROTTLE_RULES.loginDevice).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { DbOrTx } from "@ucie/db";
import { loadServerKey } from "./server-secrets";

/** How long a browser stays recognised after its last successful login. */
export const DEVICE_COOKIE_TTL_MS = 180 * 86_400_000;
const SECRET_NAME = "device-cookie";

export interface DeviceCookie {
  userId: string;
  nonce: string;
}

/** The HMAC key, made by the first instance that needs it. */
export function loadDeviceKey(db: DbOrTx): Promise<Buffer> {
  return loadServerKey(db, SECRET_NAME);
}

function sign(key: Buffer, body: string): string {
  return createHmac("sha256", key).update(body).digest("base64url");
}

/** A fresh device cookie value for a user. */
export function issueDeviceCookie(key: Buffer, userId: string): string {
  const body = `${userId}.${randomBytes(16).toString("base64url")}`;
  return `${body}.${sign(key, body)}`;
}

/** A fresh device cookie for a browser that has just completed a login (password alone, or with its second factor). */
export function newDeviceCookie(key: Buffer, userId: string, now: Date): { value: string; expires: Date } {
  return { value: issueDeviceCookie(key, userId), expires: new Date(now.getTime() + DEVICE_COOKIE_TTL_MS) };
}

/** The account and nonce a cookie value was signed for, or null when it was not signed with our key. */
export function readDeviceCookie(key: Buffer, value: string | null | undefined): DeviceCookie | null {
  if (!value || value.length > 200) return null;
  const parts = value.split(".");
  if (parts.length !== 3) return null;
  const [userId, nonce, mac] = parts as [string, string, string];
  const expected = Buffer.from(sign(key, `${userId}.${nonce}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { userId, nonce };
}
