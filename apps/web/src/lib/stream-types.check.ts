/**
 * Compile-time proof that the analysis stream reaches the page with the router's own types: this file is
 * only typechecked (never imported). If the technical section lost its type, `noSuchField` would stop
 * being an error and the `@ts-expect-error` below would fail `pnpm --filter @ucie/web typecheck`.
 */
import { makeTrpcClient } from "./trpc";

const client = makeTrpcClient();

// quoted from issue 13 as written
// prettier-ignore
client.analysis.stream.subscribe({ symbol: "bitcoin", sessionId: "abcdefgh" }, { onData(ev) {
  if (ev.data.phase === 3) {
    const rsi: number | null | undefined = ev.data.data.sections.technical?.data?.rsi14; // eslint-disable-line @typescript-eslint/no-unused-vars -- only its type matters
    // @ts-expect-error no such field
    ev.data.data.sections.technical?.data?.noSuchField; // eslint-disable-line @typescript-eslint/no-unused-expressions -- the type error is the test
  } } });
