/**
 * The HTTP face of UCIE: security headers, a same-origin check on every state-changing request, body
 * limits, health probes, the tRPC API (queries, mutations, SSE subscriptions) and the built SPA.
 */
import { metricsHandler, requestMetrics } from "./metrics";
import { collectAnswer, sendCachedAnswer } from "./answer-cache";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { STATUS_CODES } from "node:http";
import { TRPCError } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type NextFunction, type Request, type Response } from "express";
import expressStaticGzip from "express-static-gzip";
import helmet from "helmet";
import {
  appRouter,
  createContextInner,
  hashToken,
  readLogo,
  MAX_BATCH_CALLS,
  requestContext,
  type RequestStore,
  type Services,
  type SessionCookie,
} from "@ucie/api";

/** The built SPA, found through the @ucie/web package: the same from the TypeScript source and the compiled server. */
export const defaultWebDist = path.join(path.dirname(createRequire(import.meta.url).resolve("@ucie/web/package.json")), "dist");
/** Request bodies above this are refused with 413. */
export const MAX_BODY_BYTES = 100_000;

/** Public market data: the same for everyone, so an anonymous answer may be cached briefly by browsers and proxies. */
const PUBLIC_PROCEDURES = new Set(["tokens.list", "tokens.get", "tokens.search", "tokens.history", "tokens.historyMeta", "screener.run"]);
/**
 * Public procedures whose finished anonymous answers are reused for a moment (services.caches.answers): the
 * ones many visitors ask the same of at once. Long histories stay out (big, and costed by their length).
 */
const ANSWER_CACHE_PROCEDURES = new Set(["tokens.list", "tokens.get", "tokens.search", "screener.run"]);
/**
 * What one anonymous call takes from its address's budget: 1, a long history one more per 100 days (a
 * 10-year history is 37: its answer is 500 KB), and nothing for `system.ping`, which costs less than
 * refusing it would (health checks, benchmarks).
 */
async function anonymousCost(call: { path: string; getRawInput(): Promise<unknown> }): Promise<number> {
  if (call.path === "system.ping") return 0;
  if (call.path !== "tokens.history" && call.path !== "tokens.historyMeta") return 1;
  const input = await call.getRawInput().catch(() => null);
  const days = input && typeof input === "object" && "days" in input ? Number(input.days) : 0;
  return Number.isFinite(days) && days > 0 ? 1 + Math.floor(Math.min(days, 3650) / 100) : 1;
}

export interface AppOptions {
  services: Services;
  /** folder of the built SPA; the API still works when it is missing */
  webDist?: string;
}

export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-ucie_session" : "ucie_session";
}

/** The device cookie (packages/api auth/device-cookie.ts): outlives sessions and logouts. */
export function deviceCookieName(secure: boolean): string {
  return secure ? "__Host-ucie_device" : "ucie_device";
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

function serialiseCookie(name: string, value: string, opts: { expires: Date; secure: boolean }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", "SameSite=Lax", `Expires=${opts.expires.toUTCString()}`];
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

const anonymousRefusal = (wait: number) => `Too many requests from your address: try again in ${wait} s, or log in`;

/** A 429 in tRPC's own shape (one error per call of a batch), for refusals made before tRPC runs. */
function tooManyRequests(req: Request, res: Response, retryAfterSeconds: number, message: string): void {
  const error = { error: { json: { message, code: -32029, data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } } } };
  const calls = req.query.batch === "1" ? req.path.slice(1).split(",").length : 0;
  res.setHeader("Retry-After", String(retryAfterSeconds));
  res.status(429).json(calls ? Array.from({ length: calls }, () => error) : error);
}

/** The token of `Authorization: Bearer <token>`, or null. */
function bearerToken(req: Request): string | null {
  const m = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return m ? m[1]! : null;
}

/** Is this request from our own origin? Browsers send Origin on every cross-site POST. */
function isSameOrigin(req: Request, allowed: Set<string>): boolean {
  const origin = req.headers.origin;
  if (origin) {
    if (allowed.has(origin)) return true;
    // the origin the request was actually addressed to (covers 127.0.0.1 vs localhost, random test ports)
    const host = req.headers.host;
    return !!host && (origin === `http://${host}` || origin === `https://${host}`);
  }
  const site = req.headers["sec-fetch-site"];
  return site === "same-origin";
}

export function createApp({ services, webDist = defaultWebDist }: AppOptions): express.Express {
  const { config, logger } = services;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.TRUST_PROXY ? 1 : false);
  const cookieName = sessionCookieName(config.secureCookies);
  const deviceName = deviceCookieName(config.secureCookies);
  const allowedOrigins = new Set([new URL(config.publicUrl).origin]);
  if (config.NODE_ENV === "development") allowedOrigins.add("http://localhost:5173");

  // request id (and, once the session is read, user id) on every log line written while serving the request
  app.use((req, res, next) => {
    const incoming = req.headers["x-request-id"];
    const reqId = typeof incoming === "string" && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader("X-Request-Id", reqId);
    const store: RequestStore = { reqId };
    const started = performance.now();
    const path = req.path; // before routers strip their mount point
    res.on("finish", () => {
      if (path === "/healthz" || path === "/readyz") return;
      const line = {
        reqId,
        userId: store.userId,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      };
      if (res.statusCode >= 500) logger.error(line, "request failed");
      else logger.debug(line, "request");
    });
    requestContext.run(store, next);
  });

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // coin logos come from our own /logos: the browser asks no third party
          imgSrc: ["'self'", "data:"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'"],
          connectSrc: ["'self'"],
          upgradeInsecureRequests: config.secureCookies ? [] : null,
        },
      },
      strictTransportSecurity: config.secureCookies,
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.get("/metrics", metricsHandler(services));

  app.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });
  app.get("/readyz", async (_req, res) => {
    const ok = await services.database.ping(1500);
    res.status(ok ? 200 : 503).json({ ok, database: ok ? "up" : "down" });
  });

  // CSRF: no state change from another origin. GET and HEAD never change state (tRPC mutations are POST).
  app.use((req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    if (isSameOrigin(req, allowedOrigins)) return next();
    // a script's bearer token is no ambient credential a foreign page could borrow: with no cookie, nothing to forge
    if (req.path.startsWith("/trpc/") && bearerToken(req) && !req.headers.cookie) return next();
    res.status(403).json({ error: { code: "FORBIDDEN", message: "Cross-origin request refused" } });
  });

  // Every API answer may depend on the session unless shown otherwise (responseMeta below), and nothing that
  // sets a cookie is ever stored by a cache, whatever a procedure said
  app.use("/trpc", (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    const writeHead = res.writeHead.bind(res);
    res.writeHead = function (this: Response, ...args: Parameters<Response["writeHead"]>) {
      if (this.getHeader("set-cookie") !== undefined) this.setHeader("Cache-Control", "no-store");
      return writeHead(...args);
    } as Response["writeHead"];
    next();
  });

  // Open SSE streams, so a shutdown can end them cleanly (clients then reconnect, to another instance if any)
  const streams = new Set<Response>();
  app.locals.streams = streams;
  // and at most STREAMS_PER_SESSION per session cookie and STREAMS_PER_IP per address, refused before tRPC
  // starts the stream (a refusal inside it would arrive as an event after a 200)
  app.use("/trpc", (req, res, next) => {
    if (req.method === "GET" && (req.headers.accept ?? "").includes("text/event-stream")) {
      const credential = bearerToken(req) ?? readCookie(req.headers.cookie, cookieName);
      const release = services.limits.streams.open(credential ? hashToken(credential) : null, req.ip ?? req.socket.remoteAddress ?? null);
      if (!release) {
        tooManyRequests(req, res, 60, "Too many open streams: close another tab or window first");
        return;
      }
      streams.add(res);
      services.telemetry.sseOpen.inc();
      res.on("close", () => {
        streams.delete(res);
        release();
        services.telemetry.sseOpen.dec();
      });
    }
    next();
  });

  // An address without a session that has spent its budget is refused here, before tRPC parses anything: a
  // flood of refused calls then costs about what a 404 does. (The budget itself is counted in createContext.)
  app.use("/trpc", (req, res, next) => {
    if (req.headers.cookie?.includes(`${cookieName}=`) || req.headers.authorization) return next();
    if (req.path === "/system.ping") return next();
    services.limits.anonymousCalls.blockedFor(req.ip ?? req.socket.remoteAddress ?? null).then((wait) => {
      if (wait === null) next();
      else tooManyRequests(req, res, wait, anonymousRefusal(wait));
    }, next);
  });

  // per-procedure request metrics only when something scrapes them (METRICS_TOKEN set)
  if (config.METRICS_TOKEN) app.use("/trpc", requestMetrics(services));

  // Declared length over the limit: refuse before reading a byte. (tRPC also caps streamed bodies.)
  app.use("/trpc", (req, res, next) => {
    const len = Number(req.headers["content-length"] ?? 0);
    if (len > MAX_BODY_BYTES) {
      res.status(413).json({ error: { code: "PAYLOAD_TOO_LARGE", message: `Request body over ${MAX_BODY_BYTES} bytes` } });
      return;
    }
    next();
  });

  // Anonymous public queries many visitors send alike (search as they type, screener pages): a finished
  // answer is reused for 2 s (see answer-cache.ts); the caller's budget is charged as tRPC would charge it.
  const answers = services.caches.answers;
  app.use("/trpc", (req, res, next) => {
    if (req.method !== "GET" || req.headers.cookie?.includes(`${cookieName}=`) || req.headers.authorization) return next();
    // a streamed batch (httpBatchStreamLink) is answered in another format
    if (req.headers["trpc-accept"] !== undefined || req.headers.accept === "application/jsonl") return next();
    const paths = req.path.slice(1).split(",");
    if (!paths.every((p) => ANSWER_CACHE_PROCEDURES.has(p))) return next();
    const key = req.originalUrl;
    const hit = answers.get(key);
    if (!hit) {
      collectAnswer(res, answers.limits.maxAnswerBytes, (answer) => answers.set(key, answer));
      return next();
    }
    const budget = services.limits.anonymousCalls;
    const ip = req.ip ?? req.socket.remoteAddress ?? null;
    Promise.all(paths.map((p) => anonymousCost({ path: p, getRawInput: () => Promise.resolve(null) })))
      .then(async (costs) => {
        const points = costs.reduce((a, b) => a + Math.min(b, budget.perWindow), 0);
        // a batch that could never pass: tRPC refuses it with its own message
        if (points > budget.perWindow) return next();
        const wait = await budget.take(ip, points);
        if (wait !== null) tooManyRequests(req, res, wait, anonymousRefusal(wait));
        else sendCachedAnswer(res, hit);
      })
      .catch(next);
  });

  app.use(
    "/trpc",
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: MAX_BODY_BYTES,
      // refused with 400 while the request is parsed, before any call runs (tRPC issue 7153: not in createContext)
      maxBatchSize: MAX_BATCH_CALLS,
      responseMeta({ ctx, paths, type, errors }) {
        const cacheable =
          type === "query" && !errors.length && !ctx?.user && !!paths?.length && paths.every((p) => PUBLIC_PROCEDURES.has(p));
        // Vary: a browser that signs in must not reuse the visitor's answer (prices in another currency)
        return cacheable ? { headers: { "cache-control": "public, max-age=30", vary: "Cookie, Authorization" } } : {};
      },
      createContext: async ({ req, res, info }) => {
        const cookie: SessionCookie = {
          name: cookieName,
          set(token, expires) {
            res.append("Set-Cookie", serialiseCookie(cookieName, token, { expires, secure: config.secureCookies }));
          },
          clear() {
            res.append("Set-Cookie", serialiseCookie(cookieName, "", { expires: new Date(0), secure: config.secureCookies }));
          },
        };
        // req.ip honours X-Forwarded-For only when TRUST_PROXY is set ("trust proxy" above)
        const ip = req.ip ?? req.socket.remoteAddress ?? null;
        const ctx = await createContextInner({
          services,
          sessionToken: readCookie(req.headers.cookie, cookieName),
          bearerToken: bearerToken(req),
          req: { ip, userAgent: req.headers["user-agent"] ?? null },
          cookie,
          device: {
            value: readCookie(req.headers.cookie, deviceName),
            set(value, expires) {
              res.append("Set-Cookie", serialiseCookie(deviceName, value, { expires, secure: config.secureCookies }));
            },
          },
          setHeader: (name, value) => {
            if (!res.headersSent) res.setHeader(name, value);
          },
        });
        if (info.type !== "subscription" && !ctx.user) {
          const budget = services.limits.anonymousCalls;
          let points = 0;
          for (const call of info.calls) points += Math.min(await anonymousCost(call), budget.perWindow);
          if (points > budget.perWindow) {
            // only a batch can cost more than a whole window (one call is capped at it): it could never pass
            throw new TRPCError({
              code: "TOO_MANY_REQUESTS",
              message: "These calls together cost more than a visitor may ask for at once: send them one by one, or log in",
            });
          }
          const wait = points ? await budget.take(ip, points) : null;
          if (wait !== null) {
            res.setHeader("Retry-After", String(wait));
            throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: anonymousRefusal(wait) });
          }
        }
        return ctx;
      },
      onError({ error, path: procedure, req }) {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          logger.error({ err: error.cause ?? error, procedure, method: req.method }, "procedure failed");
        }
      },
    }),
  );

  // coin logos from our own origin (fetched once from the market source's image host): the browser asks no third party
  app.get("/logos/:coinId", async (req, res, next) => {
    try {
      const coinId = req.params.coinId;
      const logo = /^[\w.-]{1,100}$/.test(coinId) ? await readLogo(services.db, coinId) : null;
      if (!logo) {
        res.status(404).type("text").send("No logo");
        return;
      }
      // the URL carries the content hash (?v=<etag>): a year of caching is safe
      res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
      res.setHeader("ETag", `"${logo.etag}"`);
      res.setHeader("X-Content-Type-Options", "nosniff");
      if (req.headers["if-none-match"] === `"${logo.etag}"`) {
        res.status(304).end();
        return;
      }
      res.type(logo.contentType).send(logo.body);
    } catch (err) {
      next(err);
    }
  });

  if (existsSync(path.join(webDist, "index.html"))) {
    // source maps stay with the build: the public gets the minified code only
    app.use((req, res, next) => {
      if (req.path.endsWith(".map")) res.status(404).type("text").send("Not found");
      else next();
    });
    // the build writes .br and .gz beside each asset; the best one the browser accepts goes out, with Vary.
    // (Only static files: /trpc, and so every SSE stream, is never compressed.)
    const precompressed = { enableBrotli: true, orderPreference: ["br", "gzip"], index: false };
    app.use(
      "/assets",
      expressStaticGzip(path.join(webDist, "assets"), {
        ...precompressed,
        serveStatic: { immutable: true, maxAge: "1y", fallthrough: false },
      }),
    );
    app.use(expressStaticGzip(webDist, { ...precompressed, serveStatic: { index: false, maxAge: "1h" } }));
    app.get("/{*splat}", (_req, res) => {
      res.setHeader("Cache-Control", "no-cache");
      res.sendFile(path.join(webDist, "index.html"));
    });
  } else {
    app.get("/{*splat}", (_req, res) => {
      res.status(503).type("text").send("The web app is not built yet: run `pnpm start` (it builds it) or `pnpm build`.");
    });
  }

  app.use((err: Error & { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status >= 500) logger.error({ err, path: req.path }, "unhandled error");
    // a fixed text per status: errors from static files carry the server's own paths (ENOENT ... stat '/srv/...')
    if (!res.headersSent)
      res.status(status).json({ error: { message: status >= 500 ? "Internal error" : (STATUS_CODES[status] ?? "Error") } });
  });

  return app;
}
