/**
 * The operator CLI: the same packages and environment as the server (`pnpm cli <command>`).
 */
import type { Services } from "@ucie/api";
import { openServices } from "./context";
import { accessCodes } from "./commands/access-codes";
import { alertsCommand } from "./commands/alerts";
import { backupCommand, restoreCommand } from "./commands/backup";
import { cleanupCommand } from "./commands/cleanup";
import { tokensCommand } from "./commands/tokens";

type Command = (services: Services, args: string[]) => Promise<number>;

const commands: Record<string, { run: Command; help: string }> = {
  migrate: { run: async () => (console.log("migrations applied"), 0), help: "apply migrations and exit" },
  "access-codes": { run: accessCodes, help: "create [--count N] | list" },
  tokens: { run: tokensCommand, help: "sync: refresh the token catalogue from the market-data source and print what changed" },
  alerts: { run: alertsCommand, help: "evaluate: one alert evaluation pass; prints how many alerts were checked and triggered" },
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

const services = await openServices();
let code = 1;
try {
  code = await command.run(services, args);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
} finally {
  await services.events.close();
  await services.database.close();
}
process.exit(code);
