import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { errorCode, useTRPC } from "./trpc";

/** The signed-in user, or null; undefined while loading. */
export function useMe() {
  const trpc = useTRPC();
  const q = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  return { me: q.data, isLoading: q.isLoading };
}

/**
 * After a login or logout every cached answer may belong to someone else: drop them all and let the
 * pages fetch again as the new user (or visitor).
 */
export function useResetSessionData() {
  const queryClient = useQueryClient();
  const trpc = useTRPC();
  return async (signedIn: boolean) => {
    await queryClient.cancelQueries();
    queryClient.removeQueries();
    if (signedIn) await queryClient.fetchQuery(trpc.auth.me.queryOptions());
    else queryClient.setQueryData(trpc.auth.me.queryKey(), null);
  };
}

/**
 * A session can end elsewhere (logout on another device, password reset, expiry). When any call comes
 * back UNAUTHORIZED, re-ask who we are, so RequireAuth sends the visitor to the login page.
 */
function useRecheckOnUnauthorized() {
  const queryClient = useQueryClient();
  const trpc = useTRPC();
  useEffect(() => {
    const onError = (error: unknown) => {
      if (errorCode(error) === "UNAUTHORIZED") void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
    };
    const unsubQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") onError(event.action.error);
    });
    const unsubMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") onError(event.action.error);
    });
    return () => {
      unsubQueries();
      unsubMutations();
    };
  }, [queryClient, trpc]);
}

/** Protected pages: send a signed-out visitor to /login and bring them back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { me, isLoading } = useMe();
  const location = useLocation();
  useRecheckOnUnauthorized();
  if (isLoading)
    return (
      <div className="page-loading" role="status" aria-live="polite">
        Loading…
      </div>
    );
  if (!me) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}
