import type { ReactNode } from "react";
import { PriceChart } from "../../components/charts/PriceChart";
import { SourceBadge } from "../../components/SourceBadge";
import {
  changeClass,
  formatChange,
  formatCompact,
  formatFundingRate,
  formatIndicator,
  formatNumber,
  formatPercent,
  formatPrice,
  formatTime,
  formatUsdCompact,
  timeAgo,
} from "../../lib/format";
import type { PhaseEvent, PhaseEventOf, Section, SectionOf } from "../../lib/api-types";

/** Source, freshness and quality of one section, and why it is partial when it is. */
export function SectionMeta({ section }: { section: SectionOf<unknown> | undefined }) {
  if (!section) return null;
  const source = section.source && section.source !== "derived" ? section.source : null;
  return (
    <div className="section-meta">
      {source && <SourceBadge source={source} asOf={section.asOf} />}
      {section.source === "derived" && <span className="badge">derived</span>}
      {section.fromCache && (
        <span className="badge cached" title={`Computed ${formatTime(section.computedAt)}`}>
          cached {timeAgo(section.computedAt)}
        </span>
      )}
      {section.status === "partial" && <span className="badge simulated">partial</span>}
      {section.status === "failed" && <span className="badge failed">failed</span>}
    </div>
  );
}

const SECTION_NAMES: Record<string, string> = {
  market: "market",
  sentiment: "Fear and Greed",
  news: "news",
  technical: "technical",
  risk: "risk",
  onchain: "on-chain",
  derivatives: "derivatives",
  defi: "DeFi",
  synthesis: "synthesis",
};

/** What a phase's one quality score is made of, for its hover text (the stepper and the card show the same). */
export function qualityExplanation(event: PhaseEvent): string {
  const sections: Partial<Record<string, Section>> = event.data.sections;
  const parts = Object.entries(sections).flatMap(([k, s]) =>
    s && s.status !== "unavailable" ? [`${SECTION_NAMES[k] ?? k} ${s.qualityScore}`] : [],
  );
  return (
    `Data quality ${event.qualityScore}/100: the average of this phase's sections (${parts.join(", ") || "none"}). ` +
    "Each scores how complete, fresh and first-hand its data is; sections with no data for this coin are not counted."
  );
}

/** The phase's quality score, explained on hover (and to screen readers, via the title). */
export function PhaseQuality({ event }: { event: PhaseEvent }) {
  return (
    <span className="badge quality" title={qualityExplanation(event)}>
      quality {event.qualityScore}/100
    </span>
  );
}

function Note({ section }: { section: SectionOf<unknown> | undefined }) {
  if (!section) return null;
  const text =
    section.status === "failed" || section.status === "partial" ? section.reason : section.status === "unavailable" ? section.note : null;
  return text ? <p className={`section-note ${section.status === "failed" ? "down" : "muted"}`}>{text}</p> : null;
}

function Stat({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className="stat">
      <span className="label">{label}</span>
      <span className={`value num ${className ?? ""}`}>{children}</span>
    </div>
  );
}

export function SkeletonCard({ title, lines = 4 }: { title: string; lines?: number }) {
  return (
    <section className="card analysis-card" aria-busy="true">
      <h2>{title}</h2>
      <div className="skeleton-stack" aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className="skeleton" style={{ width: `${90 - i * 12}%`, height: "1.1em" }} />
        ))}
      </div>
      <p className="visually-hidden">Loading {title.toLowerCase()}</p>
    </section>
  );
}

/** A change over days: the source's, else the one computed from the daily history phase 3 loaded, said so on hover. */
function DaysChange({
  label,
  fromSource,
  history,
}: {
  label: string;
  fromSource: number | null;
  history: { pct: number | null; asOf: string | null };
}) {
  const v = fromSource ?? history.pct;
  const title =
    fromSource !== null ? undefined : history.pct !== null ? `From the daily price history, as of ${formatTime(history.asOf)}` : undefined;
  return (
    <Stat label={label} className={changeClass(v)}>
      <span title={title}>{formatChange(v)}</span>
      {fromSource === null && history.pct !== null && <span className="muted small"> (history)</span>}
    </Stat>
  );
}

export function MarketCard({ event, technical }: { event: PhaseEventOf<1>; technical?: PhaseEventOf<3>["data"]["sections"]["technical"] }) {
  const s = event.data.sections.market;
  const m = s?.data;
  const t = technical?.data;
  const histAsOf = technical?.asOf ?? null;
  return (
    <section className="card analysis-card" aria-labelledby="h-market">
      <div className="card-head">
        <h2 id="h-market">Market snapshot</h2>
        <PhaseQuality event={event} />
        <SectionMeta section={s} />
      </div>
      <Note section={s} />
      {m && (
        <>
          <p className={`condition ${m.condition === "bear_market" ? "down" : m.condition === "all_time_high" ? "up" : ""}`}>
            {m.conditionLabel}
          </p>
          <div className="grid grid-3 stats">
            <Stat label="Price">{formatPrice(m.priceUsd)}</Stat>
            <Stat label="Market cap">{formatUsdCompact(m.marketCapUsd)}</Stat>
            <Stat label="Volume 24 h">{formatUsdCompact(m.volume24hUsd)}</Stat>
            <Stat label="Change 24 h" className={changeClass(m.change24hPct)}>
              {formatChange(m.change24hPct)}
            </Stat>
            <DaysChange label="Change 7 d" fromSource={m.change7dPct} history={{ pct: t?.change7dPct ?? null, asOf: histAsOf }} />
            <DaysChange label="Change 30 d" fromSource={m.change30dPct} history={{ pct: t?.change30dPct ?? null, asOf: histAsOf }} />
            <Stat label="Rank">{m.rank ? `#${m.rank}` : "—"}</Stat>
            <Stat label="All-time high">{formatPrice(m.athUsd)}</Stat>
            <Stat label="From all-time high" className={changeClass(m.distanceFromAthPct)}>
              {formatChange(m.distanceFromAthPct)}
            </Stat>
          </div>
        </>
      )}
    </section>
  );
}

export function SentimentCard({ event }: { event: PhaseEventOf<2> }) {
  const fg = event.data.sections.sentiment;
  const news = event.data.sections.news;
  const f = fg?.data;
  const n = news?.data;
  return (
    <section className="card analysis-card" aria-labelledby="h-sentiment">
      <div className="card-head">
        <h2 id="h-sentiment">Sentiment and news</h2>
        <PhaseQuality event={event} />
      </div>
      <div className="grid grid-2">
        <div>
          <div className="card-head">
            <h3>Fear and Greed index</h3>
            <SectionMeta section={fg} />
          </div>
          <Note section={fg} />
          {f && (
            <div className="grid grid-3 stats">
              <Stat label="Today">
                {f.value} <span className="muted small">{f.classification}</span>
              </Stat>
              <Stat label="7-day change" className={changeClass(f.change7d)}>
                {f.change7d === null ? "—" : `${f.change7d > 0 ? "+" : ""}${f.change7d} (${f.trend7d})`}
              </Stat>
              <Stat label="30-day change" className={changeClass(f.change30d)}>
                {f.change30d === null ? "—" : `${f.change30d > 0 ? "+" : ""}${f.change30d} (${f.trend30d})`}
              </Stat>
              <Stat label="7-day average">{formatNumber(f.average7d)}</Stat>
              <Stat label="30-day average">{formatNumber(f.average30d)}</Stat>
            </div>
          )}
        </div>
        <div>
          <div className="card-head">
            <h3>Headlines</h3>
            <SectionMeta section={news} />
          </div>
          <Note section={news} />
          {n && n.count === 0 && <p className="muted">No recent headlines for this coin.</p>}
          {n && n.count > 0 && (
            <>
              <p className="muted small">
                {n.positive} positive, {n.negative} negative, {n.neutral} neutral (AFINN lexicon)
              </p>
              <ul className="headlines">
                {n.headlines.map((h) => (
                  <li key={h.url}>
                    <span
                      className={`badge tone ${h.label === "positive" ? "live" : h.label === "negative" ? "failed" : ""}`}
                      title={`AFINN score ${h.score}`}
                    >
                      {h.label} {h.score > 0 ? `+${h.score}` : h.score}
                    </span>{" "}
                    <a href={h.url} target="_blank" rel="noopener noreferrer">
                      {h.title}
                    </a>{" "}
                    <span className="muted small">
                      {h.source}, {timeAgo(h.publishedAt)}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

export function TechnicalCard({ event, coinName }: { event: PhaseEventOf<3>; coinName: string }) {
  const s = event.data.sections;
  const t = s.technical?.data;
  const r = s.risk?.data;
  return (
    <section className="card analysis-card" aria-labelledby="h-technical">
      <div className="card-head">
        <h2 id="h-technical">Technical and risk</h2>
        <PhaseQuality event={event} />
        <SectionMeta section={s.technical} />
      </div>
      <Note section={s.technical} />
      {t?.series && (
        <PriceChart
          series={t.series}
          label={`Daily candles of ${coinName} for the last ${t.series.t.length} days with EMA 20, 50 and 200 and Bollinger Bands, and RSI and MACD panes`}
        />
      )}
      {t && (
        <>
          <p className="condition">{t.trend.label}</p>
          <div className="grid grid-3 stats">
            <Stat label="RSI (14)">{formatIndicator("rsi", t.rsi14)}</Stat>
            <Stat label="MACD (12, 26, 9)">
              {t.macd ? `${formatIndicator("macd", t.macd.macd)} / ${formatIndicator("macd", t.macd.signal)}` : "—"}
            </Stat>
            <Stat label="MACD histogram" className={changeClass(t.macd?.histogram)}>
              {formatIndicator("macd", t.macd?.histogram)}
            </Stat>
            <Stat label="Bollinger (20, 2)">
              {t.bollinger ? `${formatPrice(t.bollinger.lower)} – ${formatPrice(t.bollinger.upper)}` : "—"}
            </Stat>
            <Stat label="EMA 20 / 50 / 200">{`${formatPrice(t.ema20)} / ${formatPrice(t.ema50)} / ${formatPrice(t.ema200)}`}</Stat>
            <Stat label="SMA 50 / 200">{`${formatPrice(t.sma50)} / ${formatPrice(t.sma200)}`}</Stat>
            <Stat label="Stochastic (14, 3)">
              {t.stochastic
                ? `%K ${formatIndicator("stochastic", t.stochastic.k)} · %D ${formatIndicator("stochastic", t.stochastic.d)}`
                : "—"}
            </Stat>
            <Stat label="ATR (14)">{`${formatPrice(t.atr14)} (${formatPercent(t.atrPct)})`}</Stat>
          </div>
        </>
      )}
      <div className="card-head sub">
        <h3>Risk</h3>
        <SectionMeta section={s.risk} />
      </div>
      <Note section={s.risk} />
      {r && (
        <div className="grid grid-3 stats">
          <Stat label="Annualised volatility">{formatPercent(r.annualisedVolatilityPct)}</Stat>
          <Stat label="Maximum drawdown" className="down">
            {formatChange(r.maxDrawdownPct === null ? null : -Math.abs(r.maxDrawdownPct))}
          </Stat>
          <Stat label="1-day VaR (95%)">{formatPercent(r.var95Pct)}</Stat>
          <Stat label="Correlation with BTC">{formatIndicator("ratio", r.correlationBtc)}</Stat>
          <Stat label="Beta to BTC">{formatIndicator("ratio", r.betaBtc)}</Stat>
          <Stat label="Days of history">{r.days}</Stat>
        </div>
      )}
      <div className="grid grid-3 extras">
        <Extra title="On-chain (Bitcoin)" section={s.onchain}>
          {(d) => (
            <>
              <Stat label="Block height">{formatNumber(d.blockHeight)}</Stat>
              <Stat label="Hashrate">{d.hashrateEhs === null ? "—" : `${formatNumber(d.hashrateEhs, 1)} EH/s`}</Stat>
              <Stat label="Mempool">{formatCompact(d.mempoolTxCount)} tx</Stat>
            </>
          )}
        </Extra>
        <Extra title="Derivatives" section={s.derivatives}>
          {(d) => (
            <>
              <Stat label={`Funding (${d.contract})`} className={changeClass(d.fundingRatePct)}>
                {formatFundingRate(d.fundingRatePct)} / 8 h
              </Stat>
              <Stat label="Open interest">{formatUsdCompact(d.openInterestUsd)}</Stat>
            </>
          )}
        </Extra>
        <Extra title="DeFi TVL" section={s.defi}>
          {(d) => (
            <>
              <Stat label="Total value locked">{formatUsdCompact(d.tvlUsd)}</Stat>
              <Stat label="7-day change" className={changeClass(d.change7dPct)}>
                {formatChange(d.change7dPct)}
              </Stat>
            </>
          )}
        </Extra>
      </div>
    </section>
  );
}

function Extra<T>({ title, section, children }: { title: string; section: SectionOf<T> | undefined; children: (d: T) => ReactNode }) {
  return (
    <div className="extra">
      <div className="card-head">
        <h3>{title}</h3>
        <SectionMeta section={section} />
      </div>
      {section?.data ? <div className="stats">{children(section.data)}</div> : <Note section={section} />}
    </div>
  );
}

export function SynthesisCard({ event }: { event: PhaseEventOf<4> }) {
  const s = event.data.sections.synthesis;
  const d = s?.data;
  return (
    <section className="card analysis-card" aria-labelledby="h-synthesis">
      <div className="card-head">
        <h2 id="h-synthesis">Synthesis and outlook</h2>
        <PhaseQuality event={event} />
        <SectionMeta section={s} />
      </div>
      <Note section={s} />
      {d && (
        <div className="grid grid-2">
          <div>
            <p className="score">
              <span className={`score-value ${d.rating === "bullish" ? "up" : d.rating === "bearish" ? "down" : ""}`}>{d.score}</span>
              <span className="muted">/ 100 · {d.rating}</span>
            </p>
            <p className="muted small">{d.method}</p>
            <h3>Why</h3>
            <ul className="reasons">
              {d.reasons.map((r) => (
                <li key={r.factor}>
                  <span className={`points num ${r.points > 0 ? "up" : r.points < 0 ? "down" : "muted"}`}>
                    {r.points > 0 ? `+${r.points}` : r.points}
                  </span>
                  <span>{r.text.replace(/, [+-]?\d+$/, "")}</span>
                  <span className="muted small">{r.category}</span>
                </li>
              ))}
            </ul>
            {d.missing.length > 0 && <p className="muted small">Not scored (missing): {d.missing.join(", ")}.</p>}
          </div>
          <div>
            <h3>Expected price range</h3>
            {d.outlook ? (
              <>
                <table className="data ranges">
                  <caption className="visually-hidden">90% price ranges from realised volatility</caption>
                  <thead>
                    <tr>
                      <th scope="col">Horizon</th>
                      <th scope="col">Low</th>
                      <th scope="col">High</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.outlook.ranges.map((r) => (
                      <tr key={r.days}>
                        <th scope="row">{r.days} days</th>
                        <td className="num">
                          {formatPrice(r.low)} <span className="down small">{formatChange(r.lowPct)}</span>
                        </td>
                        <td className="num">
                          {formatPrice(r.high)} <span className="up small">{formatChange(r.highPct)}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="muted small">{d.outlook.assumption}</p>
              </>
            ) : (
              <p className="muted">No range: it needs a price and realised volatility.</p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
