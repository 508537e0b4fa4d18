import type { Config } from "@ucie/config";
import type { Resolve } from "./http";

export interface DeliveryOptions {
  /** WEBHOOK_ALLOW_PRIVATE: loopback and private addresses may be reached (never link-local) */
  allowPrivate: boolean;
  /** per request */
  timeoutMs: number;
  /** how long a claimed delivery is held by its worker: past it, another worker sends it again */
  leaseMs: number;
  /** first retry after about this long, doubling each time (with jitter) */
  backoffBaseMs: number;
  /** never longer between tries */
  backoffCapMs: number;
  /** give up (status failed) once a delivery is this old */
  giveUpAfterMs: number;
  /** how often an idle worker looks for due retries (new deliveries wake it at once) */
  pollMs: number;
  /** deliveries claimed and sent at once by one worker */
  batchSize: number;
  /** extra trusted CA certificates (tests playing an https push service) */
  ca?: string;
  /** name resolution (tests play DNS) */
  resolve?: Resolve;
}

export function deliveryOptions(config: Config, overrides: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return {
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
    // past the request's own time limit and the write of its outcome: only a dead worker's claim runs out
    leaseMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000 + 5000,
    backoffBaseMs: 1000,
    backoffCapMs: 3_600_000,
    giveUpAfterMs: 24 * 3_600_000,
    pollMs: 1000,
    batchSize: 50,
    ...overrides,
  };
}

/** The wait before try number `attempts + 1`: 1 s, 2 s, 4 s, ... capped, each ±20 % so retries do not stampede. */
export function backoffMs(opts: DeliveryOptions, attempts: number, random = Math.random): number {
  const base = Math.min(opts.backoffCapMs, opts.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
