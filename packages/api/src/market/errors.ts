/**
 * The one error every market-data provider throws when an upstream cannot answer. Callers branch on
 * `kind` (and `retryable`), never on message text; nothing here carries an API key.
 */
export type UpstreamErrorKind =
  /** no answer within UPSTREAM_TIMEOUT_MS */
  | "timeout"
  /** connection refused, DNS failure, reset */
  | "network"
  /** HTTP 429, still refused after the retries (retryAfterMs says how long the upstream asked to wait) */
  | "rate_limited"
  /** any other non-2xx status */
  | "http"
  /** a 2xx body that is not JSON or not the expected shape (a proxy's HTML page, garbage) */
  | "invalid_response"
  /** the caller aborted */
  | "aborted"
  /** the source has no such data in this mode (e.g. a coin the offline snapshot does not hold) */
  | "unavailable";

export type UpstreamProvider = "coingecko" | "fear-greed" | "news" | "defillama" | "derivatives" | "mempool" | "offline";

export class UpstreamError extends Error {
  readonly provider: UpstreamProvider;
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** the path called, without query string or host (no key can leak through it) */
  readonly path: string | undefined;

  constructor(
    provider: UpstreamProvider,
    kind: UpstreamErrorKind,
    message: string,
    opts: { status?: number; retryAfterMs?: number; path?: string; cause?: unknown } = {},
  ) {
    super(`${provider}: ${message}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "UpstreamError";
    this.provider = provider;
    this.kind = kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.path = opts.path;
  }

  /** worth another try later (the caller's own decision; providers already retried) */
  get retryable(): boolean {
    return (
      this.kind === "timeout" ||
      this.kind === "network" ||
      this.kind === "rate_limited" ||
      (this.kind === "http" && (this.status ?? 0) >= 500)
    );
  }

  /** the upstream could not be reached or answered with a failure (MARKET_DATA=auto falls back on these) */
  get unreachable(): boolean {
    return this.kind !== "aborted" && this.kind !== "unavailable";
  }
}

export function isUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError;
}
