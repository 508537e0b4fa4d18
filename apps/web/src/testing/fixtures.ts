/** Answers of the API that several component tests share, typed by the routers. */
import type { RouterOutputs } from "@ucie/api";

export const WEBHOOK_ID = "0b7c6a52-6f0e-4c1e-9f3a-2a1d6f0c9e11";

/** `notifications.channels` of an account with e-mail, one subscribed browser and a Discord webhook */
export const CHANNELS: RouterOutputs["notifications"]["channels"] = [
  {
    id: "email",
    kind: "email",
    name: "E-mail",
    format: null,
    target: "your account's address",
    enabled: true,
    disabledReason: null,
    createdAt: null,
  },
  {
    id: "push",
    kind: "push",
    name: "Browser notifications",
    format: null,
    target: "1 browser",
    enabled: true,
    disabledReason: null,
    createdAt: null,
  },
  {
    id: WEBHOOK_ID,
    kind: "webhook",
    name: "Team Discord",
    format: "discord",
    target: "https://discord.example",
    enabled: true,
    disabledReason: null,
    createdAt: new Date("2026-01-01T00:00:00Z"),
  },
];
