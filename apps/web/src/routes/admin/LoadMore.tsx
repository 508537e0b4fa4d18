/** "Load more" under a cursor-paginated table. */
export function LoadMore({ hasNext, loading, onClick }: { hasNext: boolean; loading: boolean; onClick: () => void }) {
  if (!hasNext) return null;
  return (
    <button type="button" className="btn" onClick={onClick} disabled={loading}>
      {loading ? "Loading…" : "Load more"}
    </button>
  );
}
