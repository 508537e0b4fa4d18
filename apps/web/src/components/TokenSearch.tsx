/**
 * Token search as an ARIA 1.2 combobox (input + listbox): type to search the catalogue, Arrow Up/Down
 * to move, Enter to open the token page (or `onSelect`), Escape to close, Escape again to clear.
 * Each hit shows logo, name, ticker, rank, and marks a ticker that belongs to a better-ranked coin.
 */
import { useQuery } from "@tanstack/react-query";
import type { RouterOutputs } from "@ucie/api";
import { SEARCH_QUERY_MAX_LENGTH } from "@ucie/api/limits";
import { useEffect, useId, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { useTRPC } from "../lib/trpc";
import { CoinLogo } from "./CoinLogo";

export type TokenSearchHit = RouterOutputs["tokens"]["search"][number];

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function TokenSearch({
  onSelect,
  label = "Search tokens",
  placeholder = "Search by name or ticker",
}: {
  onSelect?: (hit: TokenSearchHit) => void;
  label?: string;
  placeholder?: string;
}) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const id = useId();
  const listId = `${id}-list`;
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const query = useDebounced(text.trim(), 150);
  const enabled = query.length > 0;
  const search = useQuery({ ...trpc.tokens.search.queryOptions({ query, limit: 8 }), enabled, placeholderData: (prev) => prev });
  const hits = enabled ? (search.data ?? []) : [];
  const showList = open && text.trim().length > 0;

  const results = enabled ? search.data : undefined;
  const [activeFor, setActiveFor] = useState(results);
  if (activeFor !== results) {
    setActiveFor(results);
    setActive(hits.length ? 0 : -1);
  }

  const choose = (hit: TokenSearchHit) => {
    setOpen(false);
    if (onSelect) onSelect(hit);
    else void navigate(`/token/${encodeURIComponent(hit.id)}`);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      if (hits.length) setActive((a) => (a + 1) % hits.length);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
      if (hits.length) setActive((a) => (a <= 0 ? hits.length - 1 : a - 1));
    } else if (e.key === "Enter") {
      const hit = hits[active];
      if (showList && hit) {
        e.preventDefault();
        choose(hit);
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (showList) setOpen(false);
      else setText("");
    } else if (e.key === "Home" || e.key === "End") {
      // leave caret movement to the input
    }
  };

  // offline the catalogue holds the snapshot's coins only: a miss says so (tokens.list's first row is cached)
  const catalogue = useQuery(trpc.tokens.list.queryOptions({ limit: 1 }, { enabled: enabled && hits.length === 0, staleTime: 5 * 60_000 }));
  const noMatch =
    catalogue.data?.source === "snapshot"
      ? `No coins match. Offline, the ${catalogue.data.total} coins of the 2021-06-24 snapshot are all there is.`
      : "No coins match.";
  const status = !enabled
    ? ""
    : search.isError
      ? "Search failed. Try again."
      : search.isFetching && !search.data
        ? "Searching…"
        : hits.length === 0
          ? noMatch
          : `${hits.length} result${hits.length === 1 ? "" : "s"}, use the arrow keys to choose.`;

  return (
    <div className="token-search">
      <label htmlFor={`${id}-input`} className="visually-hidden">
        {label}
      </label>
      <svg className="token-search-icon" width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="11" cy="11" r="7" stroke="currentColor" strokeWidth="2" fill="none" />
        <path d="M20 20l-4-4" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <input
        ref={inputRef}
        id={`${id}-input`}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 && hits[active] ? `${id}-opt-${active}` : undefined}
        autoComplete="off"
        spellCheck={false}
        maxLength={SEARCH_QUERY_MAX_LENGTH}
        placeholder={placeholder}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" aria-label={label} className="token-search-list" hidden={!showList}>
        {showList &&
          hits.map((h, i) => (
            <li
              key={h.id}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : undefined}
              onMouseDown={(e) => e.preventDefault()}
              onMouseEnter={() => setActive(i)}
              onClick={() => choose(h)}
            >
              <CoinLogo src={h.logo} symbol={h.symbol} size={22} />
              <span className="ts-name">{h.name}</span>
              <span className="ts-symbol">{h.symbol}</span>
              {h.tickerOwnedByHigherRank && (
                <span className="badge shared" title={`Another coin with a better market-cap rank also uses the ticker ${h.symbol}`}>
                  shared ticker
                </span>
              )}
              {!h.isActive && <span className="badge delisted">delisted</span>}
              <span className="ts-rank muted">{h.rank ? `#${h.rank}` : "unranked"}</span>
            </li>
          ))}
      </ul>
      <div className="visually-hidden" role="status" aria-live="polite">
        {showList ? status : ""}
      </div>
      {showList && enabled && hits.length === 0 && (
        <div className="token-search-empty muted">
          {search.isError ? "Search failed. Try again." : search.isFetching ? "Searching…" : noMatch}
        </div>
      )}
    </div>
  );
}
