/**
 * The one place for time limits and abort races. Each helper settles the caller's promise early but leaves
 * the work itself running (it may be shared with other callers); pass the work a signal to stop it too.
 */

export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/** `work`, or a rejection with `onTimeout()` (default a TimeoutError) once `ms` have passed. */
export function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => unknown = () => new TimeoutError(ms)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** `work`, or a rejection as soon as `signal` aborts: with `onAbort()` if given, else the signal's reason. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort: () => unknown = () => signal?.reason): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(onAbort());
    signal.addEventListener("abort", stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

/** Wait `ms`, or reject as `abortable` does when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal, onAbort?: () => unknown): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return abortable(wait, signal, onAbort).finally(() => clearTimeout(timer));
}
