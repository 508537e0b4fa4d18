import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup } from "@testing-library/react";
import { renderWithApi } from "../testing/render";
import { TokenSearch, type TokenSearchHit } from "./TokenSearch";

const hit = (id: string, symbol: string, name: string, rank: number): TokenSearchHit => ({
  id,
  symbol,
  name,
  logo: null,
  rank,
  isActive: true,
  priceUsd: 1,
  price: 1,
  currency: "usd",
  match: "name-prefix",
  tickerOwnedByHigherRank: false,
});
const COINS = [
  hit("ethereum", "ETH", "Ethereum", 2),
  hit("ethena", "ENA", "Ethena", 40),
  hit("ethereum-classic", "ETC", "Ethereum Classic", 30),
];
const search = (input: unknown) => {
  const q = (input as { query: string }).query.toLowerCase();
  return COINS.filter((c) => c.name.toLowerCase().startsWith(q) || c.symbol.toLowerCase().startsWith(q));
};

afterEach(cleanup);

describe("token search combobox", () => {
  it("lists matches as the user types, moves with the arrow keys and picks with Enter", async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    renderWithApi(<TokenSearch onSelect={onSelect} />, { handlers: { "tokens.search": search } });
    const box = screen.getByRole("combobox", { name: "Search tokens" });
    await user.type(box, "eth");
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      expect.stringContaining("Ethereum"),
      expect.stringContaining("Ethena"),
      expect.stringContaining("Ethereum Classic"),
    ]);
    expect(box.getAttribute("aria-expanded")).toBe("true");
    // the first match is active at once; the arrows move through the list and wrap
    expect(options[0]!.getAttribute("aria-selected")).toBe("true");
    await user.keyboard("{ArrowDown}");
    expect(screen.getAllByRole("option")[1]!.getAttribute("aria-selected")).toBe("true");
    expect(box.getAttribute("aria-activedescendant")).toBe(screen.getAllByRole("option")[1]!.id);
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(screen.getAllByRole("option")[2]!.getAttribute("aria-selected")).toBe("true");
    await user.keyboard("{Enter}");
    expect(onSelect).toHaveBeenCalledWith(expect.objectContaining({ id: "ethereum-classic" }));
    expect(screen.queryAllByRole("option")).toHaveLength(0);
  });

  it("Escape closes the list, then clears the text", async () => {
    const user = userEvent.setup();
    renderWithApi(<TokenSearch onSelect={() => {}} />, { handlers: { "tokens.search": search } });
    const box = screen.getByRole("combobox");
    await user.type(box, "ena");
    expect(await screen.findAllByRole("option")).toHaveLength(1);
    await user.keyboard("{Escape}");
    expect(screen.queryAllByRole("option")).toHaveLength(0);
    expect((box as HTMLInputElement).value).toBe("ena");
    await user.keyboard("{Escape}");
    expect((box as HTMLInputElement).value).toBe("");
  });

  it("says so when nothing matches, and when the search fails", async () => {
    const user = userEvent.setup();
    renderWithApi(<TokenSearch onSelect={() => {}} />, { handlers: { "tokens.search": search } });
    await user.type(screen.getByRole("combobox"), "zzz");
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("No coins match."));
    cleanup();
    renderWithApi(<TokenSearch onSelect={() => {}} />, { handlers: {} });
    await user.type(screen.getByRole("combobox"), "eth");
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Search failed. Try again."));
  });
});
