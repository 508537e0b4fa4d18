/**
 * The shared upstream call budget on a fake clock: rate-limiter-flexible reads `Date.now()` and waits with
 * `setTimeout`, so Vitest's fake timers drive its windows exactly, with no wall time in the test.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CallBudget } from "./http";

describe("CallBudget on a fake clock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"], now: new Date("2026-03-01T10:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Start `n` callers at once; `done` lists them in the order they got a call. */
  function callers(budget: CallBudget, n: number) {
    const done: number[] = [];
    const all = Promise.all(Array.from({ length: n }, (_, i) => budget.take("coingecko").then(() => void done.push(i))));
    return { done, all };
  }

  it("keeps every caller within one budget per window, first come first served", async () => {
    const budget = new CallBudget(2, 1_000);
    const { done, all } = callers(budget, 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual([0, 1, 2, 3]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toEqual([0, 1, 2, 3, 4]);
    await all;
  });

  it("holds every caller while the upstream says the budget is spent", async () => {
    const budget = new CallBudget(100, 1_000);
    await budget.pause(3_000);
    const { done, all } = callers(budget, 2);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(done).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual([0, 1]);
    await all;
  });

  it("fails a caller as rate_limited when it would wait longer than allowed", async () => {
    const budget = new CallBudget(1, 60_000, 5_000);
    await budget.take("coingecko");
    const late = budget.take("coingecko");
    const outcome = late.then(
      () => "got a call",
      (e: unknown) => (e as { kind?: string }).kind,
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await outcome).toBe("rate_limited");
  });
});
