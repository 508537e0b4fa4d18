import { describe, expect, it } from "vitest";
import { UpstreamError } from "./errors";
import { createOfflineMarket, loadBitcoinCsv } from "./offline";
import { SNAPSHOT_DATE } from "./snapshot";

const market = createOfflineMarket();
const DAY = 86_400_000;

describe("offline market", () => {
  it("serves the bundled snapshot as the catalogue, labelled with its date", async () => {
    const top = await market.topCoins(250);
    expect(top.source).toBe("snapshot");
    expect(top.asOf).toEqual(SNAPSHOT_DATE);
    expect(top.data).toHaveLength(100);
    expect(top.data[0]).toMatchObject({ id: "bitcoin", current_price: 32797 });
    expect((await market.topCoins(10)).data).toHaveLength(10);
  });

  it("gives Bitcoin its real CSV history up to the snapshot day, oldest first", async () => {
    const h = await market.history("bitcoin", 30);
    expect(h.source).toBe("snapshot");
    expect(h.data).toHaveLength(30);
    const csv = loadBitcoinCsv();
    const last = h.data.at(-1)!;
    expect(new Date(last.t).toISOString()).toBe("2021-06-24T00:00:00.000Z");
    expect(csv.find((c) => c.t === last.t)).toEqual(last);
    for (let i = 1; i < h.data.length; i++) expect(h.data[i]!.t - h.data[i - 1]!.t).toBe(DAY);
  });

  it("simulates other coins deterministically, anchored to the snapshot price, and says so", async () => {
    const a = await market.history("ethereum", 90);
    const b = await market.history("ethereum", 365);
    expect(a.source).toBe("simulated");
    expect(a.data).toHaveLength(90);
    expect(a.data.at(-1)!.close).toBe(1913.88);
    // a longer window ends with the same candles: the series is a function of the coin id, not the call
    expect(b.data.slice(-90)).toEqual(a.data);
    for (const c of b.data) {
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(c.low).toBeGreaterThan(0);
      expect(c.volume).toBeGreaterThan(0);
    }
    const other = await market.history("cardano", 90);
    expect(other.data.map((c) => c.close / other.data.at(-1)!.close)).not.toEqual(a.data.map((c) => c.close / a.data.at(-1)!.close));
  });

  it("refuses history for a coin the snapshot does not hold", async () => {
    await expect(market.history("not-a-coin", 10)).rejects.toBeInstanceOf(UpstreamError);
  });

  it("prices known ids in one call and omits unknown ones", async () => {
    const p = await market.prices(["bitcoin", "tether", "nope"]);
    expect(Object.keys(p.data).sort()).toEqual(["bitcoin", "tether"]);
    expect(p.data.bitcoin!.usd).toBe(32797);
  });

  it("labels the sources it cannot have or only simulates", async () => {
    const coin = { id: "bitcoin", symbol: "btc", name: "Bitcoin" };
    const fg = await market.fearGreed(7);
    expect(fg.source).toBe("simulated");
    expect(fg.data).toHaveLength(7);
    expect(fg.data[0]!.timestamp.getTime()).toBeGreaterThan(fg.data[1]!.timestamp.getTime());
    const news = await market.news(coin, 10);
    expect(news).toMatchObject({ data: [], unavailable: true });
    expect((await market.defiTvl(coin)).data).toBeNull();
    expect((await market.derivatives(coin)).source).toBe("simulated");
    expect((await market.bitcoinOnchain()).source).toBe("simulated");
  });
});
