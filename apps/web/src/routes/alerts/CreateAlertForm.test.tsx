import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { CHANNELS, WEBHOOK_ID } from "../../testing/fixtures";
import { ApiError, renderWithApi, type Handler } from "../../testing/render";
import { MAX_ALERTS_PER_USER } from "@ucie/api/limits";
import { CreateAlertForm } from "./CreateAlertForm";

const ETH = { id: "ethereum", symbol: "ETH", name: "Ethereum", logo: null, rank: 2, isActive: true, priceUsd: 2_000 };
const BTC = { ...ETH, id: "bitcoin", symbol: "BTC", name: "Bitcoin", rank: 1, priceUsd: 60_000 };
const handlers = (create: Handler): Record<string, Handler> => ({
  "notifications.channels": () => CHANNELS,
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
    // checked by the server's schema, loaded with this first check
    expect((await screen.findByRole("alert")).textContent).toBe("Please correct the highlighted fields.");
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

    // the error goes as soon as the value is valid, before the form is sent again
    await user.type(price, "2500");
    await waitFor(() => expect(price.getAttribute("aria-invalid")).toBeNull());
    expect(screen.queryByRole("alert")).toBeNull();
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

  it("keeps the server's field error beside its field until that field is edited", async () => {
    const user = userEvent.setup();
    const refuse = () =>
      new ApiError("BAD_REQUEST", "threshold: too far from the price", { threshold: ["Too far from the current price"] });
    renderWithApi(<CreateAlertForm count={0} />, { handlers: handlers(refuse), route: "/alerts?symbol=bitcoin" });
    await screen.findByText("Bitcoin");
    const price = screen.getByLabelText("Price (USD)");
    await user.type(price, "9000000");
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    expect(await screen.findByText("Too far from the current price")).toBeTruthy();
    expect(price.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toBe("Please correct the highlighted fields.");

    // the schema accepts 9,000,000: editing another field does not wipe what the server said about the price
    await user.click(screen.getByRole("radio", { name: /Every time/ }));
    await user.selectOptions(screen.getByRole("combobox", { name: "Cooldown between two notifications" }), "4 hours");
    expect(screen.getByText("Too far from the current price")).toBeTruthy();

    await user.clear(price);
    await user.type(price, "90000");
    await waitFor(() => expect(screen.queryByText("Too far from the current price")).toBeNull());
    expect(price.getAttribute("aria-invalid")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a refusal that names no field (a duplicate) above the button", async () => {
    const user = userEvent.setup();
    const conflict = () => new ApiError("CONFLICT", "You already have this alert (BTC price at or above $70,000).");
    renderWithApi(<CreateAlertForm count={0} />, { handlers: handlers(conflict), route: "/alerts?symbol=bitcoin" });
    await screen.findByText("Bitcoin");
    await user.type(screen.getByLabelText("Price (USD)"), "70000");
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    expect((await screen.findByRole("alert")).textContent).toBe("You already have this alert (BTC price at or above $70,000).");
  });

  it("a slow save never changes what the user typed meanwhile", async () => {
    const user = userEvent.setup();
    const answers: (() => void)[] = [];
    const slow = (input: unknown) => new Promise((resolve) => answers.push(() => resolve(created(input))));
    const { calls } = renderWithApi(<CreateAlertForm count={0} />, { handlers: handlers(slow), route: "/alerts?symbol=bitcoin" });
    await screen.findByText("Bitcoin");
    const price = screen.getByLabelText<HTMLInputElement>("Price (USD)");
    await user.type(price, "70000");
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    await screen.findByRole("button", { name: "Creating…" });

    // the next alert is typed while the first is still being saved
    await user.clear(price);
    await user.type(price, "80000");
    await waitFor(() => expect(answers).toHaveLength(1));
    answers[0]!();
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Alert created"));
    expect(price.value).toBe("80000");
    expect(screen.getByText("Bitcoin")).toBeTruthy();

    // saved with nothing typed since: the price is cleared for the next alert, the coin stays
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    await waitFor(() => expect(answers).toHaveLength(2));
    answers[1]!();
    await waitFor(() => expect(price.value).toBe(""));
    expect(screen.getByText("Bitcoin")).toBeTruthy();
    expect(calls.filter((c) => c.path === "alerts.create").map((c) => (c.input as { threshold: number }).threshold)).toEqual([
      70_000, 80_000,
    ]);
  });

  it("sends the alert to every channel unless the user unticks some", async () => {
    const user = userEvent.setup();
    const { calls } = renderWithApi(<CreateAlertForm count={0} />, { handlers: handlers(created), route: "/alerts?symbol=bitcoin" });
    await screen.findByText("Bitcoin");
    const box = (name: RegExp) => screen.getByRole<HTMLInputElement>("checkbox", { name });
    await screen.findByRole("checkbox", { name: /Team Discord/ });
    expect(box(/In the app/).checked && box(/In the app/).disabled).toBe(true);
    expect([box(/E-mail/), box(/Browser notifications/), box(/Team Discord/)].every((b) => b.checked)).toBe(true);

    const price = screen.getByLabelText("Price (USD)");
    await user.type(price, "70000");
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    await waitFor(() => expect(calls.filter((c) => c.path === "alerts.create")).toHaveLength(1));
    // all ticked: no list, so channels added later get it too
    const first = calls.find((c) => c.path === "alerts.create")?.input as Record<string, unknown>;
    expect(first.channels).toBeUndefined();
    expect(first.email).toBe(true);

    await user.click(box(/E-mail/));
    await user.click(box(/Browser notifications/));
    await user.type(price, "80000");
    await user.click(screen.getByRole("button", { name: "Create alert" }));
    await waitFor(() => expect(calls.filter((c) => c.path === "alerts.create")).toHaveLength(2));
    expect(calls.filter((c) => c.path === "alerts.create")[1]?.input).toMatchObject({
      threshold: 80_000,
      channels: [WEBHOOK_ID],
      email: false,
    });
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
