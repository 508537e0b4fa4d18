/**
 * Compile-time checks of the client's types, run by this package's `typecheck` (never executed): results
 * carry the router's types, and a wrong field or input is a type error.
 */
import { createUcieClient, type UcieClientError } from "./index";

export async function typesFlowFromTheRouter(): Promise<void> {
  const ucie = createUcieClient({ url: "http://localhost:3000", token: "ucie_pat_…" });
  const watchlist = await ucie.watchlist.list.query();
  const symbol: string = watchlist[0]!.symbol;
  // @ts-expect-error: a watchlist entry has no such field
  void watchlist[0]!.notAField;
  // @ts-expect-error: the input needs a symbol
  await ucie.watchlist.add.mutate({});
  // @ts-expect-error: a scope is read, watchlist or alerts
  await ucie.auth.tokens.create.mutate({ name: "x", scopes: ["admin"] });
  const fired = await ucie.alerts.triggers.query();
  const when: Date = fired[0]!.triggeredAt;
  void [symbol, when];
  ucie.alerts.onTriggered.subscribe(undefined, {
    onData: (e) => {
      const id: string = e.id;
      // @ts-expect-error: an event's data is a trigger, not a string
      const wrong: string = e.data;
      void [id, wrong];
    },
    onError: (err: UcieClientError) => {
      const code: string | undefined = err.data?.code;
      void code;
    },
  });
}
