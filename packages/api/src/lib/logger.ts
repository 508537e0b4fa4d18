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

export function createLogger(opts: { level?: string; pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
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
