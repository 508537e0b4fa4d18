import pino, { type Logger } from "pino";
import { requestContext } from "./request-context";

export type { Logger };

/** Paths never written to the log, wherever they appear in a log object. */
const REDACT = [
  "password",
  "*.password",
  "token",
  "*.token",
  "accessCode",
  "*.accessCode",
  "cookie",
  "*.cookie",
  "headers.cookie",
  "headers.authorization",
  "req.headers.cookie",
  "req.headers.authorization",
  "res.headers['set-cookie']",
  "apiKey",
  "*.apiKey",
];

/** "Failed query: ...\nparams: a,b,c" (drizzle's DrizzleQueryError): the values may be an access code or an e-mail. */
const QUERY_PARAMS = /\nparams: [\s\S]*?(?=\n\s+at |$)/g;

/** Scrub what a logged error carries of its query's bound values (message, stack, `params`, causes alike). */
function scrubQueryParams(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(QUERY_PARAMS, "\nparams: [redacted]");
  if (!value || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrubQueryParams(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === "params" ? "[redacted]" : scrubQueryParams(v, depth + 1);
  return out;
}

/** pino's error serializer, then the query parameters taken out. */
export function serializeError(err: unknown): unknown {
  return scrubQueryParams(err instanceof Error ? pino.stdSerializers.err(err) : err);
}

export function createLogger(opts: { level?: string; pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: { err: serializeError },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // the request id (and user id, once known) on every line written while serving a request
    mixin() {
      const store = requestContext.getStore();
      if (!store) return {};
      return store.userId ? { reqId: store.reqId, userId: store.userId } : { reqId: store.reqId };
    },
  };
  if (opts.destination) return pino(options, opts.destination);
  if (opts.pretty) {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss" } } });
  }
  return pino(options);
}

/** A logger that drops everything: the default in tests. */
export const silentLogger: Logger = pino({ level: "silent" });
