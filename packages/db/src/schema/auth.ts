import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, integer } from "drizzle-orm/pg-core";

const now = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    passwordHash: text().notNull(),
    emailVerified: boolean().notNull().default(false),
    /** SHA-256 of the e-mail verification token; the raw token only ever travels in the e-mail */
    verificationToken: text(),
    verificationExpiresAt: timestamp({ withTimezone: true }),
    /** set by an operator (`pnpm cli users disable`): no login, no session */
    disabledAt: timestamp({ withTimezone: true }),
    /** base32 TOTP secret (RFC 6238); kept while set-up is pending, in use once `totp_enabled_at` is set */
    totpSecret: text(),
    totpEnabledAt: timestamp({ withTimezone: true }),
    /** the last 30 s time step whose code was accepted: a code works once */
    totpLastStep: bigint({ mode: "number" }),
    createdAt: now(),
    updatedAt: now(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    index("users_created_at_idx").on(t.createdAt),
    index("users_verification_token_idx").on(t.verificationToken),
    index("users_email_verified_idx").on(t.emailVerified),
    check("users_email_normalised", sql`${t.email} = lower(btrim(${t.email})) AND length(${t.email}) BETWEEN 3 AND 254`),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** hex SHA-256 of the session token (Lucia's design): a database dump holds no usable token */
    tokenHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: now(),
    ipAddress: text(),
    userAgent: text(),
  },
  (t) => [
    uniqueIndex("sessions_token_hash_unique").on(t.tokenHash),
    index("sessions_user_id_idx").on(t.userId),
    index("sessions_expires_at_idx").on(t.expiresAt),
    check("sessions_expiry_after_creation", sql`${t.expiresAt} > ${t.createdAt}`),
  ],
);

export const accessCodes = pgTable(
  "access_codes",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** hex SHA-256 of the normalised code: the code itself is shown once, at creation, and never stored */
    codeHash: text().notNull(),
    /** the code's first group ("UCIE-7KQ2"), enough for an operator to tell codes apart */
    prefix: text().notNull(),
    redeemed: boolean().notNull().default(false),
    redeemedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    redeemedAt: timestamp({ withTimezone: true }),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: now(),
  },
  (t) => [
    uniqueIndex("access_codes_code_hash_unique").on(t.codeHash),
    index("access_codes_redeemed_idx").on(t.redeemed),
    index("access_codes_redeemed_by_idx").on(t.redeemedBy),
    // A redeemed code has its redeemer and time; an unredeemed one has neither. redeemed_by may later become
    // NULL through ON DELETE SET NULL when the account is deleted, so only "unredeemed => no redeemer" is strict.
    check(
      "access_codes_redeemed_consistent",
      sql`(${t.redeemed} AND ${t.redeemedAt} IS NOT NULL) OR (NOT ${t.redeemed} AND ${t.redeemedBy} IS NULL AND ${t.redeemedAt} IS NULL)`,
    ),
  ],
);

export const AUTH_EVENT_TYPES = [
  "register",
  "login",
  "failed_login",
  "logout",
  "email_verified",
  "verification_sent",
  "password_reset_requested",
  "password_reset",
  "session_revoked",
  "rate_limited",
  "security_alert",
  "password_changed",
  "account_deleted",
  "account_disabled",
  "account_enabled",
  "data_exported",
  "two_factor_setup",
  "two_factor_enabled",
  "two_factor_disabled",
  "two_factor_challenge",
  "two_factor_verified",
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

export const authLogs = pgTable(
  "auth_logs",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    eventType: text().$type<AuthEventType>().notNull(),
    ipAddress: text(),
    userAgent: text(),
    success: boolean().notNull(),
    errorMessage: text(),
    timestamp: now(),
  },
  (t) => [
    index("auth_logs_user_id_idx").on(t.userId),
    index("auth_logs_event_type_idx").on(t.eventType),
    index("auth_logs_timestamp_idx").on(t.timestamp),
    index("auth_logs_user_failures_idx")
      .on(t.userId, t.timestamp)
      .where(sql`${t.success} = false`),
    check("auth_logs_event_type_known", sql.raw(`"event_type" IN (${AUTH_EVENT_TYPES.map((e) => `'${e}'`).join(", ")})`)),
  ],
);

/** Single-use password reset links: only the SHA-256 of the token is kept. */
export const passwordResetTokens = pgTable(
  "password_reset_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: now(),
  },
  (t) => [
    uniqueIndex("password_reset_tokens_hash_unique").on(t.tokenHash),
    index("password_reset_tokens_user_idx").on(t.userId),
    index("password_reset_tokens_expires_idx").on(t.expiresAt),
  ],
);

/** Login throttling counters shared by every server instance (fixed windows keyed by account or IP). */
export const authThrottle = pgTable(
  "auth_throttle",
  {
    key: text().primaryKey(),
    hits: integer().notNull().default(0),
    windowStart: timestamp({ withTimezone: true }).notNull().defaultNow(),
    blockedUntil: timestamp({ withTimezone: true }),
    meta: jsonb(),
  },
  (t) => [index("auth_throttle_window_idx").on(t.windowStart)],
);

/** Single-use two-factor recovery codes: only the SHA-256 of each is kept. */
export const twoFactorRecoveryCodes = pgTable(
  "two_factor_recovery_codes",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text().notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: now(),
  },
  (t) => [uniqueIndex("two_factor_recovery_codes_hash_unique").on(t.userId, t.codeHash)],
);

/**
 * A login that passed the password and waits for its second factor (5 minutes). The browser holds the
 * token in its session cookie slot; only the SHA-256 is kept, so a dump cannot finish anyone's login.
 */
export const twoFactorChallenges = pgTable(
  "two_factor_challenges",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text().notNull(),
    failures: integer().notNull().default(0),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: now(),
  },
  (t) => [
    uniqueIndex("two_factor_challenges_token_hash_unique").on(t.tokenHash),
    index("two_factor_challenges_user_idx").on(t.userId),
    index("two_factor_challenges_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Secrets the server makes for itself (the device-cookie HMAC key): made once by whichever instance needs
 * one first, so every instance on the database signs and checks with the same key.
 */
export const serverSecrets = pgTable("server_secrets", {
  name: text().primaryKey(),
  secret: text().notNull(),
  createdAt: now(),
});
