import { evaluateAlerts, type Services } from "@ucie/api";

/** `alerts evaluate`: one evaluation pass, the same one the scheduler runs every ALERT_INTERVAL_SECONDS. */
export async function alertsCommand(services: Services, args: string[]): Promise<number> {
  const [sub] = args;
  if (sub === "evaluate") {
    const r = await evaluateAlerts(services);
    console.log(`checked ${r.checked} alerts, triggered ${r.triggered}`);
    if (r.expired) console.log(`expired ${r.expired}`);
    if (r.checked === 0) console.log(`(tick ${r.tickKey} was already evaluated, or no alert is enabled)`);
    return 0;
  }
  console.error("usage: alerts evaluate");
  return 2;
}
