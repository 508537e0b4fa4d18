import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { EmptyState, LoadError } from "../../components/QueryStates";
import { SourceBadge } from "../../components/SourceBadge";
import { TokenSearch } from "../../components/TokenSearch";
import type { TokenPage } from "../../lib/api-types";
import { useTRPC } from "../../lib/trpc";
import { formatTime, timeAgo } from "../../lib/format";
import { MarketTable, MarketTableSkeleton } from "./MarketTable";

/** re-render every 30 s so "2 minutes ago" stays true */
function useNow(ms = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

function DataBanner({ page, now }: { page: TokenPage; now: number }) {
  if (!page.source) return null;
  if (page.source === "live") {
    return (
      <p className="data-banner live" title={`Prices as of ${formatTime(page.asOf)}`}>
        <SourceBadge source="live" asOf={page.asOf} /> Live market data from CoinGecko, updated {timeAgo(page.asOf, now)}.
      </p>
    );
  }
  const day = page.asOf ? new Date(page.asOf).toISOString().slice(0, 10) : "2021-06-24";
  return (
    <p className="data-banner snapshot" title={`Snapshot taken ${formatTime(page.asOf)}`}>
      <SourceBadge source="snapshot" asOf={page.asOf} /> Offline snapshot of {day}: real prices from that day, not today's. Sparklines other
      than Bitcoin's are simulated.
    </p>
  );
}

export function HomePage() {
  const trpc = useTRPC();
  const now = useNow();
  const list = useInfiniteQuery(
    trpc.tokens.list.infiniteQueryOptions({ limit: 100 }, { getNextPageParam: (p) => p.nextCursor ?? undefined, staleTime: 60_000 }),
  );
  const pages = list.data?.pages ?? [];
  const tokens = pages.flatMap((p) => p.items);
  const first = pages[0];

  return (
    <section className="page home" aria-labelledby="markets-title">
      <div className="page-header">
        <div>
          <h1 id="markets-title">Markets</h1>
          <p className="muted home-sub">Top crypto tokens by market capitalisation.</p>
        </div>
        <TokenSearch />
      </div>

      {first && <DataBanner page={first} now={now} />}

      {list.isPending ? (
        <MarketTableSkeleton rows={10} />
      ) : list.isError ? (
        <LoadError title="Market data could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : tokens.length === 0 ? (
        <EmptyState title="No tokens yet">
          The token catalogue is empty. An operator can fill it with <code>pnpm cli tokens sync</code>.
        </EmptyState>
      ) : (
        <>
          <MarketTable tokens={tokens} />
          <div className="home-footer">
            <span className="muted">
              {tokens.length} of {first?.total ?? tokens.length} tokens
            </span>
            {list.hasNextPage && (
              <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? "Loading…" : "Show more"}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}
