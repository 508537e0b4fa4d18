/**
 * A small SVG price trend (no chart library: a polyline is all it needs). Green when the last point is
 * above the first, red below. `label` names it for screen readers and shows on hover.
 */
import { formatPercent } from "../lib/format";
export function Sparkline({
  points,
  width = 120,
  height = 32,
  label,
}: {
  points: number[] | null | undefined;
  width?: number;
  height?: number;
  label?: string;
}) {
  const values = (points ?? []).filter((p) => Number.isFinite(p));
  if (values.length < 2)
    return (
      <span className="sparkline-empty muted" aria-label="no trend data">
        –
      </span>
    );
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const pad = 2;
  const step = (width - pad * 2) / (values.length - 1);
  const coords = values.map((v, i) => `${(pad + i * step).toFixed(1)},${(pad + (height - pad * 2) * (1 - (v - min) / span)).toFixed(1)}`);
  const first = values[0]!;
  const last = values[values.length - 1]!;
  const up = last >= first;
  const change = first ? ((last - first) / first) * 100 : 0;
  const text = label ?? `trend ${up ? "up" : "down"} ${formatPercent(Math.abs(change))}`;
  return (
    <svg
      className={`sparkline ${up ? "up" : "down"}`}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={text}
    >
      <title>{text}</title>
      <polyline
        points={coords.join(" ")}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
        strokeLinecap="round"
      />
    </svg>
  );
}
