import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { SCREENER_SORT_KEYS, SCREENER_TRENDS } from "@ucie/api/limits";
import type { RouterInputs } from "@ucie/api";
import { DataTable, type SortDirection } from "../../components/DataTable";
import { EmptyState, LoadError, SkeletonRows } from "../../components/QueryStates";
import type { ScreenerRow } from "../../lib/api-types";
import { changeClass, formatChange, formatDay, formatIndicator, formatPercent, formatPrice, formatUsdCompact } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";

type Filters = NonNullable<Exclude<RouterInputs["screener"]["run"], void | undefined>["filters"]>;
type SortKey = (typeof SCREENER_SORT_KEYS)[number];
type Trend = (typeof SCREENER_TRENDS)[number];

const NUMERIC_FILTERS = [
  "rsiBelow",
  "rsiAbove",
  "crossWithinDays",
  "change7dAbove",
  "change7dBelow",
  "minMarketCap",
  "maxVolatility",
  "maxDrawdown",
] as const;
type NumericFilter = (typeof NUMERIC_FILTERS)[number];

const TREND_LABELS: Record<Trend, string> = {
  above_sma200: "Above its 200-day average",
  below_sma200: "Below its 200-day average",
  golden_cross: "Golden cross (50-day above 200-day)",
  death_cross: "Death cross (50-day below 200-day)",
};

/** The filters in words, for the chips ("RSI below 30"). */
function chipLabel(key: keyof Filters, v: number | string): string {
  switch (key) {
    case "rsiBelow":
      return `RSI below ${v}`;
    case "rsiAbove":
      return `RSI above ${v}`;
    case "trend":
      return TREND_LABELS[v as Trend];
    case "crossWithinDays":
      return `Crossed within ${v} days`;
    case "change7dAbove":
      return `7 d change above ${v} %`;
    case "change7dBelow":
      return `7 d change below ${v} %`;
    case "minMarketCap":
      return `Market cap at least ${formatUsdCompact(Number(v))}`;
    case "maxVolatility":
      return `Volatility (30 d) at most ${v} %`;
    case "maxDrawdown":
      return `Within ${v} % of the 365-day high`;
    default:
      return `${String(key)}: ${v}`;
  }
}

const PRESETS: { label: string; filters: Filters; sort?: { by: SortKey; dir: "asc" | "desc" } }[] = [
  { label: "Oversold", filters: { rsiBelow: 30 }, sort: { by: "rsi14", dir: "asc" } },
  { label: "Golden cross this week", filters: { trend: "golden_cross", crossWithinDays: 7 } },
  { label: "Near all-time high", filters: { maxDrawdown: 5 }, sort: { by: "drawdown", dir: "desc" } },
];

/** Filters and sort live in the URL, so a screen can be bookmarked and shared. */
function readParams(p: URLSearchParams): { filters: Filters; sort?: { by: SortKey; dir: "asc" | "desc" } } {
  const filters: Filters = {};
  for (const k of NUMERIC_FILTERS) {
    const raw = p.get(k);
    if (raw !== null && raw.trim() !== "" && Number.isFinite(Number(raw))) filters[k] = Number(raw);
  }
  const trend = p.get("trend");
  if (trend && (SCREENER_TRENDS as readonly string[]).includes(trend)) filters.trend = trend as Trend;
  const by = p.get("sort");
  const dir = p.get("dir") === "asc" ? "asc" : "desc";
  const sort = by && (SCREENER_SORT_KEYS as readonly string[]).includes(by) ? { by: by as SortKey, dir: dir as "asc" | "desc" } : undefined;
  return { filters, ...(sort ? { sort } : {}) };
}

function toParams(filters: Filters, sort?: { by: SortKey; dir: "asc" | "desc" }): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined) p.set(k, String(v));
  if (sort) {
    p.set("sort", sort.by);
    p.set("dir", sort.dir);
  }
  return p;
}

const COLUMNS: { key: SortKey | null; label: string; className?: string }[] = [
  { key: "rank", label: "Coin" },
  { key: "price", label: "Price", className: "r" },
  { key: "change24h", label: "24 h", className: "r" },
  { key: "change7d", label: "7 d", className: "r" },
  { key: "change30d", label: "30 d", className: "r" },
  { key: "rsi14", label: "RSI (14)", className: "r" },
  { key: null, label: "Trend (200-day)" },
  { key: "volatility30d", label: "Vol. 30 d", className: "r" },
  { key: "drawdown", label: "From high", className: "r" },
  { key: "volumeRatio", label: "Volume ×", className: "r" },
  { key: "score", label: "Score", className: "r" },
];

export function ScreenerPage() {
  const trpc = useTRPC();
  const id = useId();
  const [params, setParams] = useSearchParams();
  const { filters, sort } = readParams(params);
  const [limit, setLimit] = useState(50);
  const q = useQuery({
    ...trpc.screener.run.queryOptions({ filters, ...(sort ? { sort } : {}), limit }),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });

  const setScreen = (f: Filters, s = sort) => setParams(toParams(f, s), { replace: false });
  const removeFilter = (k: keyof Filters) => {
    const next = { ...filters };
    delete next[k];
    if (k === "trend") delete next.crossWithinDays;
    setScreen(next);
  };
  const toggleSort = (key: SortKey) => {
    const dir = sort?.by === key ? (sort.dir === "desc" ? "asc" : "desc") : key === "rank" ? "asc" : "desc";
    setScreen(filters, { by: key, dir });
  };
  const currentSort = sort ?? { by: "rank" as SortKey, dir: "asc" as const };
  const direction = (key: SortKey): SortDirection | null =>
    currentSort.by === key ? (currentSort.dir === "asc" ? "ascending" : "descending") : null;

  const [addKey, setAddKey] = useState<NumericFilter | "trend">("rsiBelow");
  const [addValue, setAddValue] = useState("");
  const [addTrend, setAddTrend] = useState<Trend>("above_sma200");
  const [addError, setAddError] = useState<string | null>(null);
  const addFilter = (e: FormEvent) => {
    e.preventDefault();
    if (addKey === "trend") return (setScreen({ ...filters, trend: addTrend }), setAddError(null));
    const n = Number(addValue);
    if (addValue.trim() === "" || !Number.isFinite(n)) return setAddError("Enter a number");
    setAddError(null);
    setAddValue("");
    setScreen({ ...filters, [addKey]: n });
  };

  const active = Object.entries(filters).filter(([, v]) => v !== undefined) as [keyof Filters, number | string][];
  const rows = q.data?.rows ?? [];

  return (
    <section className="page screener-page">
      <div className="page-header">
        <div>
          <h1>Screener</h1>
          <p className="muted small">
            Signals from each coin's daily history, computed by the same code as the analysis page
            {q.data?.asOf ? `, as of ${formatDay(q.data.asOf)}` : ""}
            {rows.some((r) => r.source !== "live") ? " (offline: the bundled snapshot; history simulated for every coin but Bitcoin)" : ""}.
            Volatility is annualised from 30 days; “from high” is the distance from the 365-day high; volume × compares the last day with
            its 30-day average.
          </p>
        </div>
      </div>

      <div className="card stack screener-controls">
        <div className="row wrap" role="group" aria-label="Presets">
          {PRESETS.map((p) => (
            <button key={p.label} type="button" className="btn btn-sm" onClick={() => setScreen(p.filters, p.sort)}>
              {p.label}
            </button>
          ))}
        </div>
        <form className="row wrap screener-add" onSubmit={addFilter} noValidate aria-label="Add a filter">
          <div className="field">
            <label htmlFor={`${id}-key`}>Filter</label>
            <select id={`${id}-key`} value={addKey} onChange={(e) => setAddKey(e.target.value as NumericFilter | "trend")}>
              <option value="rsiBelow">RSI below</option>
              <option value="rsiAbove">RSI above</option>
              <option value="trend">Trend</option>
              <option value="change7dAbove">7 d change above (%)</option>
              <option value="change7dBelow">7 d change below (%)</option>
              <option value="minMarketCap">Market cap at least (USD)</option>
              <option value="maxVolatility">Volatility at most (%)</option>
              <option value="maxDrawdown">Within % of 365-day high</option>
            </select>
          </div>
          {addKey === "trend" ? (
            <div className="field">
              <label htmlFor={`${id}-trend`}>Trend</label>
              <select id={`${id}-trend`} value={addTrend} onChange={(e) => setAddTrend(e.target.value as Trend)}>
                {SCREENER_TRENDS.map((t) => (
                  <option key={t} value={t}>
                    {TREND_LABELS[t]}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <div className="field">
              <label htmlFor={`${id}-value`}>Value</label>
              <input
                id={`${id}-value`}
                type="number"
                inputMode="decimal"
                step="any"
                value={addValue}
                onChange={(e) => setAddValue(e.target.value)}
                aria-invalid={addError ? true : undefined}
                aria-describedby={addError ? `${id}-value-err` : undefined}
              />
              {addError && (
                <span id={`${id}-value-err`} className="error">
                  {addError}
                </span>
              )}
            </div>
          )}
          <button type="submit" className="btn btn-primary btn-sm">
            Add filter
          </button>
        </form>
        {active.length > 0 && (
          <ul className="chips" aria-label="Active filters">
            {active.map(([k, v]) => (
              <li key={String(k)} className="chip">
                {chipLabel(k, v)}
                <button
                  type="button"
                  className="chip-remove"
                  onClick={() => removeFilter(k)}
                  aria-label={`Remove filter: ${chipLabel(k, v)}`}
                >
                  ×
                </button>
              </li>
            ))}
            <li>
              <button type="button" className="btn btn-sm" onClick={() => setScreen({}, undefined)}>
                Clear all
              </button>
            </li>
          </ul>
        )}
      </div>

      {q.isPending ? (
        <SkeletonRows label="Loading the screener" count={8} />
      ) : q.isError ? (
        <LoadError title="The screener could not be loaded" error={q.error} onRetry={() => void q.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={active.length ? "No coin matches these filters" : "No signals yet"}>
          {active.length
            ? "Loosen or remove a filter to see more coins."
            : "The screener job computes every coin's signals a few minutes after the server starts; try again shortly."}
        </EmptyState>
      ) : (
        <>
          <DataTable
            className="screener-table"
            caption={`Screener: ${rows.length} coins; the column buttons sort them`}
            columns={COLUMNS.map((c) =>
              c.key
                ? { label: c.label, className: c.className, sort: { direction: direction(c.key), onSort: () => toggleSort(c.key!) } }
                : c.label,
            )}
          >
            {rows.map((r) => (
              <Row key={r.id} row={r} />
            ))}
          </DataTable>
          {q.data?.nextCursor != null && limit < 250 && (
            <button type="button" className="btn" onClick={() => setLimit(limit >= 100 ? 250 : 100)} disabled={q.isFetching}>
              {q.isFetching ? "Loading…" : "Show more"}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function trendText(t: ScreenerRow["trend"]): string {
  const parts: string[] = [];
  if (t.aboveSma200 !== null) parts.push(t.aboveSma200 ? "Above" : "Below");
  if (t.cross) {
    const name = t.cross === "golden_cross" ? "golden cross" : "death cross";
    parts.push(t.crossDaysAgo === null ? name : `${name} ${t.crossDaysAgo} d ago`);
  }
  return parts.join(", ") || "Not enough history";
}

function Row({ row: r }: { row: ScreenerRow }) {
  // an alert that tells when the signal turns: oversold coins when they recover, the rest when they become oversold
  const alertHref = `/alerts?${new URLSearchParams({
    symbol: r.id,
    type: r.rsi14 !== null && r.rsi14 < 30 ? "rsi_above" : "rsi_below",
    threshold: "30",
  })}`;
  return (
    <tr>
      <td data-label="Coin">
        <Link to={`/token/${encodeURIComponent(r.id)}`} className="wl-coin">
          <span className="muted">#{r.rank ?? "—"}</span> <span className="wl-name">{r.name}</span>{" "}
          <span className="muted wl-symbol">{r.symbol}</span>
        </Link>
      </td>
      <td data-label="Price" className="r num">
        {formatPrice(r.priceUsd)}
      </td>
      <td data-label="24 h" className={`r num ${changeClass(r.change24h)}`}>
        {formatChange(r.change24h)}
      </td>
      <td data-label="7 d" className={`r num ${changeClass(r.change7d)}`}>
        {formatChange(r.change7d)}
      </td>
      <td data-label="30 d" className={`r num ${changeClass(r.change30d)}`}>
        {formatChange(r.change30d)}
      </td>
      <td data-label="RSI" className="r num">
        {formatIndicator("rsi", r.rsi14)}
      </td>
      <td data-label="Trend" className="screener-trend">
        {trendText(r.trend)}
      </td>
      <td data-label="Volatility" className="r num">
        {formatPercent(r.volatility30d)}
      </td>
      <td data-label="From high" className="r num">
        {formatChange(r.drawdown)}
      </td>
      <td data-label="Volume" className="r num">
        {r.volumeRatio === null ? "—" : `${formatIndicator("ratio", r.volumeRatio)}×`}
      </td>
      <td data-label="Score" className="r num">
        {r.score === null ? "—" : Math.round(r.score)}
      </td>
      <td>
        <Link to={alertHref} className="btn btn-sm" aria-label={`Create an alert for ${r.name}`}>
          Alert
        </Link>
      </td>
    </tr>
  );
}
