/**
 * Prints your alerts as they fire, live, until Ctrl-C. Needs a token with the `alerts` scope:
 *   UCIE_URL=http://localhost:3000 UCIE_TOKEN=ucie_pat_… node --import tsx examples/alerts-to-console.ts
 * A dropped connection (a server restart) comes back by itself and resumes after the last firing shown.
 */
import { createUcieClient } from "@ucie/client";

const token = process.env.UCIE_TOKEN;
if (!token) {
  console.error("Set UCIE_TOKEN to a personal access token (account page, Access tokens) with the alerts scope.");
  process.exit(2);
}
const ucie = createUcieClient({ url: process.env.UCIE_URL ?? "http://localhost:3000", token });

const subscription = ucie.alerts.onTriggered.subscribe(undefined, {
  onStarted: () => console.log("Listening for your alerts (Ctrl-C to stop)"),
  onData: ({ data: t }) => console.log(`${t.triggeredAt.toISOString()}  ${t.symbol}  ${t.type}  ${t.value ?? ""}  ${t.description}`),
  onError: (err) => {
    console.error(`Stopped: ${err.message}`);
    process.exitCode = 1;
    subscription.unsubscribe();
  },
});
process.on("SIGINT", () => subscription.unsubscribe());
