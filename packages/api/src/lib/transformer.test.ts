import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { isPlainJson, transformer } from "./transformer";

describe("the answer transformer", () => {
  const samples: unknown[] = [
    null,
    0,
    "text",
    [1, "a", true, null, { b: [{ c: 2 }] }],
    { t: 1, open: 2.5, high: 3, low: 1, close: 2, volume: 1e9 },
    Array.from({ length: 50 }, (_, i) => ({ t: i, close: i / 3 })),
    // not plain JSON: each must take superjson's path
    new Date(0),
    { at: new Date(0) },
    { missing: undefined },
    [Number.NaN, Infinity, -0],
    new Map([["a", 1]]),
    10n,
  ];

  it("gives exactly what superjson gives, and superjson on the client reads it back", () => {
    for (const v of samples) {
      const out = transformer.serialize(v);
      expect(out).toEqual(superjson.serialize(v));
      expect(superjson.deserialize(out as Parameters<typeof superjson.deserialize>[0])).toEqual(v);
    }
  });

  it("takes the shortcut only for plain JSON", () => {
    expect(isPlainJson({ a: [1, { b: "c" }] })).toBe(true);
    for (const v of [new Date(0), { a: undefined }, [Number.NaN], -0, new Map(), { d: new Date(0) }, 1n])
      expect(isPlainJson(v)).toBe(false);
  });
});
