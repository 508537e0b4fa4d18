/**
 * Single-use secrets sent by e-mail (verification, password reset): 256 random bits, base64url. Only
 * the SHA-256 is stored, so a database dump holds no usable link (ASVS 6.4.1).
 */
import { randomBytes } from "node:crypto";
import { hashToken } from "./session";

export const VERIFICATION_TTL_MS = 24 * 3_600_000;
export const RESET_TTL_MS = 3_600_000;

export function generateEmailToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token) };
}
