/**
 * The one HTTP path to every market upstream: per-attempt timeout (AbortSignal), retries with
 * exponential backoff and jitter on 429 and 5xx (honouring Retry-After), an optional shared client-side
 * rate limit that also obeys `x-ratelimit-*` response headers, and zod validation of every body. Every
 * failure becomes an `UpstreamError`; nothing here can hang past its bounds or crash on a bad body.
 */
import type { UpstreamObserver } from "../lib/telemetry";
import { RateLimiterMemory, RateLimiterQueue } from "rate-limiter-flexible";
import type { z } from "zod";
import type { Logger } from "../lib/logger";
import { abortable, sleep } from "../lib/timeouts";
import { UpstreamError, type UpstreamProvider } from "./errors";

/** how a wait cut short by the caller's signal is reported */
const aborted = (provider: UpstreamProvider) => () => new UpstreamError(provider, "aborted", "aborted");

export interface RetryPolicy {
  /** further attempts after the first, on 429 / 5xx / network errors */
  maxRetries: number;
  /** first backoff; doubles per attempt (plus up to 50 % jitter) */
  baseDelayMs: number;
  /** a Retry-After longer than this is not waited out: the call fails as rate_limited at once */
  maxRetryAfterMs: number;
}

export const defaultRetry: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxRetryAfterMs: 30_000 };

/**
 * One budget of calls per window for every caller of a provider. rate-limiter-flexible's queue is used
 * (rather than a hand-written token bucket) because it already orders waiters FIFO and handles the
 * window arithmetic; its `block()` lets upstream `x-ratelimit-*` headers pause the queue.
 */
export class CallBudget {
  private readonly limiter: RateLimiterMemory;
  private readonly queue: RateLimiterQueue;
  constructor(
    readonly callsPerWindow: number,
    readonly windowMs = 60_000,
    /** how long a call may wait for the budget before it fails as rate_limited */
    readonly maxWaitMs = 30_000,
  ) {
    this.limiter = new RateLimiterMemory({ points: callsPerWindow, duration: windowMs / 1000 });
    this.queue = new RateLimiterQueue(this.limiter, { maxQueueSize: 10_000 });
  }

  async take(provider: UpstreamProvider, signal?: AbortSignal): Promise<void> {
    const expiresAt = Math.ceil((Date.now() + this.maxWaitMs) / 1000);
    const wait = this.queue.removeTokens(1, undefined, expiresAt).then(
      () => undefined,
      (err: unknown) => {
        throw new UpstreamError(provider, "rate_limited", "client-side call budget exhausted; try again shortly", { cause: err });
      },
    );
    await abortable(wait, signal, aborted(provider));
  }

  /** calls left in the current window (for the health page and ucie_upstream_budget_remaining) */
  async remaining(): Promise<{ remaining: number; limit: number }> {
    const res = await this.limiter.get("limiter");
    return { remaining: res ? Math.max(0, res.remainingPoints) : this.callsPerWindow, limit: this.callsPerWindow };
  }

  /** the upstream says the budget is spent: hold every caller for `ms` */
  async pause(ms: number): Promise<void> {
    if (ms > 0) await this.limiter.block("limiter", Math.min(ms, 3_600_000) / 1000);
  }
}

export interface HttpClientOptions {
  provider: UpstreamProvider;
  baseUrl: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  retry?: RetryPolicy;
  budget?: CallBudget;
  logger?: Logger;
  /** for tests that count; defaults to the global fetch */
  fetch?: typeof fetch;
  /** told the outcome of every call (metrics and the admin health page) */
  observer?: UpstreamObserver;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /** parse the body as plain text (mempool's /blocks/tip/height) rather than JSON */
  text?: boolean;
  /** statuses that are an answer, not a failure (e.g. Binance's 400 "Invalid symbol"): returned as `null` */
  nullOn?: (status: number, body: string) => boolean;
}

export class HttpClient {
  readonly provider: UpstreamProvider;
  readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  constructor(private readonly opts: HttpClientOptions) {
    this.provider = opts.provider;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.retry = opts.retry ?? defaultRetry;
  }

  /** GET `path`, validate with `schema`, retrying what is worth retrying. */
  async get<S extends z.ZodType>(path: string, schema: S, req: RequestOptions = {}): Promise<z.output<S>> {
    const result = await this.getRaw(path, req);
    if (result === null) return null as z.output<S>;
    let body: unknown = result;
    if (!req.text) {
      try {
        body = JSON.parse(result);
      } catch {
        throw new UpstreamError(this.provider, "invalid_response", `${path} answered with a body that is not JSON (${snippet(result)})`, {
          path,
        });
      }
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join(".") : "body";
      throw new UpstreamError(this.provider, "invalid_response", `${path} answered in an unexpected shape (${where}: ${issue?.message})`, {
        path,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  /** One call, its final outcome reported once (a retried 429 that then succeeds is a success). */
  private async getRaw(path: string, req: RequestOptions): Promise<string | null> {
    const observer = this.opts.observer;
    if (!observer) return this.attempts(path, req);
    try {
      const body = await this.attempts(path, req);
      observer.upstream(this.provider, "ok");
      return body;
    } catch (err) {
      if (err instanceof UpstreamError && err.kind !== "aborted")
        observer.upstream(this.provider, err.kind === "rate_limited" ? "rate_limited" : "error", err.message);
      throw err;
    }
  }

  private async attempts(path: string, req: RequestOptions): Promise<string | null> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const doFetch = this.opts.fetch ?? fetch;
    let lastError: UpstreamError | undefined;
    for (let attempt = 0; attempt <= this.retry.maxRetries; attempt++) {
      if (req.signal?.aborted) throw new UpstreamError(this.provider, "aborted", `${path} was aborted`, { path });
      await this.opts.budget?.take(this.provider, req.signal);
      const timeout = AbortSignal.timeout(this.opts.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      let body: string;
      try {
        res = await doFetch(url, { headers: { accept: "application/json", ...this.opts.headers }, signal });
        body = await res.text();
      } catch (err) {
        if (req.signal?.aborted) throw new UpstreamError(this.provider, "aborted", `${path} was aborted`, { path, cause: err });
        if (timeout.aborted) {
          // a timeout is not retried: the caller's whole wait stays bounded by one timeout per call
          throw new UpstreamError(this.provider, "timeout", `${path} did not answer within ${this.opts.timeoutMs} ms`, {
            path,
            cause: err,
          });
        }
        lastError = new UpstreamError(this.provider, "network", `${path} could not be reached (${(err as Error).message})`, {
          path,
          cause: err,
        });
        if (attempt < this.retry.maxRetries) {
          await sleep(this.backoff(attempt), req.signal, aborted(this.provider));
          continue;
        }
        throw lastError;
      }

      await this.honourRateHeaders(res.headers);
      if (res.ok) return body;
      if (req.nullOn?.(res.status, body)) return null;

      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
      if (res.status === 429) {
        lastError = new UpstreamError(this.provider, "rate_limited", `${path} answered 429 Too Many Requests`, {
          path,
          status: 429,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        });
        if (retryAfterMs !== undefined && retryAfterMs > this.retry.maxRetryAfterMs) throw lastError;
      } else if (res.status >= 500) {
        lastError = new UpstreamError(this.provider, "http", `${path} answered ${res.status}`, { path, status: res.status });
      } else {
        throw new UpstreamError(this.provider, "http", `${path} answered ${res.status} (${snippet(body)})`, { path, status: res.status });
      }
      if (attempt >= this.retry.maxRetries) throw lastError;
      const wait = Math.max(retryAfterMs ?? 0, this.backoff(attempt));
      this.opts.logger?.debug({ provider: this.provider, path, status: res.status, waitMs: wait }, "upstream busy, retrying");
      await sleep(wait, req.signal, aborted(this.provider));
    }
    throw lastError ?? new UpstreamError(this.provider, "network", `${path} failed`, { path });
  }

  private backoff(attempt: number): number {
    const base = this.retry.baseDelayMs * 2 ** attempt;
    return Math.round(base + Math.random() * base * 0.5);
  }

  /** `x-ratelimit-remaining: 0` with a reset time pauses the shared budget until then */
  private async honourRateHeaders(headers: Headers): Promise<void> {
    if (!this.opts.budget) return;
    const remaining = headers.get("x-ratelimit-remaining");
    if (remaining === null || Number(remaining) > 0) return;
    const resetMs = parseReset(headers.get("x-ratelimit-reset"));
    if (resetMs !== undefined) {
      this.opts.logger?.debug({ provider: this.provider, resetMs }, "upstream call budget spent; pausing");
      await this.opts.budget.pause(resetMs);
    }
  }
}

/** Retry-After: delay-seconds or an HTTP date -> ms from now */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** x-ratelimit-reset: seconds from now, epoch seconds, epoch ms or an HTTP date -> ms from now */
function parseReset(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) {
    if (n > 1e12) return Math.max(0, n - Date.now());
    if (n > 1e9) return Math.max(0, n * 1000 - Date.now());
    return Math.max(0, n * 1000);
  }
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, " ").trim();
  return s.length > 80 ? `${s.slice(0, 80)}...` : s || "empty body";
}
