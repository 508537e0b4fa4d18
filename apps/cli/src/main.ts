/**
 * The operator CLI: the same packages and environment as the server (`pnpm cli <command>`).
 */
import type { Services } from "@ucie/api";
import { DataDirInUseError, migrate } from "@ucie/db";
import { openServices } from "./context";
import { accessCodes } from "./commands/access-codes";
import { alertsCommand } from "./commands/alerts";
import { backupCommand, restoreCommand } from "./commands/backup";
import { cleanupCommand } from "./commands/cleanup";
import { tokensCommand } from "./commands/tokens";
import { usersCommand } from "./commands/users";

type Command = (services: Services, args: string[]) => Promise<number>;

const commands: Record<string, { run: Command; help: string }> = {
  migrate: {
    // also through a running server's endpoint (a server started before an update has not applied the new ones)
    run: async (services) => (await migrate(services.database), console.log("migrations applied"), 0),
    help: "apply migrations and exit",
  },
  "access-codes": {
    run: accessCodes,
    help: "create [--count N] [--expires 7d] | revoke CODE | list (codes are stored hashed: shown once)",
  },
  tokens: { run: tokensCommand, help: "sync: refresh the token catalogue from the market-data source and print what changed" },
  alerts: { run: alertsCommand, help: "evaluate: one alert evaluation pass; prints how many alerts were checked and triggered" },
  users: {
    run: usersCommand,
    help: "list | disable EMAIL | enable EMAIL | end-sessions EMAIL | promote EMAIL | demote EMAIL (admin role)",
  },
  cleanup: { run: cleanupCommand, help: "delete expired sessions, cache and phase rows; archive, then delete auth logs past 90 days" },
  backup: { run: backupCommand, help: "--out FILE: a consistent backup of the configured database (also while the server runs)" },
  restore: { run: restoreCommand, help: "FILE: load a backup into the configured, empty database; prints rows per table" },
};

const USAGE = `usage: pnpm cli <command>\n\n${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(16)} ${c.help}`)
  .join("\n")}`;

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  console.error(name && name !== "help" && name !== "--help" ? `unknown command: ${name}\n\n${USAGE}` : USAGE);
  process.exit(name === "help" || name === "--help" ? 0 : 2);
}

const services = await openServices([name!, ...args]).catch((err: unknown) => {
  if (!(err instanceof DataDirInUseError)) throw err;
  console.error(err.message);
  process.exit(1);
});
let code = 1;
try {
  code = await command.run(services, args);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
} finally {
  // what the command counted (upstream calls, job runs) reaches metric_counters, as the server's do
  await services.telemetry.flushOrWarn(services.db, services.logger);
  await services.events.close();
  await services.database.close();
}
process.exit(code);
