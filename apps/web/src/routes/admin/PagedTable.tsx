import type { ReactNode } from "react";
import { LoadError, SkeletonRows } from "../../components/QueryStates";

/** What PagedTable reads of a cursor-paginated `useInfiniteQuery`. */
interface PagedList {
  isPending: boolean;
  isError: boolean;
  error: { message: string } | null;
  refetch(): Promise<unknown>;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): Promise<unknown>;
}

/** A column header: its label, or a label with a class (`r` for numbers). */
type Column = string | { label: string; className: string };

/**
 * An admin list: skeleton rows while the first page loads, the error with a retry, the table in a scrollable
 * region (its last column for each row's buttons when `actions`), and "Load more" while there are more pages.
 */
export function PagedTable({
  list,
  label,
  caption,
  columns,
  actions = false,
  skeletonRows = 4,
  children,
}: {
  list: PagedList;
  /** what the list holds, e.g. "Users": names the region, "Loading users" and "Could not load the users" */
  label: { region: string; loading: string; error: string };
  caption: string;
  columns: readonly Column[];
  actions?: boolean;
  skeletonRows?: number;
  children: ReactNode;
}) {
  if (list.isPending) return <SkeletonRows label={label.loading} count={skeletonRows} />;
  if (list.isError && list.error) return <LoadError title={label.error} error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <>
      <div className="table-wrap" tabIndex={0} role="region" aria-label={label.region}>
        <table className="data">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) =>
                typeof c === "string" ? (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ) : (
                  <th key={c.label} scope="col" className={c.className}>
                    {c.label}
                  </th>
                ),
              )}
              {actions && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
      {list.hasNextPage && (
        <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}
