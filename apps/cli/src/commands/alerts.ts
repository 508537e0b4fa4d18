import { evaluateAlerts, type Services } from "@ucie/api";

/**
 * `alerts evaluate`: one evaluation pass now over every enabled alert, the same evaluation the scheduler runs every
 * ALERT_INTERVAL_SECONDS, under its own tick so it is a real pass even right after the scheduler's.
 */
export async function alertsCommand(services: Services, args: string[]): Promise<number> {
  const [sub] = args;
  if (sub === "evaluate") {
    const r = await evaluateAlerts(services, { manual: true });
    console.log(`checked ${r.checked} alerts, triggered ${r.triggered}`);
    if (r.expired) console.log(`expired ${r.expired}`);
    if (r.checked === 0) console.log("(no alert is enabled)");
    return 0;
  }
  console.error("usage: alerts evaluate");
  return 2;
}
