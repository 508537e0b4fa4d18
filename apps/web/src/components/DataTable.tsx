import type { ReactNode } from "react";

export type SortDirection = "ascending" | "descending";
/** A column; with `sort`, its header is a button that sorts by it (aria-sort tells which way). */
type Column = string | { label: string; className?: string; sort?: { direction: SortDirection | null; onSort: () => void } };

/**
 * A data table whose last column holds each row's buttons (unless `actions` is false); that column's header is for
 * screen readers only. With `region`, the scrolling box is a named, focusable region (keyboard users can scroll it).
 */
export function DataTable({
  className,
  caption,
  columns,
  actions = true,
  region,
  children,
}: {
  className?: string;
  caption: ReactNode;
  columns: readonly Column[];
  actions?: boolean;
  region?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" {...(region ? { tabIndex: 0, role: "region", "aria-label": region } : {})}>
      <table className={className ? `data ${className}` : "data"}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === "string" ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.label} scope="col" className={c.className} aria-sort={c.sort ? (c.sort.direction ?? "none") : undefined}>
                  {c.sort ? (
                    <button type="button" className="sort" onClick={c.sort.onSort}>
                      {c.label}
                      <span className="sort-mark" aria-hidden="true">
                        {c.sort.direction === "ascending" ? "▲" : c.sort.direction === "descending" ? "▼" : ""}
                      </span>
                    </button>
                  ) : (
                    c.label
                  )}
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
  );
}
