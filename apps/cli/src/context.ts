import { createLogger, createServices, type Services } from "@ucie/api";
import { loadConfigOrExit } from "@ucie/config";
import { migrate, openDatabase } from "@ucie/db";

/** Open the database the server would use (same env), migrated, with services around it. */
export async function openServices(): Promise<Services> {
  const config = loadConfigOrExit();
  // the CLI speaks on stdout; logs go to stderr, quiet unless debugging was asked for
  const level = config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" ? config.LOG_LEVEL : "warn";
  const logger = createLogger({ level, destination: process.stderr });
  const database = await openDatabase({ ...config, DB_POOL_MAX: 4 });
  await migrate(database);
  return createServices(database, { config, logger, instanceId: `cli-${process.pid}` });
}
