import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useTRPC } from "./trpc";

/** The signed-in user, or null; undefined while loading. */
export function useMe() {
  const trpc = useTRPC();
  const q = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  return { me: q.data, isLoading: q.isLoading };
}

/** Protected pages: send a signed-out visitor to /login and bring them back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { me, isLoading } = useMe();
  const location = useLocation();
  if (isLoading) return <div className="page-loading" role="status" aria-live="polite">Loading…</div>;
  if (!me) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}
