import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { HistoryChart, RANGES, type RangeKey } from "../../components/charts/HistoryChart";
import { CoinLogo } from "../../components/CoinLogo";
import { SourceBadge } from "../../components/SourceBadge";
import { errorCode, useTRPC } from "../../lib/trpc";
import { changeClass, formatChange, formatPrice } from "../../lib/format";
import { DetailsCard } from "./DetailsCard";
import { AnalysisProgress } from "./AnalysisProgress";
import { MarketCard, SentimentCard, SkeletonCard, SynthesisCard, TechnicalCard } from "./Sections";
import { useAnalysisStream } from "./useAnalysisStream";

export function TokenPage() {
  const { id = "" } = useParams();
  const trpc = useTRPC();
  // the chart's range lives in the URL (?range=7D), so a link shares it
  const [params, setParams] = useSearchParams();
  const range: RangeKey = RANGES.find((r) => r.key === params.get("range"))?.key ?? "1M";
  const token = useQuery(trpc.tokens.get.queryOptions({ symbol: id }));
  const { phases, state, error, restart } = useAnalysisStream(id);
  const [watchMsg, setWatchMsg] = useState<{ text: string; ok: boolean } | null>(null);
  const addToWatchlist = useMutation(
    trpc.watchlist.add.mutationOptions({
      onSuccess: () => setWatchMsg({ text: "Added to your watchlist.", ok: true }),
      onError: (err) =>
        setWatchMsg(
          errorCode(err) === "CONFLICT"
            ? { text: "Already in your watchlist.", ok: true }
            : { text: `Could not add it: ${err.message}`, ok: false },
        ),
    }),
  );
  const { mutate: markViewed } = useMutation(trpc.watchlist.markViewed.mutationOptions());
  const viewed = useRef<string | null>(null);
  useEffect(() => {
    if (viewed.current === id) return;
    viewed.current = id;
    markViewed({ symbol: id }, { onError: () => {} });
  }, [id, markViewed]);
  const [watchMsgFor, setWatchMsgFor] = useState(id);
  if (watchMsgFor !== id) {
    setWatchMsgFor(id);
    setWatchMsg(null);
  }

  const t = token.data;
  const marketSection = phases[1]?.data.sections.market;
  const market = marketSection?.data;
  const coin = phases[1]?.data.coin;
  const name = t?.name ?? coin?.name ?? id;
  const symbol = t?.symbol ?? coin?.symbol ?? "";
  const price = market?.priceUsd ?? t?.priceUsd ?? null;
  const change = market?.change24hPct ?? t?.change24hPct ?? null;
  const rank = t?.rank ?? coin?.rank ?? null;

  useEffect(() => {
    document.title = `${name}${symbol ? ` (${symbol})` : ""} · UCIE`;
  }, [name, symbol]);

  if (token.isError && errorCode(token.error) === "NOT_FOUND") {
    return (
      <section className="page">
        <h1>Coin not found</h1>
        <p className="empty">
          There is no coin “{id}” in the catalogue. <Link to="/">Search for another</Link>.
        </p>
      </section>
    );
  }

  return (
    <section className="page token-page">
      <header className="token-header card">
        <div className="token-title">
          <CoinLogo src={t?.logo} symbol={symbol || id} size={44} />
          <div>
            <h1>
              {name} {symbol && <span className="muted ticker">{symbol}</span>}
            </h1>
            <p className="muted small">
              {rank ? `Rank #${rank}` : "Unranked"}
              {t && !t.isActive ? " · delisted" : ""}
            </p>
          </div>
        </div>
        <div className="token-price">
          <span className="price num">
            {price === null ? <span className="skeleton inline-skeleton" aria-label="Loading price" /> : formatPrice(price)}
          </span>
          <span className={`num ${changeClass(change)}`}>{formatChange(change)} 24 h</span>
          {marketSection?.source && marketSection.source !== "derived" ? (
            <SourceBadge source={marketSection.source} asOf={marketSection.asOf} />
          ) : (
            t?.source && <SourceBadge source={t.source} asOf={t.asOf} />
          )}
        </div>
        <div className="token-actions">
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => addToWatchlist.mutate({ symbol: id })}
            disabled={addToWatchlist.isPending}
          >
            {addToWatchlist.isPending ? "Adding…" : "Add to watchlist"}
          </button>
          <Link className="btn" to={`/alerts?symbol=${encodeURIComponent(id)}`}>
            Create alert
          </Link>
          <button type="button" className="btn" onClick={restart} disabled={state === "connecting" || state === "streaming"}>
            Refresh analysis
          </button>
        </div>
        {watchMsg && (
          <p className={watchMsg.ok ? "form-success" : "form-error"} role="status">
            {watchMsg.text}
          </p>
        )}
      </header>

      <HistoryChart
        symbol={id}
        name={name}
        range={range}
        onRange={(r) =>
          setParams(
            (p) => {
              p.set("range", r);
              return p;
            },
            { replace: true },
          )
        }
      />

      <AnalysisProgress phases={phases} state={state} error={error} restart={restart} />

      {phases[1] ? (
        <MarketCard event={phases[1]} technical={phases[3]?.data.sections.technical} />
      ) : (
        <SkeletonCard title="Market snapshot" />
      )}
      {phases[2] ? <SentimentCard event={phases[2]} /> : <SkeletonCard title="Sentiment and news" />}
      {phases[3] ? <TechnicalCard event={phases[3]} coinName={name} /> : <SkeletonCard title="Technical and risk" lines={6} />}
      {phases[4] ? <SynthesisCard event={phases[4]} /> : <SkeletonCard title="Synthesis and outlook" lines={5} />}
      <DetailsCard symbol={id} name={name} />
    </section>
  );
}
