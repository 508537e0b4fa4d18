import { useMemo, useState } from "react";
import { Link } from "react-router";
import { CoinLogo } from "../../components/CoinLogo";
import { Sparkline } from "../../components/Sparkline";
import { changeClass, formatChange, formatPrice, formatTime, formatUsdCompact } from "../../lib/format";
import type { Token } from "../../lib/api-types";

type SortKey = "rank" | "name" | "symbol" | "price" | "change24h" | "marketCap" | "volume";
type Direction = "ascending" | "descending";

const COLUMNS: { key: SortKey; label: string; numeric: boolean; className?: string }[] = [
  { key: "rank", label: "#", numeric: true },
  { key: "name", label: "Name", numeric: false },
  { key: "symbol", label: "Symbol", numeric: false, className: "hide-sm" },
  { key: "price", label: "Price", numeric: true },
  { key: "change24h", label: "24 h", numeric: true, className: "hide-sm" },
  { key: "marketCap", label: "Market cap", numeric: true, className: "hide-sm" },
  { key: "volume", label: "Volume 24 h", numeric: true, className: "hide-md" },
];

function sortValue(t: Token, key: SortKey): number | string | null {
  switch (key) {
    case "rank":
      return t.isActive ? t.rank : null;
    case "name":
      return t.name.toLowerCase();
    case "symbol":
      return t.symbol;
    case "price":
      return t.priceUsd;
    case "change24h":
      return t.change24hPct;
    case "marketCap":
      return t.marketCapUsd;
    case "volume":
      return t.volume24hUsd;
  }
}

const SOURCE_TEXT = { live: "live CoinGecko data", snapshot: "offline snapshot", simulated: "simulated (offline)" } as const;

/** hover text for a figure: the value, where it came from, and when */
function provenance(t: Token, value: string): string {
  const state = t.isActive ? "" : " · delisted: last known value";
  return `${value} · ${SOURCE_TEXT[t.source]} · as of ${formatTime(t.asOf)}${state}`;
}

export function MarketTable({ tokens }: { tokens: Token[] }) {
  const [sort, setSort] = useState<{ key: SortKey; dir: Direction }>({ key: "rank", dir: "ascending" });
  const sorted = useMemo(() => {
    const sign = sort.dir === "ascending" ? 1 : -1;
    return [...tokens].sort((a, b) => {
      const va = sortValue(a, sort.key);
      const vb = sortValue(b, sort.key);
      // missing values (and delisted coins' ranks) always sink to the bottom
      if (va === null && vb === null) return (a.rank ?? 1e9) - (b.rank ?? 1e9);
      if (va === null) return 1;
      if (vb === null) return -1;
      if (typeof va === "string" && typeof vb === "string") return sign * va.localeCompare(vb);
      return sign * ((va as number) - (vb as number));
    });
  }, [tokens, sort]);

  const toggle = (key: SortKey, numeric: boolean) =>
    setSort((s) =>
      s.key === key
        ? { key, dir: s.dir === "ascending" ? "descending" : "ascending" }
        : // figures read best largest-first; rank and text smallest-first
          { key, dir: numeric && key !== "rank" ? "descending" : "ascending" },
    );

  return (
    <div className="table-wrap market-table">
      <table className="data">
        <caption className="visually-hidden">Tokens by market capitalisation; the column buttons sort the table</caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                className={[c.numeric && c.key !== "rank" ? "r" : "", c.className ?? ""].join(" ").trim() || undefined}
                aria-sort={sort.key === c.key ? sort.dir : "none"}
              >
                <button type="button" className="sort" onClick={() => toggle(c.key, c.numeric)}>
                  {c.label}
                  <span className="sort-mark" aria-hidden="true">
                    {sort.key === c.key ? (sort.dir === "ascending" ? "▲" : "▼") : ""}
                  </span>
                </button>
              </th>
            ))}
            <th scope="col" className="r">
              7 days
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((t) => (
            <tr key={t.id} className={t.isActive ? undefined : "delisted"}>
              <td className="num muted">{t.isActive && t.rank ? t.rank : "–"}</td>
              <td>
                <Link to={`/token/${encodeURIComponent(t.id)}`} className="coin-cell">
                  <CoinLogo src={t.logo} symbol={t.symbol} />
                  <span className="coin-text">
                    <span className="coin-name">{t.name}</span>
                    <span className="coin-symbol-sm muted">{t.symbol}</span>
                  </span>
                </Link>
                {!t.isActive && (
                  <span className="badge delisted" title={`Left the top list; last priced ${formatTime(t.asOf)}`}>
                    delisted
                  </span>
                )}
              </td>
              <td className="hide-sm muted">{t.symbol}</td>
              <td className="r num" title={provenance(t, formatPrice(t.priceUsd))}>
                {formatPrice(t.priceUsd)}
                {/* phone width: the 24 h column is hidden and its figure sits under the price */}
                <span className={`change-sm ${changeClass(t.change24hPct)}`}>{formatChange(t.change24hPct)}</span>
              </td>
              <td
                className={`r num hide-sm ${changeClass(t.change24hPct)}`}
                title={provenance(t, `24 h change ${formatChange(t.change24hPct)}`)}
              >
                {formatChange(t.change24hPct)}
              </td>
              <td className="r num hide-sm" title={provenance(t, `market cap ${formatUsdCompact(t.marketCapUsd)}`)}>
                {formatUsdCompact(t.marketCapUsd)}
              </td>
              <td className="r num hide-md" title={provenance(t, `24 h volume ${formatUsdCompact(t.volume24hUsd)}`)}>
                {formatUsdCompact(t.volume24hUsd)}
              </td>
              <td className="r spark-cell">
                <Sparkline
                  points={t.sparkline7d}
                  width={110}
                  height={30}
                  label={
                    t.sparklineSource
                      ? `${t.name} 7-day trend (${t.sparklineSource === "simulated" ? "simulated" : SOURCE_TEXT[t.sparklineSource]})`
                      : undefined
                  }
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MarketTableSkeleton({ rows }: { rows: number }) {
  return (
    <div className="table-wrap market-table" aria-busy="true">
      <div role="status" className="visually-hidden">
        Loading market data…
      </div>
      <table className="data" aria-hidden="true">
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i}>
              <td style={{ width: "3rem" }}>
                <div className="skeleton" />
              </td>
              <td>
                <div className="skeleton" style={{ width: "10rem" }} />
              </td>
              <td className="hide-sm">
                <div className="skeleton" style={{ width: "3rem" }} />
              </td>
              <td>
                <div className="skeleton" style={{ width: "6rem" }} />
              </td>
              <td>
                <div className="skeleton" style={{ width: "4rem" }} />
              </td>
              <td className="hide-sm">
                <div className="skeleton" style={{ width: "5rem" }} />
              </td>
              <td>
                <div className="skeleton" style={{ width: "6rem" }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
