import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { fastAnnotations, isPlainJson, transformer } from "./transformer";

/** what a client receives: the envelope as tRPC writes it */
const wire = (envelope: unknown): unknown => JSON.parse(JSON.stringify(envelope));

class Candle {
  constructor(readonly t: number) {}
}
class When extends Date {}

describe("the answer transformer", () => {
  const invalidDate = { at: new Date(Number.NaN) };
  const samples: unknown[] = [
    null,
    0,
    "text",
    [1, "a", true, null, { b: [{ c: 2 }] }],
    { t: 1, open: 2.5, high: 3, low: 1, close: 2, volume: 1e9 },
    Array.from({ length: 50 }, (_, i) => ({ t: i, close: i / 3 })),
    // Dates: superjson's annotations, written by the shortcut
    new Date(0),
    { at: new Date(0) },
    { rows: Array.from({ length: 3 }, (_, i) => ({ id: `c${i}`, asOf: new Date(i * 1000) })), asOf: new Date(5000), nextCursor: null },
    [new Date(1), [new Date(2)]],
    { "a.b": { "c\\d": new Date(3) }, "": new Date(4) },
    // not plain JSON: each must take superjson's path
    { missing: undefined },
    [Number.NaN, Infinity, -0],
    new Map([["a", 1]]),
    10n,
    invalidDate,
    { at: new When(0) },
    [new Candle(1)],
  ];

  it("puts on the wire exactly what superjson puts there, and superjson on the client reads it back", () => {
    for (const v of samples) {
      const out = transformer.serialize(v);
      expect(wire(out)).toEqual(wire(superjson.serialize(v)));
      const read = (envelope: unknown) => superjson.deserialize(wire(envelope) as Parameters<typeof superjson.deserialize>[0]);
      expect(read(out)).toEqual(read(superjson.serialize(v)));
      // superjson itself cannot bring an invalid Date back
      if (v !== invalidDate) expect(read(out)).toEqual(v);
    }
  });

  it("answers plain JSON as it is and annotates Dates without copying the answer", () => {
    const page = { rows: [{ id: "bitcoin", price: 1 }], asOf: new Date(0) };
    const out = transformer.serialize(page);
    expect(out).toEqual({ json: page, meta: { values: { asOf: ["Date"] }, v: 1 } });
    expect(out.json).toBe(page);
    const plain = { rows: [{ id: "bitcoin" }] };
    expect(transformer.serialize(plain)).toEqual({ json: plain });
  });

  it("takes the shortcut only for plain JSON and valid Dates", () => {
    expect(isPlainJson({ a: [1, { b: "c" }] })).toBe(true);
    expect(fastAnnotations({ rows: [{ d: new Date(0) }] })).toEqual({ "rows.0.d": ["Date"] });
    for (const v of [new Date(0), { a: undefined }, [Number.NaN], -0, new Map(), { d: new Date(0) }, 1n])
      expect(isPlainJson(v)).toBe(false);
    for (const v of [{ a: undefined }, [Number.NaN], -0, new Map(), 1n, new Date(Number.NaN), new When(0), new Candle(0)])
      expect(fastAnnotations(v)).toBeNull();
  });
});
