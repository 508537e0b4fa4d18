/**
 * Daily candles with EMA 20/50/200 and Bollinger Band overlays, and RSI and MACD in their own panes,
 * drawn with lightweight-charts (v5 panes). Data arrives columnar from the analysis (phase 3).
 */
import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  LineSeries,
  LineStyle,
  type IChartApi,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "react";
import type { ChartSeries } from "../../lib/api-types";
import { chartPriceFormatter, formatDay, formatIndicator, formatPrice } from "../../lib/format";
import { usePreferences } from "../../lib/preferences";

const COLORS = {
  text: "#9fb0c8",
  grid: "#1b2740",
  up: "#34d399",
  down: "#f87171",
  ema20: "#fbbf24",
  ema50: "#38bdf8",
  ema200: "#c084fc",
  band: "#64748b",
  rsi: "#7dd3fc",
  macd: "#38bdf8",
  signal: "#fbbf24",
};

export const CHART_LEGEND: { label: string; color: string }[] = [
  { label: "EMA 20", color: COLORS.ema20 },
  { label: "EMA 50", color: COLORS.ema50 },
  { label: "EMA 200", color: COLORS.ema200 },
  { label: "Bollinger (20, 2)", color: COLORS.band },
];

const time = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

function line(t: number[], values: (number | null)[]) {
  const out: { time: UTCTimestamp; value: number }[] = [];
  values.forEach((v, i) => {
    if (v !== null && Number.isFinite(v)) out.push({ time: time(t[i]!), value: v });
  });
  return out;
}

function minMoveFor(price: number | undefined): number {
  if (!price || !Number.isFinite(price) || price <= 0) return 0.01;
  return Math.min(0.01, 10 ** (Math.floor(Math.log10(price)) - 3));
}

export function PriceChart({ series, label }: { series: ChartSeries; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  // the price axis formats with the display settings: drawn again when they change
  const { display } = usePreferences();
  useEffect(() => {
    const el = ref.current;
    if (!el || series.t.length === 0) return;
    let chart: IChartApi | undefined;
    chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: "transparent" },
        textColor: COLORS.text,
        attributionLogo: false,
        panes: { separatorColor: "#22304a" },
      },
      grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
      timeScale: { borderColor: "#22304a", lockVisibleTimeRangeOnResize: true },
      // room above the highest tick, so its label is not cut at the chart's top edge
      rightPriceScale: { borderColor: "#22304a", scaleMargins: { top: 0.12, bottom: 0.12 } },
      crosshair: { mode: 0 },
    });
    const { t } = series;
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: COLORS.up,
      downColor: COLORS.down,
      wickUpColor: COLORS.up,
      wickDownColor: COLORS.down,
      borderVisible: false,
      // the price axis reads like the rest of the app ($70,000, $0.000006730; the RSI and MACD panes set their own),
      // with ticks fine enough for any price: a few thousandths of the last close
      priceFormat: { type: "custom", formatter: chartPriceFormatter, minMove: minMoveFor(series.close.at(-1)) },
    });
    candles.setData(
      t.map((ms, i) => ({ time: time(ms), open: series.open[i]!, high: series.high[i]!, low: series.low[i]!, close: series.close[i]! })),
    );
    const overlay = (values: (number | null)[], color: string, dashed = false) =>
      chart!
        .addSeries(LineSeries, {
          color,
          lineWidth: dashed ? 1 : 2,
          lineStyle: dashed ? LineStyle.Dashed : LineStyle.Solid,
          priceLineVisible: false,
          lastValueVisible: false,
          crosshairMarkerVisible: false,
        })
        .setData(line(t, values));
    overlay(series.bbUpper, COLORS.band, true);
    overlay(series.bbMiddle, COLORS.band, true);
    overlay(series.bbLower, COLORS.band, true);
    overlay(series.ema20, COLORS.ema20);
    overlay(series.ema50, COLORS.ema50);
    overlay(series.ema200, COLORS.ema200);

    const rsi = chart.addSeries(
      LineSeries,
      {
        color: COLORS.rsi,
        lineWidth: 2,
        priceLineVisible: false,
        priceFormat: { type: "custom", formatter: (v: number) => formatIndicator("rsi", v), minMove: 0.1 },
      },
      1,
    );
    rsi.setData(line(t, series.rsi));
    rsi.createPriceLine({ price: 70, color: COLORS.down, lineStyle: LineStyle.Dashed, lineWidth: 1, axisLabelVisible: false, title: "70" });
    rsi.createPriceLine({ price: 30, color: COLORS.up, lineStyle: LineStyle.Dashed, lineWidth: 1, axisLabelVisible: false, title: "30" });

    const macdFormat = { type: "custom" as const, formatter: (v: number) => formatIndicator("macd", v) };
    const hist = chart.addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false, priceFormat: macdFormat }, 2);
    hist.setData(
      series.macdHistogram.flatMap((v, i) =>
        v === null ? [] : [{ time: time(t[i]!), value: v, color: v >= 0 ? "rgba(52,211,153,0.55)" : "rgba(248,113,113,0.55)" }],
      ),
    );
    chart
      .addSeries(LineSeries, { color: COLORS.macd, lineWidth: 2, priceLineVisible: false, priceFormat: macdFormat }, 2)
      .setData(line(t, series.macd));
    chart
      .addSeries(LineSeries, { color: COLORS.signal, lineWidth: 1, priceLineVisible: false, priceFormat: macdFormat }, 2)
      .setData(line(t, series.macdSignal));

    const panes = chart.panes();
    // price gets three fifths of the height, RSI and MACD a fifth each
    panes[0]?.setStretchFactor(3);
    panes[1]?.setStretchFactor(1);
    panes[2]?.setStretchFactor(1);
    // a margin of empty bars at each end, so no date label is centred on an edge and cut in half ("021")
    const margin = Math.max(2, Math.round(t.length * 0.05));
    chart.timeScale().setVisibleLogicalRange({ from: -margin, to: t.length - 1 + margin / 2 });
    return () => {
      chart?.remove();
      chart = undefined;
    };
  }, [series, display]);

  return (
    <figure className="price-chart">
      <div ref={ref} className="price-chart-canvas" role="img" aria-label={label} />
      <figcaption className="chart-legend">
        {series.t.length > 0 && (
          <span className="legend-item chart-last-close">
            Last close <strong className="num">{formatPrice(series.close.at(-1))}</strong> on {formatDay(series.t.at(-1))}
          </span>
        )}
        {CHART_LEGEND.map((l) => (
          <span key={l.label} className="legend-item">
            <span className="legend-swatch" style={{ background: l.color }} aria-hidden="true" />
            {l.label}
          </span>
        ))}
        <span className="legend-item muted">Panes: price, RSI (14), MACD (12, 26, 9)</span>
      </figcaption>
    </figure>
  );
}
