/**
 * The token page's price history: candles over a chosen range (1D, 7D, 1M hourly; 3M, 1Y, Max daily) from
 * `tokens.history`, with the range buttons above. The indicator chart of the analysis (PriceChart) stays
 * daily; this one answers "what did it do today / this week".
 */
import { useQuery } from "@tanstack/react-query";
import { CandlestickSeries, ColorType, createChart, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef } from "react";
import { chartPriceFormatter, formatPrice, formatTime } from "../../lib/format";
import { usePreferences } from "../../lib/preferences";
import { useTRPC } from "../../lib/trpc";
import { SourceBadge } from "../SourceBadge";

export const RANGES = [
  { key: "1D", label: "1 day", days: 1, interval: "hourly" },
  { key: "7D", label: "7 days", days: 7, interval: "hourly" },
  { key: "1M", label: "1 month", days: 30, interval: "hourly" },
  { key: "3M", label: "3 months", days: 90, interval: "daily" },
  { key: "1Y", label: "1 year", days: 365, interval: "daily" },
  { key: "Max", label: "all available history", days: 3650, interval: "daily" },
] as const;
export type RangeKey = (typeof RANGES)[number]["key"];

interface Candle {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

function Candles({ candles, label }: { candles: Candle[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  // the price axis formats with the display settings: drawn again when they change
  const { display } = usePreferences();
  useEffect(() => {
    const el = ref.current;
    if (!el || candles.length === 0) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: "#9fb0c8", attributionLogo: false },
      grid: { vertLines: { color: "#1b2740" }, horzLines: { color: "#1b2740" } },
      timeScale: { borderColor: "#22304a", timeVisible: true, secondsVisible: false },
      rightPriceScale: { borderColor: "#22304a", scaleMargins: { top: 0.12, bottom: 0.12 } },
      crosshair: { mode: 0 },
    });
    const last = candles.at(-1)!.close;
    const minMove = last > 0 ? Math.min(0.01, 10 ** (Math.floor(Math.log10(last)) - 3)) : 0.01;
    chart
      .addSeries(CandlestickSeries, {
        upColor: "#34d399",
        downColor: "#f87171",
        wickUpColor: "#34d399",
        wickDownColor: "#f87171",
        borderVisible: false,
        priceFormat: { type: "custom", formatter: chartPriceFormatter, minMove },
      })
      .setData(
        candles.map((c) => ({ time: Math.floor(c.t / 1000) as UTCTimestamp, open: c.open, high: c.high, low: c.low, close: c.close })),
      );
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [candles, display]);
  return <div ref={ref} className="history-chart-canvas" role="img" aria-label={label} />;
}

export function HistoryChart({
  symbol,
  name,
  range,
  onRange,
}: {
  symbol: string;
  name: string;
  range: RangeKey;
  onRange: (r: RangeKey) => void;
}) {
  const trpc = useTRPC();
  const r = RANGES.find((x) => x.key === range) ?? RANGES[2];
  const input = { symbol, days: r.days, interval: r.interval };
  const history = useQuery(trpc.tokens.history.queryOptions(input, { staleTime: 60_000, placeholderData: (prev) => prev }));
  const meta = useQuery(trpc.tokens.historyMeta.queryOptions(input, { staleTime: 60_000 }));
  const candles = history.data ?? [];
  const first = candles[0];
  const last = candles.at(-1);
  const change = first && last && first.open > 0 ? ((last.close - first.open) / first.open) * 100 : null;

  return (
    <section className="card history-card" aria-labelledby="h-history">
      <div className="card-head">
        <h2 id="h-history">Price history</h2>
        <div className="range-buttons" role="group" aria-label="Chart range">
          {RANGES.map((x) => (
            <button
              key={x.key}
              type="button"
              className={`btn btn-sm range-btn${x.key === r.key ? " active" : ""}`}
              aria-pressed={x.key === r.key}
              aria-label={`${x.key}: ${x.label}`}
              onClick={() => onRange(x.key)}
            >
              {x.key}
            </button>
          ))}
        </div>
      </div>
      <p className="muted small history-caption" aria-live="polite">
        Showing {r.label}, {r.interval === "hourly" ? "hourly" : "daily"} candles
        {last && first ? `, ${formatTime(first.t)} to ${formatTime(last.t)}` : ""}
        {change !== null ? ` · ${change >= 0 ? "+" : ""}${change.toFixed(2)} % over the range` : ""}
        {meta.data && (
          <>
            {" "}
            <SourceBadge source={meta.data.source} asOf={meta.data.asOf} />
          </>
        )}
      </p>
      {meta.data?.note && <p className="muted small">{meta.data.note}</p>}
      {history.isError ? (
        <p className="form-error" role="alert">
          No chart for this range: {history.error.message}
        </p>
      ) : candles.length === 0 ? (
        <div className="history-chart-canvas skeleton" aria-busy="true" aria-label="Loading the chart" />
      ) : (
        <Candles
          candles={candles}
          label={`${r.interval === "hourly" ? "Hourly" : "Daily"} candles of ${name} over ${r.label}, last close ${formatPrice(last?.close)}`}
        />
      )}
    </section>
  );
}
