import { describe, expect, it } from "vitest";
import { StreamSlots, Turns } from "./request-limits";

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
