/**
 * Password rules and hashing. Rules after NIST 800-63B / ASVS 6.2: at least 8 characters (the UI
 * recommends 15+), long passphrases welcome, no composition rules, never truncated; no password from a
 * breached list nor one an estimator scores weak (password-strength.ts). Hashing: argon2id m=19456 KiB, t=2, p=1 (OWASP's first choice) with
 * @node-rs/argon2, a maintained native binding whose async `hash` runs off the event loop.
 */
import { readFileSync } from "node:fs";
import { hash, verify, type Options } from "@node-rs/argon2";
import { dataFile } from "../lib/data-files";

import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_RECOMMENDED_LENGTH } from "../limits";

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_RECOMMENDED_LENGTH };

export const ARGON2_OPTIONS: Options = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolated modules cannot import)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/** Unicode passwords compare by what the user sees: "é" typed two ways is one password. */
export function normalisePassword(password: string): string {
  return password.normalize("NFKC");
}

export async function hashPassword(password: string): Promise<string> {
  return hash(normalisePassword(password), ARGON2_OPTIONS);
}

export async function verifyPasswordHash(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalisePassword(password));
  } catch {
    return false; // a malformed stored hash is a failed login, not a 500
  }
}

let dummyHash: Promise<string> | undefined;

/** Compute the dummy hash ahead of need, so even the first unknown-account login costs one argon2 verify. */
export function warmDummyHash(): void {
  dummyHash ??= hash("not the password of anyone: timing equaliser", ARGON2_OPTIONS);
}

/**
 * Spend the same argon2 work as a real check when the account does not exist, so the answer time does
 * not tell an attacker which e-mail addresses have accounts (ASVS 6.3.8).
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  warmDummyHash();
  await verifyPasswordHash(await dummyHash!, password);
  return false;
}

let blocklist: Set<string> | undefined;

function commonPasswords(): Set<string> {
  if (!blocklist) {
    const file = dataFile("common-passwords.txt");
    blocklist = new Set(
      readFileSync(file, "utf8")
        .split("\n")
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l && !l.startsWith("#")),
    );
  }
  return blocklist;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(normalisePassword(password).trim().toLowerCase());
}
