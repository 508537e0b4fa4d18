/**
 * The HTTP face of UCIE: security headers, a same-origin check on every state-changing request, body
 * limits, health probes, the tRPC API (queries, mutations, SSE subscriptions) and the built SPA.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type NextFunction, type Request, type Response } from "express";
import expressStaticGzip from "express-static-gzip";
import helmet from "helmet";
import { appRouter, createContextInner, readLogo, requestContext, type RequestStore, type Services, type SessionCookie } from "@ucie/api";

export const defaultWebDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");
/** Request bodies above this are refused with 413. */
export const MAX_BODY_BYTES = 100_000;

export interface AppOptions {
  services: Services;
  /** folder of the built SPA; the API still works when it is missing */
  webDist?: string;
}

export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-ucie_session" : "ucie_session";
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
    res.status(403).json({ error: { code: "FORBIDDEN", message: "Cross-origin request refused" } });
  });

  // Open SSE streams, so a shutdown can end them cleanly (clients then reconnect, to another instance if any)
  const streams = new Set<Response>();
  app.locals.streams = streams;
  app.use("/trpc", (req, res, next) => {
    if (req.method === "GET" && (req.headers.accept ?? "").includes("text/event-stream")) {
      streams.add(res);
      res.on("close", () => streams.delete(res));
    }
    next();
  });

  // Declared length over the limit: refuse before reading a byte. (tRPC also caps streamed bodies.)
  app.use("/trpc", (req, res, next) => {
    const len = Number(req.headers["content-length"] ?? 0);
    if (len > MAX_BODY_BYTES) {
      res.status(413).json({ error: { code: "PAYLOAD_TOO_LARGE", message: `Request body over ${MAX_BODY_BYTES} bytes` } });
      return;
    }
    next();
  });

  app.use(
    "/trpc",
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: MAX_BODY_BYTES,
      createContext: async ({ req, res }) => {
        const cookie: SessionCookie = {
          name: cookieName,
          set(token, expires) {
            res.append("Set-Cookie", serialiseCookie(cookieName, token, { expires, secure: config.secureCookies }));
          },
          clear() {
            res.append("Set-Cookie", serialiseCookie(cookieName, "", { expires: new Date(0), secure: config.secureCookies }));
          },
        };
        return createContextInner({
          services,
          sessionToken: readCookie(req.headers.cookie, cookieName),
          // req.ip honours X-Forwarded-For only when TRUST_PROXY is set ("trust proxy" above)
          req: { ip: req.ip ?? req.socket.remoteAddress ?? null, userAgent: req.headers["user-agent"] ?? null },
          cookie,
          setHeader: (name, value) => {
            if (!res.headersSent) res.setHeader(name, value);
          },
        });
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
    if (!res.headersSent) res.status(status).json({ error: { message: status >= 500 ? "Internal error" : err.message } });
  });

  return app;
}
