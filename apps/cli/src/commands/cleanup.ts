import { cleanup, type Services } from "@ucie/api";

export async function cleanupCommand(services: Services): Promise<number> {
  const counts = await cleanup(services);
  for (const [what, n] of Object.entries(counts)) console.log(`${what.padEnd(20)} ${n} deleted`);
  return 0;
}
