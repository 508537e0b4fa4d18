import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { routes } from "../App";
import { renderAppWithApi } from "../testing/render";
import type { ExchangeRates, Preferences, Token, TokenPage } from "./api-types";
import { setDisplaySettings } from "./format";

const bitcoin: Token = {
  id: "bitcoin",
  symbol: "BTC",
  name: "Bitcoin",
  logo: null,
  rank: 1,
  priceUsd: 32_500,
  price: 32_500,
  currency: "usd",
  change1hPct: null,
  change24hPct: -3.2,
  change7dPct: null,
  change30dPct: null,
  marketCapUsd: 609_000_000_000,
  volume24hUsd: 30_000_000_000,
  high24hUsd: null,
  low24hUsd: null,
  athUsd: null,
  athChangePct: null,
  athDate: null,
  circulatingSupply: null,
  totalSupply: null,
  maxSupply: null,
  fullyDilutedValuationUsd: null,
  sparkline7d: null,
  sparklineSource: null,
  isActive: true,
  ranked: true,
  source: "live",
  asOf: new Date(),
};
const page: TokenPage = { items: [bitcoin], nextCursor: null, source: "live", asOf: new Date(), total: 1 };
const rates: ExchangeRates = { usdPerUnit: { eur: 1.25 }, source: "live", asOf: new Date() };
const me = { id: "u1", email: "eur@example.com", emailVerified: true, createdAt: new Date(), role: "user" as const };

afterEach(() => {
  cleanup();
  setDisplaySettings(null);
});

describe("preferences arriving", () => {
  it("show the page's prices in euros without wiping a search typed while they loaded", async () => {
    const user = userEvent.setup();
    // the user's preferences are held back until the search box has text in it
    let release!: (p: Preferences) => void;
    const preferences = new Promise<Preferences>((resolve) => (release = resolve));
    const { calls } = renderAppWithApi(routes, {
      handlers: {
        "auth.me": () => me,
        "tokens.list": () => page,
        "tokens.search": () => [],
        "alerts.triggers": () => [],
        "preferences.get": () => preferences,
        "preferences.rates": () => rates,
      },
    });
    await waitFor(() => expect(screen.getAllByText("$32,500").length).toBeGreaterThan(0));
    const box = screen.getByRole("combobox", { name: "Search tokens" });
    await user.type(box, "bitc");
    expect(calls.some((c) => c.path === "preferences.get")).toBe(true);

    release({ currency: "eur", timeZone: "Asia/Tokyo", theme: "dark" });
    // $32,500 at 1.25 dollars a euro
    await waitFor(() => expect(screen.getAllByText("€26,000").length).toBeGreaterThan(0));
    expect(screen.queryAllByText("$32,500")).toHaveLength(0);
    // the same box, still holding what was typed
    expect(screen.getByRole("combobox", { name: "Search tokens" })).toBe(box);
    expect((box as HTMLInputElement).value).toBe("bitc");
  });
});
