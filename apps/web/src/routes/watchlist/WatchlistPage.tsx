import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@ucie/api";
import { NOTES_MAX_LENGTH } from "@ucie/api/limits";
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import { Link, useBlocker } from "react-router";
import { SourceBadge } from "../../components/SourceBadge";
import { CoinLogo } from "../../components/CoinLogo";
import { DataTable, type SortDirection } from "../../components/DataTable";
import { EmptyState, LoadError, SkeletonRows } from "../../components/QueryStates";
import { TokenSearch } from "../../components/TokenSearch";
import { errorCode, useTRPC } from "../../lib/trpc";
import { changeClass, formatChange, formatIndicator, formatPrice, formatTime, formatUsdCompact, timeAgo } from "../../lib/format";

type Item = RouterOutputs["watchlist"]["list"][number];

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

type SortKey = "name" | "price" | "change24h" | "change7d" | "marketCap" | "rsi" | "alerts";
const SORTS: { key: SortKey; label: string; hide?: string }[] = [
  { key: "name", label: "Coin" },
  { key: "price", label: "Price" },
  { key: "change24h", label: "24 h" },
  { key: "change7d", label: "7 d" },
  { key: "marketCap", label: "Market cap", hide: "hide-md" },
  { key: "rsi", label: "RSI" },
  { key: "alerts", label: "Alerts" },
];

function sortValue(item: Item, key: SortKey): number | string | null {
  switch (key) {
    case "name":
      return item.name.toLowerCase();
    case "price":
      return item.priceUsd;
    case "change24h":
      return item.delisted ? null : item.change24h;
    case "change7d":
      return item.delisted ? null : item.change7d;
    case "marketCap":
      return item.marketCapUsd;
    case "rsi":
      return item.rsi14;
    case "alerts":
      return item.alertCount;
  }
}

/** Newest first until a column is chosen; missing values always last. */
function sortItems(items: Item[], sort: { key: SortKey; dir: SortDirection } | null): Item[] {
  if (!sort) return items;
  const sign = sort.dir === "ascending" ? 1 : -1;
  return [...items].sort((a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    if (typeof va === "string" || typeof vb === "string") return sign * String(va).localeCompare(String(vb));
    return sign * (va - vb);
  });
}

/** Tells the page which notes have unsaved changes. */
const UnsavedNotes = createContext<(id: string, dirty: boolean) => void>(() => {});

export function WatchlistPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.watchlist.list.queryOptions(undefined, { refetchInterval: 60_000 }));
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null);
  // notes with unsaved changes: leaving the page asks first (one blocker for the page: the router allows one)
  const [unsaved, setUnsaved] = useState<ReadonlySet<string>>(new Set());
  const markUnsaved = useCallback((id: string, dirty: boolean) => {
    setUnsaved((prev) => {
      if (prev.has(id) === dirty) return prev;
      const next = new Set(prev);
      if (dirty) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  useUnsavedChangesWarning(unsaved.size > 0, "A note is not saved. Leave anyway?");
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDirection } | null>(null);
  const toggleSort = (key: SortKey) =>
    setSort((s) =>
      s?.key === key
        ? { key, dir: s.dir === "ascending" ? "descending" : "ascending" }
        : // figures read best largest-first, names A to Z
          { key, dir: key === "name" ? "ascending" : "descending" },
    );
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.watchlist.list.queryKey() });
  const add = useMutation(
    trpc.watchlist.add.mutationOptions({
      onSuccess: (item) => {
        setNotice({ text: `${item.name} added to your watchlist.`, ok: true });
        void invalidate();
      },
      onError: (err) =>
        setNotice({
          text: errorCode(err) === "CONFLICT" ? "That coin is already on your watchlist." : `Could not add it: ${err.message}`,
          ok: false,
        }),
    }),
  );

  return (
    <UnsavedNotes.Provider value={markUnsaved}>
      <section className="page watchlist-page" aria-labelledby="watchlist-title">
        <div className="page-header">
          <div>
            <h1 id="watchlist-title">Watchlist</h1>
            <p className="muted home-sub">Coins you follow, with their latest price. Prices refresh every minute.</p>
          </div>
          <TokenSearch
            label="Add a coin to your watchlist"
            placeholder="Add a coin: name or ticker"
            onSelect={(hit) => add.mutate({ symbol: hit.id })}
          />
        </div>
        <div role="status" aria-live="polite" className="watchlist-notice">
          {notice && <p className={notice.ok ? "form-success" : "form-error"}>{notice.text}</p>}
        </div>

        {list.isPending ? (
          <SkeletonRows label="Loading your watchlist" count={4} />
        ) : list.isError ? (
          <LoadError title="Your watchlist could not be loaded" error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.length === 0 ? (
          <EmptyState title="Your watchlist is empty">
            Search for a coin above to add it, or open one from <Link to="/">Markets</Link> and choose “Add to watchlist”.
          </EmptyState>
        ) : (
          <DataTable
            className="watchlist-table"
            caption={`Your watchlist: ${list.data.length} coins; the column buttons sort it`}
            columns={[
              ...SORTS.map((c) => ({
                label: c.label,
                className: c.key === "name" ? undefined : `r${c.hide ? ` ${c.hide}` : ""}`,
                sort: { direction: sort?.key === c.key ? sort.dir : null, onSort: () => toggleSort(c.key) },
              })),
              "Notes",
            ]}
          >
            {sortItems(list.data, sort).map((item) => (
              <WatchlistRow key={item.id} item={item} onChanged={() => void invalidate()} onNotice={setNotice} />
            ))}
          </DataTable>
        )}
      </section>
    </UnsavedNotes.Provider>
  );
}

function WatchlistRow({
  item,
  onChanged,
  onNotice,
}: {
  item: Item;
  onChanged: () => void;
  onNotice: (n: { text: string; ok: boolean }) => void;
}) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(
    trpc.watchlist.remove.mutationOptions({
      onSuccess: () => {
        onNotice({ text: `${item.name} removed from your watchlist.`, ok: true });
        onChanged();
      },
      onError: (err) => onNotice({ text: `Could not remove ${item.name}: ${err.message}`, ok: false }),
    }),
  );
  return (
    <tr className={item.delisted ? "delisted" : undefined}>
      <td data-label="Coin">
        <Link to={`/token/${encodeURIComponent(item.id)}`} className="wl-coin">
          <CoinLogo src={item.logo} symbol={item.symbol} />
          <span className="wl-name">{item.name}</span>
          <span className="muted wl-symbol">{item.symbol}</span>
        </Link>
      </td>
      <td data-label="Price" className="r num">
        {formatPrice(item.priceUsd)}
        {item.priceSource === "snapshot" && !item.delisted && (
          <div>
            <SourceBadge source="snapshot" asOf={item.priceAt} />
          </div>
        )}
        {item.delisted && (
          <div className="wl-delisted">
            <span className="badge delisted">delisted</span>{" "}
            <span className="muted small" title={item.priceAt ? dateTime.format(new Date(item.priceAt)) : undefined}>
              last price {timeAgo(item.priceAt)}
            </span>
          </div>
        )}
      </td>
      <td data-label="24 h" className={`r num ${item.delisted ? "" : changeClass(item.change24h)}`}>
        {item.delisted ? "–" : formatChange(item.change24h)}
      </td>
      <td data-label="7 d" className={`r num ${item.delisted ? "" : changeClass(item.change7d)}`}>
        {item.delisted ? "–" : formatChange(item.change7d)}
      </td>
      <td data-label="Market cap" className="r num hide-md">
        {formatUsdCompact(item.marketCapUsd)}
      </td>
      <td data-label="RSI" className="r num" title={item.rsiAt ? `RSI (14) from the last analysis, ${formatTime(item.rsiAt)}` : undefined}>
        {item.rsi14 === null ? (
          <span className="muted" title="Open the coin to analyse it">
            —
          </span>
        ) : (
          formatIndicator("rsi", item.rsi14)
        )}
      </td>
      <td data-label="Alerts" className="r num">
        <Link
          to={`/alerts?symbol=${encodeURIComponent(item.id)}`}
          aria-label={`${item.alertCount} alert${item.alertCount === 1 ? "" : "s"} on ${item.name}`}
        >
          {item.alertCount}
        </Link>
      </td>
      <td data-label="Notes" className="wl-notes">
        <NotesEditor item={item} onSaved={onChanged} />
      </td>
      <td className="wl-actions">
        {confirming ? (
          <span className="row" role="group" aria-label={`Remove ${item.name}?`}>
            <span className="small">Remove {item.symbol}?</span>
            <button
              type="button"
              className="btn btn-sm btn-danger"
              onClick={() => remove.mutate({ symbol: item.id })}
              disabled={remove.isPending}
            >
              {remove.isPending ? "Removing…" : "Remove"}
            </button>
            <button type="button" className="btn btn-sm" onClick={() => setConfirming(false)} autoFocus>
              Keep
            </button>
          </span>
        ) : (
          <span className="row">
            <Link className="btn btn-sm" to={`/alerts?symbol=${encodeURIComponent(item.id)}`} aria-label={`Set an alert for ${item.name}`}>
              Alert
            </Link>
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              onClick={() => setConfirming(true)}
              aria-label={`Remove ${item.name} from your watchlist`}
            >
              Remove
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}

/** What a note may hold (the API's limit, `watchlist.update`). */
export const NOTE_MAX = NOTES_MAX_LENGTH;

/**
 * Notes edited in place, with visible Save and Cancel: Enter saves (Shift+Enter is a new line), Escape
 * cancels, a counter shows the length, and an over-long note is refused with a clear error rather than
 * cut. Clicking away keeps the edit open; leaving the page with unsaved changes asks first.
 */
function NotesEditor({ item, onSaved }: { item: Item; onSaved: () => void }) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(item.notes ?? "");
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const save = useMutation(
    trpc.watchlist.update.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        setError(null);
        onSaved();
      },
      onError: (err) => setError(err.message),
    }),
  );
  const dirty = editing && text !== (item.notes ?? "");
  const markUnsaved = useContext(UnsavedNotes);
  useEffect(() => {
    markUnsaved(item.id, dirty);
    return () => markUnsaved(item.id, false);
  }, [markUnsaved, item.id, dirty]);
  useEffect(() => {
    if (editing) inputRef.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      buttonRef.current?.focus();
    }
  }, [editing]);

  if (!editing) {
    return (
      <button
        ref={buttonRef}
        type="button"
        className="wl-note-button"
        onClick={() => {
          setText(item.notes ?? "");
          setEditing(true);
        }}
        aria-label={item.notes ? `Edit note for ${item.name}: ${item.notes}` : `Add a note for ${item.name}`}
      >
        {item.notes ? <span className="wl-note-text">{item.notes}</span> : <span className="muted">Add a note</span>}
      </button>
    );
  }
  const length = text.trim().length;
  const over = length - NOTE_MAX;
  const shownError =
    over > 0 ? `Too long by ${over.toLocaleString("en-US")} characters: a note holds ${NOTE_MAX.toLocaleString("en-US")}.` : error;
  const errorId = `note-error-${item.id}`;
  const counterId = `note-count-${item.id}`;
  const submit = () => {
    if (over > 0 || save.isPending) return;
    save.mutate({ symbol: item.id, notes: text });
  };
  const cancel = () => {
    setError(null);
    returnFocus.current = true;
    setEditing(false);
  };
  return (
    <div className="wl-note-edit">
      <textarea
        ref={inputRef}
        value={text}
        rows={Math.min(6, Math.max(2, text.split("\n").length))}
        aria-label={`Note for ${item.name}`}
        aria-describedby={`note-hint-${item.id} ${counterId}${shownError ? ` ${errorId}` : ""}`}
        aria-invalid={shownError ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            submit();
          } else if (e.key === "Escape") {
            e.preventDefault();
            cancel();
          }
        }}
        disabled={save.isPending}
      />
      <span id={`note-hint-${item.id}`} className="visually-hidden">
        Enter saves, Shift+Enter starts a new line, Escape cancels.
      </span>
      <div className="wl-note-bar">
        <span id={counterId} className={`small num ${over > 0 ? "down" : "muted"}`}>
          {length.toLocaleString("en-US")} / {NOTE_MAX.toLocaleString("en-US")}
        </span>
        <span className="row">
          <button type="button" className="btn btn-sm btn-primary" onClick={submit} disabled={over > 0 || save.isPending}>
            {save.isPending ? "Saving…" : "Save"}
          </button>
          <button type="button" className="btn btn-sm" onClick={cancel} disabled={save.isPending}>
            Cancel
          </button>
        </span>
      </div>
      {shownError && (
        <span id={errorId} className="error small" role="alert">
          {shownError}
        </span>
      )}
    </div>
  );
}

/** Ask before leaving (another page of the app, a reload, closing the tab) while `dirty`. */
function useUnsavedChangesWarning(dirty: boolean, message: string) {
  const blocker = useBlocker(dirty);
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm(message)) blocker.proceed();
    else blocker.reset();
  }, [blocker, message]);
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);
}
