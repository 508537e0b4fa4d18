import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "./backoff";

/** a small seeded generator (mulberry32): the same "random" crowd on every run */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("reconnectDelayMs", () => {
  it("backs off exponentially up to 30 s", () => {
    const max = (a: number) => reconnectDelayMs(a, () => 1);
    expect([1, 2, 3, 4].map(max)).toEqual([500, 1000, 2000, 4000]);
    expect(max(50)).toBe(30_000);
    expect(reconnectDelayMs(4, () => 0)).toBe(2000);
  });

  it("spreads a crowd of clients over the window instead of one instant", () => {
    const random = seeded(42);
    const delays = Array.from({ length: 1000 }, () => reconnectDelayMs(4, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
    // the 1,000 reconnects land in nearly every 20 ms slot of the 2 s window, not in a few
    const slots = new Set(delays.map((d) => Math.floor((d - 2000) / 20)));
    expect(slots.size).toBeGreaterThanOrEqual(95);
  });
});
