import { createAccessCodes, listAccessCodes, parseDuration, revokeAccessCode, type Services } from "@ucie/api";
import { flag } from "../args";

const USAGE = "usage: access-codes create [--count N] [--expires 7d] | access-codes revoke CODE | access-codes list";

export async function accessCodes(services: Services, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const now = services.clock.now();
  if (sub === "create") {
    const n = Number(flag(rest, "--count") ?? "1");
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      console.error("--count must be a whole number from 1 to 1000");
      return 2;
    }
    const expires = flag(rest, "--expires");
    const ttl = expires === undefined ? null : parseDuration(expires);
    if (expires !== undefined && ttl === null) {
      console.error("--expires must be a number with a unit: s, m, h or d (for example 90m or 7d)");
      return 2;
    }
    const expiresAt = ttl === null ? null : new Date(now.getTime() + ttl);
    // stored hashed: this is the only time the codes can be seen
    for (const code of await createAccessCodes(services.db, n, { now, expiresAt })) console.log(code);
    if (expiresAt) console.error(`valid until ${expiresAt.toISOString()}`);
    return 0;
  }
  if (sub === "revoke") {
    const code = rest[0];
    if (!code) {
      console.error(USAGE);
      return 2;
    }
    const result = await revokeAccessCode(services.db, code, now);
    if (result === "unknown") {
      console.error("no such code (or it was already revoked)");
      return 1;
    }
    console.log(result === "revoked" ? "revoked" : "revoked (it had already been used: the account it made stays)");
    return 0;
  }
  if (sub === "list") {
    const rows = await listAccessCodes(services.db);
    if (rows.length === 0) console.log("no access codes yet: pnpm cli access-codes create");
    for (const r of rows) {
      const state = r.redeemed
        ? `redeemed ${r.redeemedAt?.toISOString() ?? ""}${r.redeemedBy ? ` by ${r.redeemedBy}` : ""}`
        : r.revokedAt
          ? `revoked ${r.revokedAt.toISOString()}`
          : r.expiresAt && r.expiresAt <= now
            ? `expired ${r.expiresAt.toISOString()}`
            : "unused";
      const expiry = r.expiresAt ? `expires ${r.expiresAt.toISOString()}` : "no expiry";
      console.log(`${r.id}\t${r.prefix}-…\t${state}\tcreated ${r.createdAt.toISOString()}\t${expiry}`);
    }
    return 0;
  }
  console.error(USAGE);
  return 2;
}
