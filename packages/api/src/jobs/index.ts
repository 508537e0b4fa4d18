import type { Services } from "../services";
import { cleanup } from "./cleanup";
import type { JobDefinition } from "./scheduler";

export { cleanup, AUTH_LOG_RETENTION_DAYS, type CleanupCounts } from "./cleanup";
export { startScheduler, runJobTick, claimTick, tickKeyFor, type JobDefinition, type Scheduler, type JobOutcome } from "./scheduler";

/** Every periodic job of a UCIE server, with its interval from the config. */
export function defaultJobs(services: Services): JobDefinition[] {
  return [{ name: "cleanup", intervalMs: 60 * 60_000, run: (s) => cleanup(s) }];
}
