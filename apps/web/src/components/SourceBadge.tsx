import { formatTime } from "../lib/format";

/** Where a figure came from, as a badge; the hover text adds when. */
export type DataSourceName = "live" | "snapshot" | "simulated" | "cached";

const LABEL: Record<DataSourceName, string> = {
  live: "live",
  // the snapshot's date travels with its prices wherever they are shown
  snapshot: "snapshot 2021-06-24",
  simulated: "simulated",
  cached: "cached",
};
const MEANING: Record<DataSourceName, string> = {
  live: "Live market data",
  snapshot: "Offline snapshot of 2021-06-24 (real prices of that day)",
  simulated: "Simulated data (offline mode): not real prices",
  cached: "Cached analysis",
};

export function SourceBadge({ source, asOf }: { source: DataSourceName; asOf?: Date | string | null }) {
  const when = asOf ? new Date(asOf) : null;
  const title = `${MEANING[source]}${when && !Number.isNaN(when.getTime()) ? `, as of ${formatTime(when)}` : ""}`;
  return (
    <span className={`badge ${source}`} title={title}>
      {LABEL[source]}
    </span>
  );
}
