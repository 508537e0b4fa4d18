/**
 * Per-instance limits on what a stranger can ask for: anonymous API calls per IP, and open streams per
 * session and per IP. Both live in this process's memory: anonymous calls are cheap to count and a
 * client spread over N instances gets at most N times the budget, which bounds the cost just as well;
 * an open stream is held by one instance, so that instance is where it is counted. Limits that must
 * hold across instances (logins, mail, analysis refreshes) are counted in the database (auth/throttle.ts).
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { ipBucket } from "../auth/throttle";

/**
 * Anonymous calls per address, in points (a long history costs more than a search): `perMinute` counted
 * in 10-second windows of a sixth each, so a burst at the start of a window is a sixth of the minute's.
 */
export class AnonymousCallLimiter {
  private readonly limiter: RateLimiterMemory;
  /** the points one address may spend in 10 s; a request costing more can never pass */
  readonly perWindow: number;
  constructor(perMinute: number) {
    this.perWindow = Math.max(1, Math.round(perMinute / 6));
    this.limiter = new RateLimiterMemory({ points: this.perWindow, duration: 10 });
  }

  /** Seconds until an address that has spent its whole budget may call again; null when it has some left. */
  async blockedFor(ip: string | null): Promise<number | null> {
    const res = await this.limiter.get(ipBucket(ip ?? "unknown"));
    if (!res || res.consumedPoints < this.perWindow) return null;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }

  /** Take `points` from an address's budget: null when the calls may run, else the seconds to wait. */
  async take(ip: string | null, points: number): Promise<number | null> {
    try {
      await this.limiter.consume(ipBucket(ip ?? "unknown"), points);
      return null;
    } catch (res) {
      if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw res;
    }
  }
}

export class StreamSlots {
  private readonly perSession = new Map<string, number>();
  private readonly perIp = new Map<string, number>();
  constructor(private readonly limits: { perSession: number; perIp: number }) {}

  /** Take a slot for a new stream: its release function, or null when the session or the address has none left. */
  open(sessionId: string | null, ip: string | null): (() => void) | null {
    const ipKey = ipBucket(ip ?? "unknown");
    if ((this.perIp.get(ipKey) ?? 0) >= this.limits.perIp) return null;
    if (sessionId && (this.perSession.get(sessionId) ?? 0) >= this.limits.perSession) return null;
    bump(this.perIp, ipKey, 1);
    if (sessionId) bump(this.perSession, sessionId, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this.perIp, ipKey, -1);
      if (sessionId) bump(this.perSession, sessionId, -1);
    };
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

/**
 * Big answers one at a time, with the event loop's I/O in between: a 10-year history takes ~15 ms to
 * turn into JSON, all of it synchronous, so twenty arriving together would hold every other request for
 * 300 ms. Each caller waits for its turn right before it returns its data (the serialising follows at
 * once), and the next turn is given from `setImmediate`, after the loop has served what came in meanwhile.
 */
export class Turns {
  private readonly waiting: Array<() => void> = [];
  private busy = false;

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.busy) this.give();
    });
  }

  private give(): void {
    const resolve = this.waiting.shift();
    this.busy = !!resolve;
    if (!resolve) return;
    resolve();
    setImmediate(() => this.give());
  }
}

/**
 * Tasks one at a time, each started from `setImmediate`, so the event loop serves what came in between two
 * of them. For work that blocks the loop while it runs, such as queries on embedded PGlite (WebAssembly in
 * this process): thirty expired searches refreshed back to back would otherwise hold every other request
 * for their whole sum, not for one of them.
 */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(task);
    this.tail = result.catch(() => {});
    return result;
  }
}
