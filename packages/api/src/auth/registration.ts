/**
 * Invite-only registration. One transaction inserts the user and redeems the access code with a
 * conditional UPDATE (`... WHERE code_hash = $1 AND NOT redeemed AND NOT revoked AND NOT expired RETURNING id`): under any concurrency one
 * code makes one account, and any failure rolls the redemption back (ASVS 2.3.3).
 */
import { randomUUID } from "node:crypto";
import { accessCodes, users } from "@ucie/db";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";
import { usableAccessCode } from "./access-codes";
import { tryWriteAuthLog, writeAuthLog } from "./audit";
import { sendVerification } from "./email-verification";
import { accountExistsEmail, sendInBackground } from "./emails";
import { hashPassword } from "./password";
import { generateEmailToken, VERIFICATION_TTL_MS } from "./tokens";

export interface RegisterInput {
  /** already normalised: trimmed, lower-case */
  email: string;
  password: string;
  /** already normalised: trimmed, upper-case */
  accessCode: string;
}

export interface NewUser {
  id: string;
  email: string;
  emailVerified: boolean;
}

export type RegisterResult = { ok: true; user: NewUser } | { ok: false; reason: "code" };

class Refusal extends Error {
  constructor(readonly reason: "code" | "email") {
    super(reason);
  }
}

export async function registerUser(services: Services, input: RegisterInput, meta: RequestMeta): Promise<RegisterResult> {
  const { db, clock } = services;
  // the slow part happens before the transaction, so no row lock waits on argon2
  const passwordHash = await hashPassword(input.password);
  const verification = generateEmailToken();
  const now = clock.now();

  let user: NewUser;
  try {
    user = await db.transaction(async (tx) => {
      // a cheap look first: an unusable code must not tell its holder whether an e-mail has an account
      const [usable] = await tx.select({ id: accessCodes.id }).from(accessCodes).where(usableAccessCode(input.accessCode, now)).limit(1);
      if (!usable) throw new Refusal("code");

      const [created] = await tx
        .insert(users)
        .values({
          email: input.email,
          passwordHash,
          verificationToken: verification.hash,
          verificationExpiresAt: new Date(now.getTime() + VERIFICATION_TTL_MS),
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing({ target: users.email })
        .returning({ id: users.id, email: users.email, emailVerified: users.emailVerified });
      if (!created) throw new Refusal("email");

      // the atomic redemption: of concurrent registrations with one code, only one sees a row here
      const redeemed = await tx
        .update(accessCodes)
        .set({ redeemed: true, redeemedBy: created.id, redeemedAt: now })
        .where(usableAccessCode(input.accessCode, now))
        .returning({ id: accessCodes.id });
      if (redeemed.length !== 1) throw new Refusal("code");

      await writeAuthLog(tx, services, meta, { type: "register", userId: created.id, success: true });
      return created;
    });
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    // outside the rolled-back transaction, so the attempt stays on record
    await tryWriteAuthLog(services, meta, {
      type: "register",
      success: false,
      reason: err.reason === "code" ? "access code unknown, used, revoked or expired" : "e-mail already registered",
    });
    if (err.reason === "code") return { ok: false, reason: "code" };
    // The address has an account. Saying so would tell anyone holding a code who is registered here, so the
    // answer is the one a new address gets (an id that names no one); the code stays unused, and the
    // owner, not the asker, learns of it by mail.
    void sendInBackground(services, accountExistsEmail(services.config.publicUrl, input.email));
    return { ok: true, user: { id: randomUUID(), email: input.email, emailVerified: false } };
  }

  void sendVerification(services, user, verification.token, meta);
  return { ok: true, user };
}
