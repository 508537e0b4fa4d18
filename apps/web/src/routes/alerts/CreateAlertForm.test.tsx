import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, renderWithApi, type Handler } from "../../testing/render";
import { MAX_ALERTS_PER_USER } from "@ucie/api/limits";
import { CreateAlertForm } from "./CreateAlertForm";

const ETH = { id: "ethereum", symbol: "ETH", name: "Ethereum", logo: null, rank: 2, isActive: true, priceUsd: 2_000 };
const BTC = { ...ETH, id: "bitcoin", symbol: "BTC", name: "Bitcoin", rank: 1, priceUsd: 60_000 };
const handlers = (create: Handler): Record<string, Handler> => ({
  "tokens.search": () => [{ ...ETH, match: "name-prefix", tickerOwnedByHigherRank: false }],
  "tokens.get": (input) => ((input as { symbol: string }).symbol === "bitcoin" ? BTC : new ApiError("NOT_FOUND", "no such coin")),
  "alerts.create": create,
});
const created = (input: unknown) => ({ ...(input as object), id: "a1", description: "ETH above $2,500", warnings: [] });

afterEach(cleanup);

describe("create-alert form", () => {
  it("names each missing field, and clears the errors once the input is right", async () => {
    const user = userEvent.setup();
    const { calls } = renderWithApi(<CreateAlertForm count={0} />, { handlers: handlers(created) });
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    expect(screen.getByRole("alert").textContent).toBe("Please correct the highlighted fields.");
    expect(screen.getByText("Choose a coin")).toBeTruthy();

    await user.type(screen.getByRole("combobox", { name: "Coin for the alert" }), "eth");
    await screen.findByRole("option", { name: /Ethereum/ });
    await user.keyboard("{Enter}");
    expect(screen.getByText("Ethereum")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    // the price is what is missing now (checked with the server's schema); the coin's error is gone
    const price = screen.getByLabelText("Price (USD)");
    await waitFor(() => expect(price.getAttribute("aria-invalid")).toBe("true"));
    expect(screen.queryByText("Choose a coin")).toBeNull();
    expect(calls.filter((c) => c.path === "alerts.create")).toHaveLength(0);

    await user.type(price, "2500");
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Alert created: ETH above $2,500."));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByLabelText("Price (USD)").getAttribute("aria-invalid")).toBeNull();
    expect(calls.find((c) => c.path === "alerts.create")?.input).toMatchObject({
      symbol: "ethereum",
      type: "price_above",
      threshold: 2_500,
    });
  });

  it("shows the server's field error beside its field", async () => {
    const user = userEvent.setup();
    const refuse = () =>
      new ApiError("BAD_REQUEST", "threshold: too far from the price", { threshold: ["Too far from the current price"] });
    renderWithApi(<CreateAlertForm count={0} />, { handlers: handlers(refuse), route: "/alerts?symbol=bitcoin" });
    await screen.findByText("Bitcoin");
    await user.type(screen.getByLabelText("Price (USD)"), "9000000");
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    expect(await screen.findByText("Too far from the current price")).toBeTruthy();
    expect(screen.getByLabelText("Price (USD)").getAttribute("aria-invalid")).toBe("true");
  });

  it("starts from the ?symbol= coin, and Change lets the user pick another", async () => {
    const user = userEvent.setup();
    renderWithApi(<CreateAlertForm count={0} />, { handlers: handlers(created), route: "/alerts?symbol=bitcoin" });
    await screen.findByText("Bitcoin");
    await user.click(screen.getByRole("button", { name: "Change" }));
    expect(screen.queryByText("Bitcoin")).toBeNull();
    expect(screen.getByRole("combobox", { name: "Coin for the alert" })).toBeTruthy();
  });

  it("refuses a new alert at the cap", () => {
    renderWithApi(<CreateAlertForm count={MAX_ALERTS_PER_USER} />, { handlers: handlers(created) });
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Create alert" }).disabled).toBe(true);
  });
});
