/**
 * What `pnpm start` does to a database before serving: migrate, make sure the token catalogue is not
 * empty (the bundled snapshot stands in until the first sync), and hand the operator a first access
 * code when none exists.
 */
import { count } from "drizzle-orm";
import { migrate, ucieTokens } from "@ucie/db";
import type { Services } from "./services";
import { countAccessCodes, createAccessCodes } from "./auth/access-codes";
import { sealPlainTotpSecrets } from "./auth/totp-secret";
import { upsertCoins } from "./market/catalogue";
import { loadSnapshot } from "./market/snapshot";

export async function bootstrap(services: Services): Promise<{ firstAccessCode: string | null; seededTokens: number }> {
  const { db, logger } = services;
  await migrate(services.database);
  // two-factor secrets written before they were encrypted at rest
  const sealed = await sealPlainTotpSecrets(services);
  if (sealed) logger.info({ users: sealed }, "two-factor secrets encrypted at rest");
  let seededTokens = 0;
  const [tokens] = await db.select({ n: count() }).from(ucieTokens);
  if (!tokens?.n) {
    seededTokens = await upsertCoins(db, loadSnapshot(), "snapshot");
    logger.info({ tokens: seededTokens }, "token catalogue seeded from the bundled snapshot of 2021-06-24");
  }
  let firstAccessCode: string | null = null;
  if ((await countAccessCodes(db)) === 0) {
    firstAccessCode = (await createAccessCodes(db, 1))[0] ?? null;
  }
  return { firstAccessCode, seededTokens };
}
