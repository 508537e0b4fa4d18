import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "./backoff";

describe("reconnectDelayMs", () => {
  it("backs off exponentially up to 30 s", () => {
    const max = (a: number) => reconnectDelayMs(a, () => 1);
    expect([1, 2, 3, 4].map(max)).toEqual([500, 1000, 2000, 4000]);
    expect(max(50)).toBe(30_000);
  });

  it("spreads a crowd of clients over half the window instead of one instant", () => {
    const delays = Array.from({ length: 1000 }, () => reconnectDelayMs(4));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
    // at most 2 % of 1,000 clients land in any 20 ms slot of the 2 s window
    const buckets = new Map<number, number>();
    for (const d of delays) buckets.set(Math.floor(d / 20), (buckets.get(Math.floor(d / 20)) ?? 0) + 1);
    expect(Math.max(...buckets.values())).toBeLessThan(20);
  });
});
