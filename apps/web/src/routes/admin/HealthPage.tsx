import { useQuery } from "@tanstack/react-query";
import { LoadError, SkeletonRows } from "../../components/QueryStates";
import { formatCompact, formatTime, NONE } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";

const rate = (r: number | null) => (r === null ? NONE : `${Math.round(r * 100)} %`);
const bytes = (n: number) => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} kB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

export function HealthPage() {
  const trpc = useTRPC();
  const health = useQuery(trpc.admin.health.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (health.isPending) return <SkeletonRows label="Loading health" count={6} />;
  if (health.isError)
    return <LoadError title="Could not load the health page" error={health.error} onRetry={() => void health.refetch()} />;
  const h = health.data;
  return (
    <div className="stack">
      <h1>Health</h1>
      <p className="muted small">
        Market data mode: {h.marketData} · open streams on this instance: {h.openStreams} · checked {formatTime(h.checkedAt)}
      </p>
      <h2>Upstream sources</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Upstream sources">
        <table className="data">
          <caption className="visually-hidden">Upstream sources: last outcomes and counts over every instance</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Last success</th>
              <th scope="col">Last error</th>
              <th scope="col" className="r">
                Errors 1 h / 24 h
              </th>
              <th scope="col" className="r">
                429s 1 h / 24 h
              </th>
              <th scope="col" className="r">
                Calls 24 h
              </th>
              <th scope="col" className="r">
                Budget left
              </th>
            </tr>
          </thead>
          <tbody>
            {h.sources.map((s) => (
              <tr key={s.source}>
                <td>{s.source}</td>
                <td>{s.lastSuccessAt ? formatTime(s.lastSuccessAt) : NONE}</td>
                <td className="break">{s.lastErrorAt ? `${formatTime(s.lastErrorAt)}: ${s.lastError ?? ""}` : NONE}</td>
                <td className="r">
                  {s.hour.errors} / {s.day.errors}
                </td>
                <td className="r">
                  {s.hour.rateLimited} / {s.day.rateLimited}
                </td>
                <td className="r">{formatCompact(s.day.ok + s.day.errors + s.day.rateLimited)}</td>
                <td className="r">{s.budget ? `${s.budget.remaining} of ${s.budget.limit} / min` : NONE}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Analysis cache</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Analysis cache">
        <table className="data">
          <caption className="visually-hidden">Analysis cache hit rate per type</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col" className="r">
                Hit rate 1 h
              </th>
              <th scope="col" className="r">
                Hits / misses 1 h
              </th>
              <th scope="col" className="r">
                Hit rate 24 h
              </th>
              <th scope="col" className="r">
                Hits / misses 24 h
              </th>
            </tr>
          </thead>
          <tbody>
            {h.cache.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No analyses in the last day.
                </td>
              </tr>
            )}
            {h.cache.map((c) => (
              <tr key={c.type}>
                <td>{c.type}</td>
                <td className="r">{rate(c.hour.hitRate)}</td>
                <td className="r">
                  {c.hour.hits} / {c.hour.misses}
                </td>
                <td className="r">{rate(c.day.hitRate)}</td>
                <td className="r">
                  {c.day.hits} / {c.day.misses}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Database</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Database tables">
        <table className="data">
          <caption className="visually-hidden">Size of each table, largest first</caption>
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col" className="r">
                Size
              </th>
              <th scope="col" className="r">
                Rows (estimate)
              </th>
            </tr>
          </thead>
          <tbody>
            {h.tables.map((t) => (
              <tr key={t.table}>
                <td>{t.table}</td>
                <td className="r">{bytes(t.bytes)}</td>
                <td className="r">{formatCompact(t.rows)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
