/**
 * Test helpers for whole-server tests: start a real UCIE HTTP server on a fresh database and talk to
 * it with the real tRPC client, cookies and all (a tiny cookie jar stands in for the browser's).
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createSession, type AppRouter, type Clock, type EventBus, type Logger, type Mailer, type MailMessage } from "@ucie/api";
import { users } from "@ucie/db";
import { sessionCookieName } from "./app";
import { loadConfig } from "@ucie/config";
import { createTestDb, type TestDatabase, type TestDbKind } from "@ucie/db/testing";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { startServer, type RunningServer } from "./server";

export interface TestServer extends RunningServer {
  database: TestDatabase;
  /** every e-mail the server sent, newest last */
  mail: MailMessage[];
  /** a new client with its own cookie jar (a separate browser) */
  client(): TestClient;
  /** a client signed in as a new verified user (made directly in the database, no e-mail round trip) */
  signedInClient(email?: string): Promise<TestClient & { userId: string; token: string }>;
}

export interface TestClient {
  trpc: ReturnType<typeof createTRPCClient<AppRouter>>;
  cookies: Map<string, string>;
  /** fetch against the server with this client's cookies and our Origin */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestServerOptions {
  kind?: TestDbKind;
  /** reuse a database (several servers on one database) */
  database?: TestDatabase;
  env?: Record<string, string>;
  clock?: Clock;
  mailer?: Mailer;
  /** the server's logger (a test that reads the log passes one writing to its own stream) */
  logger?: Logger;
  /** folder of a built SPA to serve (default: apps/web/dist) */
  webDist?: string;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const database = opts.database ?? (await createTestDb(opts.kind));
  // every test client comes from 127.0.0.1: the anonymous budget is raised for all but the tests of that limit
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    MARKET_DATA: "offline",
    LOG_LEVEL: "silent",
    ANON_CALLS_PER_MINUTE: "1000000",
    ...opts.env,
  });
  const mail: MailMessage[] = [];
  // with SMTP_URL in env the server's own nodemailer transport sends (browser tests read a local SMTP sink)
  const mailer: Mailer | undefined = opts.mailer ?? (opts.env?.SMTP_URL ? undefined : { send: async (m) => void mail.push(m) });
  const running = await startServer({
    config,
    database,
    clock: opts.clock,
    mailer,
    logger: opts.logger,
    webDist: opts.webDist,
    jobs: false,
  });
  const close = () => running.close();
  return {
    ...running,
    database,
    mail,
    client: () => createTestClient(running.url),
    async signedInClient(email = `user-${Math.random().toString(36).slice(2, 10)}@example.com`) {
      const [user] = await database.db
        .insert(users)
        .values({ email, passwordHash: "not-a-real-hash", emailVerified: true })
        .returning({ id: users.id });
      const { token } = await createSession(database.db, user!.id, running.services.clock, running.services.sessionPolicy);
      const client = createTestClient(running.url);
      client.cookies.set(sessionCookieName(running.services.config.secureCookies), token);
      return { ...client, userId: user!.id, token };
    },
    async close() {
      await close();
      if (!opts.database) await database.close();
    },
  };
}

export interface ServerPair {
  database: TestDatabase;
  a: TestServer;
  b: TestServer;
  /** closes both servers, then the database */
  close(): Promise<void>;
}

/** Two server instances on one fresh database, for what must hold across instances. */
export async function startServerPair(opts: Omit<TestServerOptions, "database"> = {}): Promise<ServerPair> {
  const database = await createTestDb(opts.kind);
  const started: TestServer[] = [];
  const close = async () => {
    for (const s of started) await s.close();
    await database.close();
  };
  try {
    started.push(await startTestServer({ ...opts, database }));
    started.push(await startTestServer({ ...opts, database }));
  } catch (err) {
    await close();
    throw err;
  }
  return { database, a: started[0]!, b: started[1]!, close };
}

export function createTestClient(baseUrl: string): TestClient {
  const cookies = new Map<string, string>();
  const origin = new URL(baseUrl).origin;
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split("=")[1]!).getTime() <= Date.now());
      if (!value || expired) cookies.delete(name);
      else cookies.set(name, value);
    }
  };
  const cookieFetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("origin", origin);
    if (cookies.size) headers.set("cookie", cookieHeader());
    const res = await fetch(input, { ...init, headers });
    remember(res);
    return res;
  };
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: `${baseUrl}/trpc`,
          transformer: superjson,
          EventSource,
          eventSourceOptions: () => ({ fetch: (input, init) => cookieFetch(input, init) }),
        }),
        false: httpBatchLink({ url: `${baseUrl}/trpc`, transformer: superjson, fetch: cookieFetch }),
      }),
    ],
  });
  return {
    trpc,
    cookies,
    fetch: (path, init) => cookieFetch(new URL(path, baseUrl), init),
  };
}

/**
 * Counts the event-bus subscriptions a server opens and closes, by channel. A stream is listening once its
 * subscription is open and over once it is closed: events a test waits for instead of sleeping.
 */
export function countSubscriptions(server: { services: { events: EventBus } }): {
  opened(channel: string): number;
  closed(channel: string): number;
} {
  const bus = server.services.events;
  const subscribe = bus.subscribe.bind(bus);
  const opened = new Map<string, number>();
  const closed = new Map<string, number>();
  const bump = (m: Map<string, number>, channel: string) => m.set(channel, (m.get(channel) ?? 0) + 1);
  bus.subscribe = async (channel, handler) => {
    const unsubscribe = await subscribe(channel, handler);
    bump(opened, channel);
    let done = false;
    return () => {
      if (!done) bump(closed, channel);
      done = true;
      unsubscribe();
    };
  };
  return { opened: (c) => opened.get(c) ?? 0, closed: (c) => closed.get(c) ?? 0 };
}
