/**
 * The small chart of an alert preview: the replayed daily values with a marker on each day the rule
 * would have fired, and its line. Loaded lazily by the create form (lightweight-charts stays out of the
 * main bundle).
 */
import { ColorType, createChart, createSeriesMarkers, LineSeries, LineStyle, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef } from "react";

const time = (d: Date | string) => Math.floor(new Date(d).getTime() / 1000) as UTCTimestamp;

export default function PreviewChart({
  series,
  firings,
  line,
  label,
}: {
  series: { t: Date | string; value: number }[];
  firings: { t: Date | string; value: number }[];
  line: number | null;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || series.length === 0) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: "#9fb0c8", attributionLogo: false },
      grid: { vertLines: { visible: false }, horzLines: { color: "#1b2740" } },
      timeScale: { borderColor: "#22304a" },
      rightPriceScale: { borderColor: "#22304a" },
      handleScroll: false,
      handleScale: false,
    });
    const s = chart.addSeries(LineSeries, { color: "#38bdf8", lineWidth: 2, priceLineVisible: false, lastValueVisible: false });
    s.setData(series.map((p) => ({ time: time(p.t), value: p.value })));
    if (line !== null)
      s.createPriceLine({ price: line, color: "#fbbf24", lineStyle: LineStyle.Dashed, lineWidth: 1, axisLabelVisible: true, title: "" });
    createSeriesMarkers(
      s,
      firings.map((f) => ({ time: time(f.t), position: "aboveBar" as const, color: "#f87171", shape: "arrowDown" as const })),
    );
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [series, firings, line]);
  return <div ref={ref} className="preview-chart" role="img" aria-label={label} />;
}
