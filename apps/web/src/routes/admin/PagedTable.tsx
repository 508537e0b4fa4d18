import type { ComponentProps, ReactNode } from "react";
import { DataTable } from "../../components/DataTable";
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

/**
 * An admin list: skeleton rows while the first page loads, the error with a retry, the table (DataTable) in a scrollable
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
  columns: ComponentProps<typeof DataTable>["columns"];
  actions?: boolean;
  skeletonRows?: number;
  children: ReactNode;
}) {
  if (list.isPending) return <SkeletonRows label={label.loading} count={skeletonRows} />;
  if (list.isError && list.error) return <LoadError title={label.error} error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <>
      <DataTable caption={caption} columns={columns} actions={actions} region={label.region}>
        {children}
      </DataTable>
      {list.hasNextPage && (
        <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}
