/**
 * The client-safe half of the API: every input schema and the limits behind them, used by the routers
 * and by the web forms alike, so a limit (the alert cap, the length of a note) exists in one place. This
 * module and what it imports must stay free of server code (database, node:*, the tRPC server, argon2):
 * the web bundles it through `@ucie/api/schemas` (loaded on demand: zod is large) and the plain limits
 * through `@ucie/api/limits`.
 */
import { z } from "zod";

import {
  ACCESS_CODE_MAX_LENGTH,
  CURRENCIES,
  EMAIL_MAX_LENGTH,
  NOTES_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  SCREENER_MAX_LIMIT,
  SCREENER_SORT_KEYS,
  SCREENER_TRENDS,
  SEARCH_QUERY_MAX_LENGTH,
  SYMBOL_MAX_LENGTH,
  CHANNEL_NAME_MAX_LENGTH,
  WEBHOOK_FORMATS,
  WEBHOOK_URL_MAX_LENGTH,
  THEMES,
  TIME_ZONE_MAX_LENGTH,
} from "./limits";

export * from "./limits";
export {
  alertInput,
  alertPatch,
  alertPreviewInput,
  PREVIEW_MAX_DAYS,
  type AlertInput,
  type AlertPatch,
  type AlertPreviewInput,
} from "./alerts/rules";

// ---- coins and analysis --------------------------------------------------------------------------
/** a CoinGecko id or a ticker */
export const symbol = z.string().trim().min(1, "Enter a coin").max(SYMBOL_MAX_LENGTH);
export const searchQuery = z.string().trim().min(1, "Type a name or ticker").max(SEARCH_QUERY_MAX_LENGTH);
/** an analysis session, chosen by the page (kept in sessionStorage), so it is bounded and plain */
export const analysisSessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8 to 64 letters, digits, - or _");

// ---- watchlist -----------------------------------------------------------------------------------
export const watchlistNotes = z.string().trim().max(NOTES_MAX_LENGTH, `Notes are limited to ${NOTES_MAX_LENGTH} characters`);

// ---- auth ----------------------------------------------------------------------------------------
/** E-mail addresses are compared and stored trimmed and lower-case. */
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, "Enter your e-mail address")
  .max(EMAIL_MAX_LENGTH, `An e-mail address has at most ${EMAIL_MAX_LENGTH} characters`)
  .pipe(z.email("Enter a valid e-mail address"));

/** A new password's length rules; the server adds the common-password list (auth/password.ts). */
export const newPasswordLength = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters`);

/** A password to check: bounded only so a huge one cannot cost argon2 time. */
export const anyPassword = z.string().min(1, "Enter your password").max(PASSWORD_MAX_LENGTH, "Wrong e-mail or password");

export const emailToken = z.string().trim().min(16, "This link is incomplete").max(200, "This link is not valid");

/** a code from an authenticator app (RFC 6238: 6 digits) */
export const totpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app");

/** one of the ten two-factor recovery codes (XXXXX-XXXXX; spaces, dashes and case do not matter) */
export const recoveryCode = z.string().trim().min(10, "Enter one of your recovery codes").max(20, "This is not a recovery code");

export const accessCode = z.string().trim().min(4, "Enter your access code").max(ACCESS_CODE_MAX_LENGTH, "This access code is not valid");

// ---- notifications -------------------------------------------------------------------------------
export const webhookInput = z.strictObject({
  url: z
    .string()
    .trim()
    .max(WEBHOOK_URL_MAX_LENGTH, `A URL has at most ${WEBHOOK_URL_MAX_LENGTH} characters`)
    .refine((u) => /^https?:\/\/[^\s]+$/i.test(u), "Enter an http:// or https:// URL"),
  format: z.enum(WEBHOOK_FORMATS, { error: "Format must be json, discord or slack" }),
  name: z.string().trim().max(CHANNEL_NAME_MAX_LENGTH, `A name has at most ${CHANNEL_NAME_MAX_LENGTH} characters`).optional(),
});
export type WebhookInput = z.infer<typeof webhookInput>;

/** A browser's PushSubscription as `toJSON()` gives it; keys are base64url (p256dh: a P-256 point, auth: 16 bytes). */
export const pushSubscriptionInput = z.strictObject({
  endpoint: z
    .string()
    .trim()
    .max(WEBHOOK_URL_MAX_LENGTH)
    .refine((u) => u.startsWith("https://"), "A push endpoint is an https:// URL"),
  keys: z.strictObject({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, "Not a push subscription key"),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, "Not a push subscription secret"),
  }),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionInput>;

// ---- screener ------------------------------------------------------------------------------------
const percent = z.number().finite().min(-100_000).max(100_000);
export const screenerFilters = z.strictObject({
  rsiBelow: z.number().min(0).max(100).optional(),
  rsiAbove: z.number().min(0).max(100).optional(),
  trend: z.enum(SCREENER_TRENDS).optional(),
  crossWithinDays: z.number().int().min(0).max(3650).optional(),
  change7dAbove: percent.optional(),
  change7dBelow: percent.optional(),
  minMarketCap: z.number().min(0).max(1e15).optional(),
  maxVolatility: z.number().min(0).max(100_000).optional(),
  maxDrawdown: z.number().min(0).max(100).optional(),
});
export const screenerInput = z
  .strictObject({
    filters: screenerFilters.optional(),
    sort: z.strictObject({ by: z.enum(SCREENER_SORT_KEYS), dir: z.enum(["asc", "desc"]) }).optional(),
    limit: z.number().int().min(1).max(SCREENER_MAX_LIMIT).optional(),
    cursor: z.number().int().min(0).max(100_000).nullish(),
    /** sent by tRPC's infinite queries; only forward paging exists */
    direction: z.enum(["forward", "backward"]).optional(),
  })
  .optional();

// ---- preferences ---------------------------------------------------------------------------------
export const currency = z.enum(CURRENCIES, { error: `Choose one of ${CURRENCIES.join(", ")}` });
/** an IANA time zone this runtime knows (Intl rejects unknown names) */
export const timeZone = z
  .string()
  .trim()
  .min(1, "Choose a time zone")
  .max(TIME_ZONE_MAX_LENGTH)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "Unknown time zone");
export const theme = z.enum(THEMES, { error: `Choose one of ${THEMES.join(", ")}` });
export const preferencesPatch = z.strictObject({ currency: currency.optional(), timeZone: timeZone.optional(), theme: theme.optional() });
// ---- personal access tokens ----------------------------------------------------------------------
/** what a personal access token may do (the same list as the database's check constraint) */
export const TOKEN_SCOPE_NAMES = ["read", "watchlist", "alerts"] as const;
export const accessTokenCreate = z.strictObject({
  name: z.string().trim().min(1, "Name the token (what will use it?)").max(100, "At most 100 characters"),
  scopes: z
    .array(z.enum(TOKEN_SCOPE_NAMES, { error: "Scopes are read, watchlist or alerts" }))
    .min(1, "Choose at least one scope")
    .max(TOKEN_SCOPE_NAMES.length),
  expiresInDays: z
    .number()
    .int("Whole days")
    .min(1, "At least one day")
    .max(366, "At most 366 days: or leave empty for no expiry")
    .optional(),
});
export const accessTokenId = z.strictObject({ id: z.uuid({ error: "Not a token id" }) });
