/**
 * TOTP secrets at rest: AES-256-GCM (node:crypto) under a key the server keeps in `server_secrets`
 * (`totp-secret`, beside the device-cookie key), a random 96-bit IV per value, and the account's id as
 * additional data, so a value copied onto another account does not open. Stored as
 * `v1.<iv>.<ciphertext>.<tag>` (base64url). A base32 secret never holds a dot: a value written before
 * encryption (plain base32) is told apart, still works, and is encrypted in place the first time it is
 * read and at every start (`sealPlainTotpSecrets`), with a conditional UPDATE that writes only the
 * encryption of the very value it read, checked by decrypting it first: a secret cannot be lost.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { and, eq, isNotNull, not, like } from "drizzle-orm";
import { users, type DbOrTx } from "@ucie/db";
import type { Services } from "../services";
import { loadServerKey } from "./server-secrets";

const PREFIX = "v1.";
const ALGORITHM = "aes-256-gcm";

/** The encryption key, made by the first instance that needs it. */
export function loadTotpKey(db: DbOrTx): Promise<Buffer> {
  return loadServerKey(db, "totp-secret");
}

export function isSealedTotpSecret(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

const aad = (userId: string) => Buffer.from(`totp:${userId}`);

/** The stored form of a user's base32 secret. */
export function sealTotpSecret(key: Buffer, userId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key, iv).setAAD(aad(userId));
  const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return PREFIX + [iv, body, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(".");
}

/** The base32 secret of a stored value (a plain one, from before encryption, as it is). */
export function openTotpSecret(key: Buffer, userId: string, stored: string): string {
  if (!isSealedTotpSecret(stored)) return stored;
  const [iv, body, tag] = stored
    .slice(PREFIX.length)
    .split(".")
    .map((p) => Buffer.from(p, "base64url"));
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv!).setAAD(aad(userId)).setAuthTag(tag!);
    return Buffer.concat([decipher.update(body!), decipher.final()]).toString("utf8");
  } catch {
    // never the value itself in the message
    throw new Error(`The two-factor secret of user ${userId} does not decrypt with the server_secrets key "totp-secret"`);
  }
}

/** Encrypt one plain stored secret in place, unless the row has changed since it was read. */
async function sealInPlace(db: DbOrTx, key: Buffer, userId: string, plain: string): Promise<boolean> {
  const sealed = sealTotpSecret(key, userId, plain);
  if (openTotpSecret(key, userId, sealed) !== plain) throw new Error("TOTP secret encryption did not round-trip");
  const updated = await db
    .update(users)
    .set({ totpSecret: sealed })
    .where(and(eq(users.id, userId), eq(users.totpSecret, plain)))
    .returning({ id: users.id });
  return updated.length === 1;
}

/**
 * The base32 secret of a stored value; a plain one is encrypted in place on the way (best effort: a failure
 * to write leaves it plain and working, for the next read or start to encrypt).
 */
export async function readTotpSecret(services: Services, userId: string, stored: string): Promise<string> {
  const key = await services.totpKey();
  if (!isSealedTotpSecret(stored)) {
    // not the error itself: a failed query's message quotes its parameters, the secret among them
    await sealInPlace(services.db, key, userId, stored).catch(() =>
      services.logger.warn({ userId }, "a plain two-factor secret could not be encrypted yet"),
    );
  }
  return openTotpSecret(key, userId, stored);
}

/** Encrypt every secret still stored plain (run at start-up); how many were encrypted. */
export async function sealPlainTotpSecrets(services: Services): Promise<number> {
  const plain = await services.db
    .select({ id: users.id, secret: users.totpSecret })
    .from(users)
    .where(and(isNotNull(users.totpSecret), not(like(users.totpSecret, `${PREFIX}%`))));
  if (plain.length === 0) return 0; // no key is made for a database that needs none
  const key = await services.totpKey();
  let sealed = 0;
  for (const row of plain) {
    // a row that fails stays plain and working, for the next start or its first use (the error is not logged: see above)
    const ok = await sealInPlace(services.db, key, row.id, row.secret!).catch(() => {
      services.logger.warn({ userId: row.id }, "a plain two-factor secret could not be encrypted yet");
      return false;
    });
    if (ok) sealed++;
  }
  return sealed;
}
