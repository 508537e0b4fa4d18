import { eq } from "drizzle-orm";
import { ucieTokens, ucieWatchlist } from "@ucie/db";
import { testDbKinds } from "@ucie/db/testing";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../lib/clock";
import type { Services } from "../services";
import { loginCaller, withSeededServices } from "../testing/services";

describe.each(testDbKinds())("watchlist (%s)", (kind) => {
  let services: Services;
  const clock = new FakeClock(new Date("2026-03-01T10:00:00Z"));
  withSeededServices(kind, clock, (s) => (services = s));

  it("adds by ticker or id, lists with live price and 24 h change, refuses duplicates and unknown coins", async () => {
    const { caller } = await loginCaller(services);
    const item = await caller.watchlist.add({ symbol: "btc", notes: "long term" });
    expect(item).toMatchObject({ id: "bitcoin", symbol: "BTC", priceUsd: 30_000, change24h: 2.5, notes: "long term", delisted: false });
    // the price says where it came from, so an offline snapshot price is never mistaken for today's
    expect(item.priceSource).toBe("snapshot"); // seeded as the offline snapshot
    await services.db.update(ucieTokens).set({ source: "live" }).where(eq(ucieTokens.coingeckoId, "bitcoin"));
    expect((await caller.watchlist.list())[0]!.priceSource).toBe("live");
    await services.db.update(ucieTokens).set({ source: "snapshot" }).where(eq(ucieTokens.coingeckoId, "bitcoin"));
    // a shared ticker resolves to the best-ranked active coin
    expect(await caller.watchlist.add({ symbol: "UNI" })).toMatchObject({ id: "uniswap" });
    // the id always wins over a ticker
    expect(await caller.watchlist.add({ symbol: "unicorn-token" })).toMatchObject({ id: "unicorn-token", symbol: "UNI" });

    await expect(caller.watchlist.add({ symbol: "bitcoin" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(caller.watchlist.add({ symbol: "NOPE" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.watchlist.add({ symbol: "" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("symbol"),
    });
    await expect(caller.watchlist.add({ symbol: "eth", notes: "x".repeat(2001) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("notes"),
    });

    const list = await caller.watchlist.list();
    expect(list.map((i) => i.id).sort()).toEqual(["bitcoin", "unicorn-token", "uniswap"]);
    expect(list.find((i) => i.id === "bitcoin")!.addedAt).toEqual(clock.now());
  });

  it("shows a delisted coin with its last price, never as $0", async () => {
    const { caller } = await loginCaller(services);
    const item = await caller.watchlist.add({ symbol: "gone-coin" });
    expect(item).toMatchObject({ delisted: true, priceUsd: 1.5 });
    expect(item.priceAt).toBeInstanceOf(Date);
  });

  it("edits notes, marks viewed and removes", async () => {
    const { caller } = await loginCaller(services);
    await caller.watchlist.add({ symbol: "ethereum" });
    expect(await caller.watchlist.update({ symbol: "ETH", notes: "  staking  " })).toMatchObject({ notes: "staking" });
    expect(await caller.watchlist.update({ symbol: "ethereum", notes: "" })).toMatchObject({ notes: null });

    clock.advance(60_000);
    expect(await caller.watchlist.markViewed({ symbol: "ethereum" })).toEqual({ onWatchlist: true });
    expect((await caller.watchlist.list())[0]!.lastViewedAt).toEqual(clock.now());
    // opening a token page that is not on the list is no error
    expect(await caller.watchlist.markViewed({ symbol: "bitcoin" })).toEqual({ onWatchlist: false });

    expect(await caller.watchlist.remove({ symbol: "ethereum" })).toEqual({ ok: true });
    expect(await caller.watchlist.list()).toEqual([]);
    await expect(caller.watchlist.remove({ symbol: "ethereum" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("IDOR: user B cannot read, change or delete user A's items", async () => {
    const a = await loginCaller(services);
    const b = await loginCaller(services);
    await a.caller.watchlist.add({ symbol: "bitcoin", notes: "mine" });
    const before = await services.db.select().from(ucieWatchlist).where(eq(ucieWatchlist.userId, a.userId));

    expect(await b.caller.watchlist.list()).toEqual([]);
    await expect(b.caller.watchlist.update({ symbol: "bitcoin", notes: "hacked" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.caller.watchlist.remove({ symbol: "bitcoin" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await b.caller.watchlist.markViewed({ symbol: "bitcoin" })).toEqual({ onWatchlist: false });

    const after = await services.db.select().from(ucieWatchlist).where(eq(ucieWatchlist.userId, a.userId));
    expect(after).toEqual(before);
    // and B adding the same coin is B's own row, not a conflict with A's
    expect(await b.caller.watchlist.add({ symbol: "bitcoin" })).toMatchObject({ notes: null });
  });

  it("refuses callers without a session", async () => {
    const { createCaller } = await import("../root");
    const { createContextInner } = await import("../context");
    const anon = createCaller(await createContextInner({ services }));
    await expect(anon.watchlist.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anon.watchlist.markViewed({ symbol: "bitcoin" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
