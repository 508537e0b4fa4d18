import type { ReactNode } from "react";

type Column = string | { label: string; className: string };

/** A data table whose last column holds each row's buttons; that column's header is for screen readers only. */
export function DataTable({
  className,
  caption,
  columns,
  children,
}: {
  className: string;
  caption: ReactNode;
  columns: readonly Column[];
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={`data ${className}`}>
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
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
