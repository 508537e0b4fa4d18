import path from "node:path";
import { createLogger, createServices, type Services } from "@ucie/api";
import { ConfigError, loadConfig } from "@ucie/config";
import { createDb, migrate } from "@ucie/db";

/** Open the database the server would use (same env), migrated, with services around it. */
export async function openServices(): Promise<Services> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  // the CLI speaks on stdout; logs go to stderr and stay quiet unless asked
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? "warn", destination: process.stderr as never });
  const database = await createDb({
    url: config.DATABASE_URL,
    dataDir: config.DATABASE_URL ? undefined : path.join(config.DATA_DIR, "pglite"),
    poolMax: 4,
  });
  await migrate(database);
  return createServices(database, { config, logger, instanceId: `cli-${process.pid}` });
}
