/** The loading, failed and empty states a page shows around a list it fetches, so they look and read alike everywhere. */
import type { ReactNode } from "react";

type Heading = "h2" | "h3";

export function SkeletonRows({ label, count }: { label: string; count: number }) {
  return (
    <div className="table-wrap" aria-busy="true" aria-label={label}>
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="skeleton wl-skeleton-row" />
      ))}
    </div>
  );
}

export function LoadError({
  title,
  error,
  onRetry,
  heading: H = "h2",
}: {
  title: string;
  error: { message: string };
  onRetry: () => void;
  heading?: Heading;
}) {
  return (
    <div className="card error-state" role="alert">
      <H>{title}</H>
      <p className="muted">{error.message}</p>
      <button type="button" className="btn" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

export function EmptyState({ title, heading: H = "h2", children }: { title: string; heading?: Heading; children: ReactNode }) {
  return (
    <div className="card empty">
      <H>{title}</H>
      <p>{children}</p>
    </div>
  );
}
