/**
 * Invitation codes. Only the SHA-256 of a code is stored (like session tokens), so a database dump
 * holds no usable code: a code is shown once, when it is created. A code may expire and may be revoked;
 * registration treats an expired, revoked, used or unknown code alike (registration.ts).
 */
import { randomInt } from "node:crypto";
import { and, count, desc, eq, gt, isNull, or, type SQL } from "drizzle-orm";
import { accessCodes, type Db } from "@ucie/db";
import { hashToken } from "./session";

// no 0/O, 1/I/L: codes are read aloud and typed by hand
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** A code like UCIE-7KQ2-M9TX-P4WD: 60 random bits. */
export function generateAccessCode(): string {
  const group = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return `UCIE-${group()}-${group()}-${group()}`;
}

/** Normalise what a user typed: trimmed, upper-case. */
export function normaliseAccessCode(input: string): string {
  return input.trim().toUpperCase();
}

/** What is stored for a code: the hash of its normalised form. */
export function hashAccessCode(code: string): string {
  return hashToken(normaliseAccessCode(code));
}

/** The part of a code an operator may see again: its first group ("UCIE-7KQ2"). */
export function accessCodePrefix(code: string): string {
  return normaliseAccessCode(code).slice(0, 9);
}

/** A code that can still be redeemed at `now`: not used, not revoked, not expired. */
export function usableAccessCode(code: string, now: Date): SQL {
  return and(
    eq(accessCodes.codeHash, hashAccessCode(code)),
    eq(accessCodes.redeemed, false),
    isNull(accessCodes.revokedAt),
    or(isNull(accessCodes.expiresAt), gt(accessCodes.expiresAt, now)),
  )!;
}

/** Create `n` codes; the returned plaintext codes exist nowhere else. */
export async function createAccessCodes(db: Db, n: number, opts: { now?: Date; expiresAt?: Date | null } = {}): Promise<string[]> {
  const codes = Array.from({ length: n }, generateAccessCode);
  await db.insert(accessCodes).values(
    codes.map((code) => ({
      codeHash: hashAccessCode(code),
      prefix: accessCodePrefix(code),
      expiresAt: opts.expiresAt ?? null,
      ...(opts.now ? { createdAt: opts.now } : {}),
    })),
  );
  return codes;
}

/** Revoke a code that has not been used. Returns what happened, so the CLI can say it. */
export async function revokeAccessCode(db: Db, code: string, now: Date): Promise<"revoked" | "already-used" | "unknown"> {
  const [row] = await db
    .update(accessCodes)
    .set({ revokedAt: now })
    .where(and(eq(accessCodes.codeHash, hashAccessCode(code)), isNull(accessCodes.revokedAt)))
    .returning({ redeemed: accessCodes.redeemed });
  if (!row) return "unknown";
  return row.redeemed ? "already-used" : "revoked";
}

export interface AccessCodeListing {
  id: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  redeemed: boolean;
  redeemedAt: Date | null;
  redeemedBy: string | null;
}

export async function listAccessCodes(db: Db): Promise<AccessCodeListing[]> {
  return db
    .select({
      id: accessCodes.id,
      prefix: accessCodes.prefix,
      createdAt: accessCodes.createdAt,
      expiresAt: accessCodes.expiresAt,
      revokedAt: accessCodes.revokedAt,
      redeemed: accessCodes.redeemed,
      redeemedAt: accessCodes.redeemedAt,
      redeemedBy: accessCodes.redeemedBy,
    })
    .from(accessCodes)
    .orderBy(desc(accessCodes.createdAt));
}

export async function countAccessCodes(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(accessCodes);
  return row?.n ?? 0;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "7d", "12h", "30m", "90s" as milliseconds, or null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}
