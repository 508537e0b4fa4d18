import { randomInt } from "node:crypto";
import { count, desc } from "drizzle-orm";
import { accessCodes, type Db } from "@ucie/db";

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

export async function createAccessCodes(db: Db, n: number): Promise<string[]> {
  const codes = Array.from({ length: n }, generateAccessCode);
  await db.insert(accessCodes).values(codes.map((code) => ({ code })));
  return codes;
}

export async function listAccessCodes(db: Db) {
  return db.select().from(accessCodes).orderBy(desc(accessCodes.createdAt));
}

export async function countAccessCodes(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(accessCodes);
  return row?.n ?? 0;
}
