import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { CHANNELS } from "../../testing/fixtures";
import { renderWithApi } from "../../testing/render";
import { AlertsPage } from "./AlertsPage";

const ALERT: Record<string, unknown> & { channels: string[] | null; email: boolean } = {
  id: "6c0a4c1e-1d2b-4f5e-8a9b-0c1d2e3f4a5b",
  coinId: "bitcoin",
  symbol: "BTC",
  name: "Bitcoin",
  logo: null,
  type: "price_above",
  threshold: 70_000,
  condition: {},
  description: "BTC price at or above $70,000",
  unit: "usd",
  enabled: true,
  repeat: "once",
  cooldownSeconds: 3600,
  snoozedUntil: null,
  expiresAt: null,
  email: true,
  channels: null,
  createdAt: new Date(),
  triggered: false,
  triggeredAt: null,
  triggerCount: 0,
  lastCheckedAt: null,
  lastValue: null,
  armed: true,
  state: "armed",
  cooldownUntil: null,
  priceUsd: 60_000,
  price: 60_000,
  currency: "usd",
};

afterEach(cleanup);

describe("alerts page", () => {
  it("changes where an existing alert goes", async () => {
    const user = userEvent.setup();
    let alert = ALERT;
    const { calls } = renderWithApi(<AlertsPage />, {
      handlers: {
        "notifications.channels": () => CHANNELS,
        "alerts.list": () => [alert],
        "alerts.update": (input) => {
          const { channels, email } = input as { channels: string[] | null; email: boolean };
          alert = { ...alert, channels, email };
          return { ...alert, warnings: [] };
        },
      },
    });
    const row = (await screen.findByText("BTC price at or above $70,000")).closest("tr")!;
    expect(row.textContent).toContain("to every channel");

    await user.click(within(row).getByRole("button", { name: /Change where it goes/ }));
    const editor = within(row).getByRole("form", { name: /Where it goes/ });
    const discord = within(editor).getByRole<HTMLInputElement>("checkbox", { name: /Team Discord/ });
    expect(discord.checked).toBe(true);
    await user.click(discord);
    await user.click(within(editor).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(row.textContent).toContain("to E-mail, Browser notifications"));
    expect(within(row).queryByRole("form")).toBeNull();
    expect(calls.find((c) => c.path === "alerts.update")?.input).toEqual({ id: ALERT.id, channels: ["email", "push"], email: true });
  });
});
