/**
 * Roles: `user` or `admin`. Every change to who is an admin (the first registration, promote, demote,
 * disable, delete) runs in a transaction holding one advisory lock, so "is there an admin" and "is this
 * the last admin" are answered and acted on atomically, also across instances.
 */
import { and, count, eq, isNull, ne, sql } from "drizzle-orm";
import { users, type Db, type DbOrTx, type UserRole } from "@ucie/db";

/** Serialises every change to the set of admins (an arbitrary constant key). */
export async function lockAdmins(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('ucie:admins'))`);
}

/** In the registration transaction: the first account ever made (no admin yet) becomes admin. */
export async function makeFirstAccountAdmin(tx: DbOrTx, userId: string): Promise<boolean> {
  // cheap look first, so registrations after the first never wait on the lock
  const [any] = await tx.select({ id: users.id }).from(users).where(eq(users.role, "admin")).limit(1);
  if (any) return false;
  await lockAdmins(tx);
  const promoted = await tx
    .update(users)
    .set({ role: "admin" })
    .where(and(eq(users.id, userId), sql`not exists (select 1 from ${users} where ${users.role} = 'admin')`))
    .returning({ id: users.id });
  return promoted.length === 1;
}

/** Admins other than `userId` that can still act (not disabled). Call under lockAdmins. */
export async function otherActiveAdmins(tx: DbOrTx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt), ne(users.id, userId)));
  return row?.n ?? 0;
}

/** The role stored now (not the one a cached session carries), or null for an unknown account. */
export async function currentRole(db: DbOrTx, userId: string): Promise<UserRole | null> {
  const [row] = await db.select({ role: users.role, disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).limit(1);
  if (!row || row.disabledAt) return null;
  return row.role;
}

export type RoleChange = { ok: true; changed: boolean; userId: string } | { ok: false; reason: "unknown" | "last-admin" };

/** Promote or demote by user id, refusing to demote the last active admin. */
export async function changeRole(db: Db, target: { id?: string; email?: string }, role: UserRole, now: Date): Promise<RoleChange> {
  return db.transaction(async (tx) => {
    await lockAdmins(tx);
    const where = target.id ? eq(users.id, target.id) : eq(users.email, (target.email ?? "").trim().toLowerCase());
    const [user] = await tx.select({ id: users.id, role: users.role }).from(users).where(where).limit(1).for("update");
    if (!user) return { ok: false, reason: "unknown" } as const;
    if (user.role === role) return { ok: true, changed: false, userId: user.id } as const;
    if (role === "user" && (await otherActiveAdmins(tx, user.id)) === 0) return { ok: false, reason: "last-admin" } as const;
    await tx.update(users).set({ role, updatedAt: now }).where(eq(users.id, user.id));
    return { ok: true, changed: true, userId: user.id } as const;
  });
}
