/** 0.5 s, 1 s, 2 s … capped at 30 s, each with full jitter in [d/2, d]. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.min(Math.max(attempt - 1, 0), 6));
  return Math.round(base / 2 + random() * (base / 2));
}
