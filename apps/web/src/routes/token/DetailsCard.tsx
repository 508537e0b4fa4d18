/** The coin's facts (`tokens.details`): supply, all-time high and low, genesis, categories, links, description. */
import { useQuery } from "@tanstack/react-query";
import { SourceBadge } from "../../components/SourceBadge";
import { formatDay, formatNumber, formatPrice } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="stat">
      <dt className="label">{label}</dt>
      <dd className="value num">{children}</dd>
    </div>
  );
}

export function DetailsCard({ symbol, name }: { symbol: string; name: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.tokens.details.queryOptions({ symbol }, { staleTime: 60 * 60_000 }));
  const d = q.data?.details;
  const dated = (v: number | null | undefined, at: Date | string | null | undefined) =>
    v == null ? "—" : `${formatPrice(v)}${at ? ` on ${formatDay(at)}` : ""}`;
  return (
    <section className="card details-card" aria-labelledby="h-details" aria-busy={q.isPending}>
      <div className="card-head">
        <h2 id="h-details">About {name}</h2>
        {q.data && <SourceBadge source={q.data.source} asOf={q.data.asOf} />}
      </div>
      {q.data?.note && <p className="muted small">{q.data.note}</p>}
      {q.isError && (
        <p className="form-error" role="alert">
          Details are unavailable: {q.error.message}
        </p>
      )}
      {q.data && !d && <p className="empty">The data source has no details for this coin.</p>}
      {d && (
        <>
          {d.description && (
            <div className="details-description">
              {d.description.split(/\n{2,}/).map((para, i) => (
                <p key={i}>{para}</p>
              ))}
            </div>
          )}
          <dl className="grid grid-3 stats details-facts">
            <Fact label="Circulating supply">{d.circulatingSupply == null ? "—" : formatNumber(d.circulatingSupply)}</Fact>
            <Fact label="Total supply">{d.totalSupply == null ? "—" : formatNumber(d.totalSupply)}</Fact>
            <Fact label="Max supply">{d.maxSupply == null ? "no cap known" : formatNumber(d.maxSupply)}</Fact>
            <Fact label="All-time high">{dated(d.athUsd, d.athDate)}</Fact>
            <Fact label="All-time low">{dated(d.atlUsd, d.atlDate)}</Fact>
            <Fact label="Genesis date">{d.genesisDate ?? "—"}</Fact>
          </dl>
          {d.categories.length > 0 && (
            <ul className="details-categories" aria-label="Categories">
              {d.categories.map((c) => (
                <li key={c} className="badge">
                  {c}
                </li>
              ))}
            </ul>
          )}
          {(d.homepage || d.explorers.length > 0) && (
            <ul className="details-links" aria-label="Links">
              {d.homepage && (
                <li>
                  <a href={d.homepage} target="_blank" rel="noopener noreferrer">
                    Homepage ({host(d.homepage)})
                  </a>
                </li>
              )}
              {d.explorers.map((u) => (
                <li key={u}>
                  <a href={u} target="_blank" rel="noopener noreferrer">
                    Explorer ({host(u)})
                  </a>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
