import { createAccessCodes, listAccessCodes, type Services } from "@ucie/api";
import { flag } from "../args";

export async function accessCodes(services: Services, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "create") {
    const n = Number(flag(rest, "--count") ?? "1");
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      console.error("--count must be a whole number from 1 to 1000");
      return 2;
    }
    for (const code of await createAccessCodes(services.db, n)) console.log(code);
    return 0;
  }
  if (sub === "list") {
    const rows = await listAccessCodes(services.db);
    if (rows.length === 0) console.log("no access codes yet: pnpm cli access-codes create");
    for (const r of rows) {
      const state = r.redeemed ? `redeemed ${r.redeemedAt?.toISOString() ?? ""}${r.redeemedBy ? ` by ${r.redeemedBy}` : ""}` : "unused";
      console.log(`${r.code}\t${state}\tcreated ${r.createdAt.toISOString()}`);
    }
    return 0;
  }
  console.error("usage: access-codes create [--count N] | access-codes list");
  return 2;
}
