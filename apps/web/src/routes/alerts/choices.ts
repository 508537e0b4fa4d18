import type { RouterOutputs } from "@ucie/api";

export type AlertType = RouterOutputs["alerts"]["list"][number]["type"];

export const ALERT_TYPES: { value: AlertType; label: string }[] = [
  { value: "price_above", label: "Price at or above" },
  { value: "price_below", label: "Price at or below" },
  { value: "price_cross", label: "Price crosses a level" },
  { value: "percent_change", label: "Price moves by a percentage" },
  { value: "rsi_above", label: "RSI at or above (overbought)" },
  { value: "rsi_below", label: "RSI at or below (oversold)" },
  { value: "volume_spike", label: "Volume spike" },
  { value: "sentiment_change", label: "Fear & Greed index moves" },
];

export const COOLDOWNS = [
  { seconds: 300, label: "5 minutes" },
  { seconds: 900, label: "15 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 14_400, label: "4 hours" },
  { seconds: 86_400, label: "1 day" },
];

/** Names a cooldown the way the form offered it, or in hours or minutes when it was set another way (the API takes any). */
export function cooldownWords(seconds: number): string {
  return (
    COOLDOWNS.find((c) => c.seconds === seconds)?.label ??
    (seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`)
  );
}
