/**
 * Test helpers for anything that needs signed-in users through `createCaller`: real services on a test
 * database, "browsers" that keep their session cookie between calls, and a one-line sign-up that goes
 * through the real register / verify / login procedures. Used by the auth tests; other routers' tests
 * may use them too.
 */
import { loadConfig } from "@ucie/config";
import type { TestDatabase } from "@ucie/db/testing";
import { createContextInner } from "../context";
import type { RequestMeta } from "../lib/request-meta";
import { FakeClock } from "../lib/clock";
import type { Logger } from "../lib/logger";
import type { MailMessage } from "../lib/mail";
import { createCaller } from "../root";
import { createServices, type Services } from "../services";
import { createAccessCodes } from "../auth/access-codes";

export interface AuthTestEnv {
  services: Services;
  clock: FakeClock;
  /** every e-mail sent, oldest first */
  mail: MailMessage[];
  /** a new browser: its own cookie jar and request metadata */
  browser(req?: Partial<RequestMeta>): TestBrowser;
  /** wait for an e-mail to `to` whose text matches, and return the token in its link */
  tokenFromMail(to: string, kind: "verify" | "reset-password", after?: number): Promise<string>;
  /** register (with a fresh access code), verify and log in; returns the browser that is logged in */
  signUp(email: string, password?: string, req?: Partial<RequestMeta>): Promise<TestBrowser & { userId: string }>;
  close(): Promise<void>;
}

export interface TestBrowser {
  api: ReturnType<typeof createCaller>;
  /** the session cookie this browser holds, or null */
  token: string | null;
  /** the device cookie it holds (set at each successful login, kept through logouts), or null */
  device: string | null;
  /** response headers set by the last call (e.g. Retry-After) */
  headers: Record<string, string>;
}

export const TEST_PASSWORD = "correct horse battery staple";
export const TEST_PUBLIC_URL = "http://ucie.test";

export async function createAuthTestEnv(
  database: TestDatabase,
  opts: { clock?: FakeClock; logger?: Logger; instanceId?: string } = {},
): Promise<AuthTestEnv> {
  const clock = opts.clock ?? new FakeClock(new Date("2026-03-01T12:00:00Z"));
  const mail: MailMessage[] = [];
  const services = createServices(database, {
    config: loadConfig({ MARKET_DATA: "offline", PUBLIC_URL: TEST_PUBLIC_URL, LOG_LEVEL: "silent" }),
    clock,
    logger: opts.logger,
    instanceId: opts.instanceId,
    mailer: { send: async (m) => void mail.push(m) },
  });

  const browser = (req: Partial<RequestMeta> = {}): TestBrowser => {
    const meta = { ip: "203.0.113.10", userAgent: "vitest browser", ...req };
    const b: TestBrowser = {
      token: null,
      device: null,
      headers: {},
      api: createCaller(async () => {
        b.headers = {};
        return createContextInner({
          services,
          sessionToken: b.token,
          req: meta,
          cookie: {
            name: "ucie_session",
            set: (token) => void (b.token = token),
            clear: () => void (b.token = null),
          },
          device: {
            get value() {
              return b.device;
            },
            set: (value) => void (b.device = value),
          },
          setHeader: (name, value) => void (b.headers[name.toLowerCase()] = value),
        });
      }),
    };
    return b;
  };

  const tokenFromMail = async (to: string, kind: "verify" | "reset-password", after = 0): Promise<string> => {
    const pattern = new RegExp(`${TEST_PUBLIC_URL}/${kind}\\?token=([\\w-]+)`);
    for (let i = 0; i < 200; i++) {
      const found = mail.slice(after).findLast((m) => m.to === to && pattern.test(m.text));
      if (found) return decodeURIComponent(pattern.exec(found.text)![1]!);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${kind} e-mail to ${to}`);
  };

  let signUps = 0;
  const signUp = async (email: string, password = TEST_PASSWORD, req: Partial<RequestMeta> = {}) => {
    // each sign-up from its own documentation-range address, so no per-IP limit is ever reached
    const b = browser({ ip: `198.51.100.${(signUps++ % 250) + 1}`, ...req });
    const [code] = await createAccessCodes(services.db, 1);
    const before = mail.length;
    const user = await b.api.auth.register({ email, password, accessCode: code! });
    await b.api.auth.verifyEmail({ token: await tokenFromMail(user.email, "verify", before) });
    await b.api.auth.login({ email, password });
    return Object.assign(b, { userId: user.id });
  };

  return {
    services,
    clock,
    mail,
    browser,
    tokenFromMail,
    signUp,
    async close() {
      await services.events.close();
    },
  };
}
