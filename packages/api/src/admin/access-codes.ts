/** Access codes from the admin area: create (shown once, with a registration link), list, revoke. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { accessCodes, users } from "@ucie/db";
import { accessCodePrefix, generateAccessCode, hashAccessCode } from "../auth/access-codes";
import type { Services } from "../services";
import { logAdminAction, type AdminActor } from "./audit";
import { afterCursor, toPage, type Cursor, type Page } from "./cursor";

export interface NewCode {
  code: string;
  /** PUBLIC_URL/register?code=...: the register page fills the code in */
  link: string;
}

export function registrationLink(publicUrl: string, code: string): string {
  return `${publicUrl}/register?code=${encodeURIComponent(code)}`;
}

export async function adminCreateCodes(
  services: Services,
  actor: AdminActor,
  input: { count: number; expiresInHours: number | null; note?: string | undefined },
): Promise<{ codes: NewCode[]; expiresAt: Date | null }> {
  const now = services.clock.now();
  const expiresAt = input.expiresInHours ? new Date(now.getTime() + input.expiresInHours * 3_600_000) : null;
  const codes = Array.from({ length: input.count }, generateAccessCode);
  await services.db.transaction(async (tx) => {
    await tx.insert(accessCodes).values(
      codes.map((code) => ({
        codeHash: hashAccessCode(code),
        prefix: accessCodePrefix(code),
        expiresAt,
        note: input.note || null,
        createdAt: now,
      })),
    );
    await logAdminAction(tx, services, actor, "admin_codes_created", { reason: `${codes.length} codes` });
  });
  return { codes: codes.map((code) => ({ code, link: registrationLink(services.config.publicUrl, code) })), expiresAt };
}

export interface AdminCodeRow {
  id: string;
  prefix: string;
  note: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  redeemedAt: Date | null;
  redeemedByEmail: string | null;
  status: "usable" | "redeemed" | "revoked" | "expired";
}

export async function listAdminCodes(
  services: Services,
  input: { cursor?: Cursor | undefined; limit: number },
): Promise<Page<AdminCodeRow>> {
  const now = services.clock.now();
  const rows = await services.db
    .select({
      id: accessCodes.id,
      prefix: accessCodes.prefix,
      note: accessCodes.note,
      createdAt: accessCodes.createdAt,
      expiresAt: accessCodes.expiresAt,
      revokedAt: accessCodes.revokedAt,
      redeemed: accessCodes.redeemed,
      redeemedAt: accessCodes.redeemedAt,
      redeemedByEmail: users.email,
    })
    .from(accessCodes)
    .leftJoin(users, eq(users.id, accessCodes.redeemedBy))
    .where(afterCursor(input.cursor, accessCodes.createdAt, accessCodes.id))
    .orderBy(desc(accessCodes.createdAt), desc(accessCodes.id))
    .limit(input.limit + 1);
  const mapped = rows.map(({ redeemed, ...r }) => ({
    ...r,
    status: redeemed
      ? ("redeemed" as const)
      : r.revokedAt
        ? ("revoked" as const)
        : r.expiresAt && r.expiresAt <= now
          ? ("expired" as const)
          : ("usable" as const),
  }));
  return toPage(mapped, input.limit, (r) => ({ at: r.createdAt, id: r.id }));
}

export async function adminRevokeCode(
  services: Services,
  actor: AdminActor,
  id: string,
): Promise<{ ok: true } | { ok: false; reason: "unknown" | "already-used" }> {
  return services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(accessCodes)
      .set({ revokedAt: services.clock.now() })
      .where(and(eq(accessCodes.id, id), isNull(accessCodes.revokedAt), eq(accessCodes.redeemed, false)))
      .returning({ prefix: accessCodes.prefix });
    if (!row) {
      const [exists] = await tx.select({ redeemed: accessCodes.redeemed }).from(accessCodes).where(eq(accessCodes.id, id)).limit(1);
      return { ok: false, reason: exists?.redeemed ? "already-used" : "unknown" } as const;
    }
    await logAdminAction(tx, services, actor, "admin_code_revoked", { reason: row.prefix });
    return { ok: true } as const;
  });
}
