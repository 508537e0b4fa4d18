/**
 * Keys the server makes for itself, kept in `server_secrets`: made by the first instance that needs one (a
 * concurrent maker loses the insert and reads the winner's), so every instance on the database uses the
 * same key. Backups carry this table, so a restored database still reads what it encrypted.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { serverSecrets, type DbOrTx } from "@ucie/db";

/** The 32-byte key named `name`, made now when there is none. */
export async function loadServerKey(db: DbOrTx, name: string): Promise<Buffer> {
  await db
    .insert(serverSecrets)
    .values({ name, secret: randomBytes(32).toString("base64url") })
    .onConflictDoNothing({ target: serverSecrets.name });
  const [row] = await db.select({ secret: serverSecrets.secret }).from(serverSecrets).where(eq(serverSecrets.name, name));
  return Buffer.from(row!.secret, "base64url");
}
