import { createLogger, createServices, type Services } from "@ucie/api";
import { loadConfigOrExit, type Config } from "@ucie/config";
import { migrate, openDatabase, type Database } from "@ucie/db";

/**
 * The one way the CLI opens the configured database (every command, backup and restore too): Postgres at
 * DATABASE_URL; with the embedded database, the running server's live database through its endpoint, or, when no
 * server runs, the data directory itself (locked until `close()`, so no server starts on it meanwhile).
 * Throws `DataDirInUseError` when another CLI command holds the data directory.
 */
export async function openCliDatabase(config: Config, argv: string[]): Promise<Database> {
  const database = await openDatabase({ ...config, DB_POOL_MAX: 4 }, { role: "cli", command: ["ucie cli", ...argv].join(" ") });
  // a running server migrated its own database at start (and may be older than this CLI): leave it alone
  if (!database.url) {
    try {
      await migrate(database);
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  return database;
}

/** The database the server would use (same env), with services around it. */
export async function openServices(argv: string[]): Promise<Services> {
  const config = loadConfigOrExit();
  // the CLI speaks on stdout; logs go to stderr, quiet unless debugging was asked for
  const level = config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" ? config.LOG_LEVEL : "warn";
  const logger = createLogger({ level, destination: process.stderr });
  const database = await openCliDatabase(config, argv);
  return createServices(database, { config, logger, instanceId: `cli-${process.pid}` });
}
