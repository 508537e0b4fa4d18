import { hashKey, useQuery, useQueryClient, type Query } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { errorCode, useTRPC } from "./trpc";

/** The signed-in user, or null; undefined while loading. */
export function useMe() {
  const trpc = useTRPC();
  const q = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  return { me: q.data, isLoading: q.isLoading };
}

/**
 * After a login or logout every cached answer may belong to someone else: empty them all, go to `to`,
 * and let the pages fetch again as the new user (or visitor). `notice` is shown by the login page.
 *
 * Queries are emptied in place, never removed while shown: a mounted useQuery stays subscribed to the
 * Query object it was given, and a removed query's replacement is a new object it never hears of until its
 * component re-renders. The header does not re-render on navigation, so it kept showing "Log in" after a
 * login (and "Account" after a logout) until a reload.
 */
export function useResetSessionData() {
  const queryClient = useQueryClient();
  const trpc = useTRPC();
  const navigate = useNavigate();
  return async (signedIn: boolean, to: string, notice?: string) => {
    const meKey = trpc.auth.me.queryKey();
    const meHash = hashKey(meKey);
    // "observed": some mounted component holds the query (a disabled one too, e.g. preferences for a visitor)
    const observed = (q: Query) => q.queryHash !== meHash && q.getObserversCount() > 0;
    await queryClient.cancelQueries();
    // answers nobody holds: gone
    queryClient.removeQueries({ predicate: (q) => q.queryHash !== meHash && q.getObserversCount() === 0 });
    if (signedIn) {
      // who we are, fetched into the query the header and pages observe (they re-render with it)
      await queryClient.fetchQuery({ ...trpc.auth.me.queryOptions(), staleTime: 0 });
      // answers held on screen: emptied, and those enabled fetched again as the new user
      void queryClient.resetQueries({ predicate: observed });
    } else {
      queryClient.setQueryData(meKey, null);
      // answers held on screen: emptied; refetching them without a session would only earn UNAUTHORIZED
      for (const q of queryClient.getQueryCache().findAll({ predicate: observed })) q.reset();
    }
    // Rendered at once (flushSync), before the query's listeners hear of the change (TanStack Query tells
    // them on its next tick): so a protected page being left never renders for the visitor it now has, which
    // would send them to /login?next=… instead, without the notice.
    await navigate(to, { replace: true, flushSync: true, ...(notice ? { state: { notice } } : {}) });
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
