/**
 * The one schema of every environment variable UCIE reads (see shared API.md, "Environment").
 * Parsed once per process by `loadConfig()`; nothing else reads `process.env`.
 */
import path from "node:path";
import { z } from "zod";

const url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    `must be a ${protocols.map((p) => p.replace(":", "://")).join(" or ")} URL`,
  );

const int = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};
const bool = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");

const variables = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
  DATA_DIR: z.string().default("./.data"),
  /** where auth logs past retention are archived before deletion; unset: DATA_DIR/archive */
  ARCHIVE_DIR: z.string().optional(),
  DB_POOL_MAX: int(1, 500).default(10),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_URL: url(["http:", "https:"]).optional(),
  TRUST_PROXY: bool.default(false),
  SMTP_URL: url(["smtp:", "smtps:"]).optional(),
  MAIL_FROM: z.string().default("UCIE <no-reply@localhost>"),
  MARKET_DATA: z.enum(["live", "offline", "auto"]).default("auto"),
  COINGECKO_API_BASE: url(["http:", "https:"]).optional(),
  COINGECKO_API_KEY: z.string().optional(),
  COINGECKO_API_PLAN: z.enum(["demo", "pro"]).default("demo"),
  COINGECKO_CALLS_PER_MINUTE: int(1, 10000).optional(),
  FEAR_GREED_API_BASE: url(["http:", "https:"]).default("https://api.alternative.me"),
  NEWS_API_BASE: url(["http:", "https:"]).default("https://min-api.cryptocompare.com"),
  DEFILLAMA_API_BASE: url(["http:", "https:"]).default("https://api.llama.fi"),
  DERIVATIVES_API_BASE: url(["http:", "https:"]).default("https://fapi.binance.com"),
  MEMPOOL_API_BASE: url(["http:", "https:"]).default("https://mempool.space/api"),
  UPSTREAM_TIMEOUT_MS: int(100, 120_000).default(8000),
  ALERT_INTERVAL_SECONDS: int(1, 86_400).default(60),
  TOKEN_SYNC_INTERVAL_HOURS: int(1, 24 * 30).default(24),
  PRICE_REFRESH_SECONDS: int(10, 86_400).default(60),
  SESSION_IDLE_TIMEOUT_HOURS: int(1, 24 * 365).default(24 * 7),
  SESSION_ABSOLUTE_LIFETIME_DAYS: int(1, 365).default(30),
  /** let webhooks and push reach loopback and private addresses (self-hosting, tests); link-local never */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** how long a webhook or push service may take to answer; a claimed delivery is held this long plus 5 s */
  WEBHOOK_TIMEOUT_SECONDS: int(1, 60).default(10),
  /** limits on what a stranger can ask for (README "Limits") */
  REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
  HEADERS_TIMEOUT_MS: int(100, 600_000).default(20_000),
  ANON_CALLS_PER_MINUTE: int(1, 1_000_000).default(300),
  STREAMS_PER_SESSION: int(1, 10_000).default(10),
  STREAMS_PER_IP: int(1, 100_000).default(50),
  ANALYSIS_REFRESHES_PER_MINUTE: int(1, 10_000).default(10),
  ANALYSIS_SESSIONS_PER_HOUR: int(1, 100_000).default(120),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_PRETTY: bool.default(false),
  /** bearer token Prometheus sends to GET /metrics; unset: /metrics answers 404 */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").max(512).optional(),
});

/**
 * An empty (or blank) variable means unset, for every variable: `.env` files write `DATABASE_URL=`.
 * Dropped before the object is parsed, so `.optional()` and `.default()` see a missing key, never "".
 */
function withoutEmpty(source: unknown): unknown {
  if (typeof source !== "object" || source === null) return source;
  return Object.fromEntries(Object.entries(source).filter(([, v]) => !(typeof v === "string" && v.trim() === "")));
}

export const envSchema = z.preprocess(withoutEmpty, variables);

/** Every variable the schema reads. */
export const envVariableNames = Object.keys(variables.shape) as (keyof typeof variables.shape)[];

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  /** PUBLIC_URL, or http://localhost:$PORT */
  publicUrl: string;
  /** true when PUBLIC_URL is https: cookies get Secure and the __Host- prefix */
  secureCookies: boolean;
  coingeckoBase: string;
  coingeckoCallsPerMinute: number;
  /** ARCHIVE_DIR, or DATA_DIR/archive (absolute) */
  archiveDir: string;
  /** where the command was typed (pnpm runs scripts inside a package folder): relative paths start here */
  workDir: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = "ConfigError";
  }
}

/** Parse the environment once. Throws ConfigError naming the first bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    const value = source[variable];
    const shown = variable.includes("KEY") || variable.includes("URL") ? "" : ` (got "${value}")`;
    const detail =
      issue.code === "invalid_value"
        ? `must be one of ${issue.values.map((v) => String(v)).join(", ")}`
        : // zod says "expected string, received undefined" for a missing required value: say it plainly
          value === undefined
          ? "must be set"
          : issue.message;
    throw new ConfigError(variable, `${detail}${shown}`);
  }
  const env = parsed.data;
  // pnpm runs scripts inside the package folder; a relative DATA_DIR means "from where you typed the command"
  const base = source.INIT_CWD ?? process.cwd();
  env.DATA_DIR = path.resolve(base, env.DATA_DIR);
  const archiveDir = env.ARCHIVE_DIR ? path.resolve(base, env.ARCHIVE_DIR) : path.join(env.DATA_DIR, "archive");
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  const pro = env.COINGECKO_API_PLAN === "pro";
  return {
    ...env,
    publicUrl,
    archiveDir,
    workDir: base,
    secureCookies: publicUrl.startsWith("https:"),
    coingeckoBase: (env.COINGECKO_API_BASE ?? (pro ? "https://pro-api.coingecko.com/api/v3" : "https://api.coingecko.com/api/v3")).replace(
      /\/+$/,
      "",
    ),
    coingeckoCallsPerMinute: env.COINGECKO_CALLS_PER_MINUTE ?? (env.COINGECKO_API_KEY ? (pro ? 500 : 30) : 30),
  };
}

/** For entry points (server, CLI): a bad configuration prints its one line and ends the process. */
export function loadConfigOrExit(source: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
