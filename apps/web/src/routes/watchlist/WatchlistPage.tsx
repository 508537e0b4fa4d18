import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@ucie/api";
import { NOTES_MAX_LENGTH } from "@ucie/api/limits";
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { SourceBadge } from "../../components/SourceBadge";
import { CoinLogo } from "../../components/CoinLogo";
import { DataTable } from "../../components/DataTable";
import { EmptyState, LoadError, SkeletonRows } from "../../components/QueryStates";
import { TokenSearch } from "../../components/TokenSearch";
import { errorCode, useTRPC } from "../../lib/trpc";
import { changeClass, formatPct, formatPrice, timeAgo } from "../home/format";

type Item = RouterOutputs["watchlist"]["list"][number];

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function WatchlistPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.watchlist.list.queryOptions(undefined, { refetchInterval: 60_000 }));
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null);
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
          caption={`Your watchlist: ${list.data.length} coins`}
          columns={["Coin", { label: "Price", className: "r" }, { label: "24 h", className: "r" }, "Notes"]}
        >
          {list.data.map((item) => (
            <WatchlistRow key={item.id} item={item} onChanged={invalidate} onNotice={setNotice} />
          ))}
        </DataTable>
      )}
    </section>
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
        {item.delisted ? "–" : formatPct(item.change24h)}
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

/** Notes edited in place: Enter saves, Escape cancels. */
function NotesEditor({ item, onSaved }: { item: Item; onSaved: () => void }) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(item.notes ?? "");
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const save = useMutation(
    trpc.watchlist.update.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        setError(null);
        returnFocus.current = true;
        onSaved();
      },
      onError: (err) => setError(err.message),
    }),
  );
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
  const errorId = `note-error-${item.id}`;
  return (
    <div className="wl-note-edit">
      <input
        ref={inputRef}
        type="text"
        value={text}
        maxLength={NOTES_MAX_LENGTH}
        aria-label={`Note for ${item.name}`}
        aria-describedby={`note-hint-${item.id}${error ? ` ${errorId}` : ""}`}
        aria-invalid={error ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            save.mutate({ symbol: item.id, notes: text });
          } else if (e.key === "Escape") {
            e.preventDefault();
            setError(null);
            returnFocus.current = true;
            setEditing(false);
          }
        }}
        disabled={save.isPending}
      />
      <span id={`note-hint-${item.id}`} className="visually-hidden">
        Enter saves, Escape cancels.
      </span>
      <span className="muted small" aria-hidden="true">
        {save.isPending ? "Saving…" : "Enter to save · Esc to cancel"}
      </span>
      {error && (
        <span id={errorId} className="error small" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
