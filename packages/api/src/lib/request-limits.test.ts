import { describe, expect, it } from "vitest";
import { OneAtATime, StreamSlots, Turns } from "./request-limits";

describe("Turns", () => {
  it("gives one turn at a time and the next only after the event loop has gone round", async () => {
    const turns = new Turns();
    const seen: string[] = [];
    const first = turns.next().then(() => seen.push("first"));
    const second = turns.next().then(() => seen.push("second"));
    await first;
    // every microtask after the first turn (where its answer is serialised) runs before the second turn
    await Promise.resolve();
    expect(seen).toEqual(["first"]);
    await new Promise<void>((r) => setImmediate(r));
    await second;
    expect(seen).toEqual(["first", "second"]);
  });
});

describe("StreamSlots", () => {
  it("counts per session and per address, and a slot comes back once released (once)", () => {
    const slots = new StreamSlots({ perSession: 2, perIp: 3 });
    const a = slots.open("s1", "192.0.2.1")!;
    slots.open("s1", "192.0.2.1");
    expect(slots.open("s1", "192.0.2.1")).toBeNull();
    const c = slots.open("s2", "192.0.2.1")!;
    expect(slots.open("s3", "192.0.2.1")).toBeNull();
    a();
    a();
    c();
    expect(slots.open("s1", "192.0.2.1")).not.toBeNull();
    expect(slots.open("s4", "192.0.2.1")).not.toBeNull();
    expect(slots.open("s5", "192.0.2.1")).toBeNull();
  });
});

describe("one task at a time", () => {
  it("runs tasks in turn, serves what arrived meanwhile between two of them, and goes on after a failure", async () => {
    const gate = new OneAtATime();
    const log: string[] = [];
    let running = 0;
    const task =
      (name: string, fail = false) =>
      async () => {
        running++;
        expect(running).toBe(1);
        log.push(`${name} starts`);
        // something arrives while this task runs (an incoming request, as the loop sees it)
        setImmediate(() => log.push(`served during ${name}`));
        await Promise.resolve();
        running--;
        log.push(`${name} ends`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      };
    const results = await Promise.allSettled([gate.run(task("a")), gate.run(task("b", true)), gate.run(task("c"))]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : String(r.reason)))).toEqual(["a", "Error: b failed", "c"]);
    expect(log).toEqual(["a starts", "a ends", "served during a", "b starts", "b ends", "served during b", "c starts", "c ends"]);
  });
});
