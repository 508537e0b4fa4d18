import { TRPCError } from "@trpc/server";
import type { Services } from "./services";
import { isDatabaseUnavailable } from "./lib/db-errors";
import { requestContext } from "./lib/request-context";
import type { RequestMeta } from "./lib/request-meta";
import { validateSession } from "./auth/session";
import { CHALLENGE_COOKIE_PREFIX } from "./auth/two-factor";

/** A database outage as the API reports it: 503 with a clear message, never the driver's error. */
export function databaseUnavailableError(cause: unknown): TRPCError {
  return new TRPCError({
    code: "SERVICE_UNAVAILABLE",
    message: "The database is unavailable right now; please try again in a moment.",
    cause,
  });
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  expires?: Date;
}

/** How procedures set and clear the session cookie; HTTP writes Set-Cookie, tests record calls. */
export interface SessionCookie {
  name: string;
  set(token: string, expires: Date): void;
  clear(): void;
}

/** The browser's device cookie (auth/device-cookie.ts): what it sent, and how to give it a new one. */
export interface DeviceCookieJar {
  value: string | null;
  set(value: string, expires: Date): void;
}

export interface CreateContextInnerOptions {
  services: Services;
  sessionToken?: string | null;
  req?: Partial<RequestMeta>;
  cookie?: SessionCookie;
  device?: DeviceCookieJar;
  /** sets an HTTP response header (e.g. Retry-After on a throttled login); absent under createCaller */
  setHeader?: (name: string, value: string) => void;
}

export async function createContextInner(opts: CreateContextInnerOptions) {
  const { services } = opts;
  const cookieValue = opts.sessionToken ?? null;
  // the cookie holds either a session token or, between password and second factor, a challenge token
  const pending = cookieValue?.startsWith(CHALLENGE_COOKIE_PREFIX) ? cookieValue.slice(CHALLENGE_COOKIE_PREFIX.length) : null;
  const token = pending === null ? cookieValue : null;
  const validation = await validateSession(services, token).catch((err: unknown) => {
    throw isDatabaseUnavailable(err) ? databaseUnavailableError(err) : err;
  });
  const store = requestContext.getStore();
  if (store && validation.user) store.userId = validation.user.id;
  return {
    services,
    session: validation.session,
    user: validation.user,
    sessionToken: validation.session ? token : null,
    /** the pending two-factor login this browser holds, if any */
    twoFactorChallenge: pending,
    req: { ip: opts.req?.ip ?? null, userAgent: opts.req?.userAgent ?? null } satisfies RequestMeta,
    cookie: opts.cookie ?? recordingCookie(),
    device: opts.device ?? ({ value: null, set: () => {} } satisfies DeviceCookieJar),
    setHeader: opts.setHeader ?? ((_name: string, _value: string) => {}),
  };
}

export type Context = Awaited<ReturnType<typeof createContextInner>>;

/** A cookie sink for createCaller: remembers the last value set (tests read it to log in). */
export function recordingCookie(name = "ucie_session"): SessionCookie & { value: string | null } {
  const jar = {
    name,
    value: null as string | null,
    set(token: string) {
      jar.value = token;
    },
    clear() {
      jar.value = null;
    },
  };
  return jar;
}
