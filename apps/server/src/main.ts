import { loadConfigOrExit } from "@ucie/config";
import { createLogger } from "@ucie/api";
import { DataDirInUseError } from "@ucie/db";
import { startServer } from "./server";

const config = loadConfigOrExit();

// human-readable lines in a terminal, JSON lines everywhere else (files, containers, CI)
const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY || (process.stdout.isTTY && !process.env.CI) });
const running = await startServer({ config, logger }).catch((err: unknown) => {
  // another process serves this data directory: one plain line, nothing touched
  if (err instanceof DataDirInUseError) console.error(err.message);
  else logger.fatal({ err }, "start-up failed");
  process.exit(1);
});

const where = config.DATABASE_URL ? "Postgres" : `embedded PGlite in ${config.DATA_DIR}`;
logger.info({ port: running.port, database: where, instance: running.services.instanceId }, `UCIE is up at ${config.publicUrl}`);
const endpoint = running.services.database.url;
if (endpoint) {
  logger.info(
    { endpoint },
    `The embedded database is open to local tools while UCIE runs: psql '${endpoint}'\n` + `  pnpm cli commands act on this live data.`,
  );
}
if (running.firstAccessCode) {
  logger.info(
    `No access code existed, so one was made: ${running.firstAccessCode}\n` +
      `  Register at ${config.publicUrl}/register with it. More: pnpm cli access-codes create --count 5`,
  );
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, "shutting down");
    const t0 = performance.now();
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    running.close().then(
      () => {
        logger.info({ ms: Math.round(performance.now() - t0) }, "stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
