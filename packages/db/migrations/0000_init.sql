CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "access_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"redeemed" boolean DEFAULT false NOT NULL,
	"redeemed_by" uuid,
	"redeemed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "access_codes_code_normalised" CHECK ("access_codes"."code" = upper(btrim("access_codes"."code")) AND length("access_codes"."code") BETWEEN 4 AND 64),
	CONSTRAINT "access_codes_redeemed_consistent" CHECK (("access_codes"."redeemed" AND "access_codes"."redeemed_at" IS NOT NULL) OR (NOT "access_codes"."redeemed" AND "access_codes"."redeemed_by" IS NULL AND "access_codes"."redeemed_at" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "auth_logs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"event_type" text NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"success" boolean NOT NULL,
	"error_message" text,
	"timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "auth_logs_event_type_known" CHECK ("event_type" IN ('register', 'login', 'failed_login', 'logout', 'email_verified', 'verification_sent', 'password_reset_requested', 'password_reset', 'session_revoked', 'rate_limited', 'security_alert'))
);
--> statement-breakpoint
CREATE TABLE "auth_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	"window_start" timestamp with time zone DEFAULT now() NOT NULL,
	"blocked_until" timestamp with time zone,
	"meta" jsonb
);
--> statement-breakpoint
CREATE TABLE "password_reset_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip_address" text,
	"user_agent" text,
	CONSTRAINT "sessions_expiry_after_creation" CHECK ("sessions"."expires_at" > "sessions"."created_at")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"verification_token" text,
	"verification_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_normalised" CHECK ("users"."email" = lower(btrim("users"."email")) AND length("users"."email") BETWEEN 3 AND 254)
);
--> statement-breakpoint
CREATE TABLE "ucie_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"coingecko_id" text NOT NULL,
	"symbol" text NOT NULL,
	"name" text NOT NULL,
	"market_cap_rank" integer,
	"image_url" text,
	"current_price_usd" double precision,
	"market_cap_usd" double precision,
	"total_volume_usd" double precision,
	"price_change_24h" double precision,
	"price_change_pct_1h" double precision,
	"price_change_pct_24h" double precision,
	"price_change_pct_7d" double precision,
	"price_change_pct_30d" double precision,
	"high_24h_usd" double precision,
	"low_24h_usd" double precision,
	"ath_usd" double precision,
	"ath_change_pct" double precision,
	"ath_date" timestamp with time zone,
	"circulating_supply" double precision,
	"total_supply" double precision,
	"max_supply" double precision,
	"fully_diluted_valuation_usd" double precision,
	"sparkline_7d" jsonb,
	"source" text DEFAULT 'live' NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"last_updated" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ucie_analysis_cache" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"symbol" text NOT NULL,
	"coin_id" text NOT NULL,
	"analysis_type" text NOT NULL,
	"data" jsonb NOT NULL,
	"data_quality_score" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ucie_analysis_cache_quality_range" CHECK ("ucie_analysis_cache"."data_quality_score" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE TABLE "ucie_phase_data" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" text NOT NULL,
	"symbol" text NOT NULL,
	"coin_id" text NOT NULL,
	"phase_number" integer NOT NULL,
	"phase_data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ucie_phase_data_phase_range" CHECK ("ucie_phase_data"."phase_number" BETWEEN 1 AND 4)
);
--> statement-breakpoint
CREATE TABLE "ucie_alert_triggers" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"alert_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"symbol" text NOT NULL,
	"coin_id" text NOT NULL,
	"alert_type" text NOT NULL,
	"value" double precision,
	"tick_key" text NOT NULL,
	"details" jsonb,
	"triggered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ucie_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"symbol" text NOT NULL,
	"coin_id" text NOT NULL,
	"alert_type" text NOT NULL,
	"threshold_value" double precision,
	"condition_details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"triggered" boolean DEFAULT false NOT NULL,
	"triggered_at" timestamp with time zone,
	"trigger_count" integer DEFAULT 0 NOT NULL,
	"last_checked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"enabled" boolean DEFAULT true NOT NULL,
	"repeat_mode" text DEFAULT 'once' NOT NULL,
	"cooldown_seconds" integer DEFAULT 3600 NOT NULL,
	"snoozed_until" timestamp with time zone,
	"armed" boolean DEFAULT true NOT NULL,
	"last_value" double precision,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ucie_alerts_type_known" CHECK ("alert_type" IN ('price_above', 'price_below', 'price_cross', 'percent_change', 'rsi_above', 'rsi_below', 'volume_spike', 'sentiment_change')),
	CONSTRAINT "ucie_alerts_price_threshold" CHECK ("ucie_alerts"."alert_type" NOT IN ('price_above', 'price_below', 'price_cross') OR "ucie_alerts"."threshold_value" IS NOT NULL),
	CONSTRAINT "ucie_alerts_trigger_count_nonneg" CHECK ("ucie_alerts"."trigger_count" >= 0),
	CONSTRAINT "ucie_alerts_repeat_mode" CHECK ("ucie_alerts"."repeat_mode" IN ('once', 'repeat'))
);
--> statement-breakpoint
CREATE TABLE "ucie_watchlist" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"symbol" text NOT NULL,
	"coin_id" text NOT NULL,
	"notes" text,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_viewed_at" timestamp with time zone,
	CONSTRAINT "ucie_watchlist_notes_length" CHECK ("ucie_watchlist"."notes" IS NULL OR length("ucie_watchlist"."notes") <= 2000)
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job" text NOT NULL,
	"tick_key" text NOT NULL,
	"instance_id" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"result" jsonb,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "access_codes" ADD CONSTRAINT "access_codes_redeemed_by_users_id_fk" FOREIGN KEY ("redeemed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_logs" ADD CONSTRAINT "auth_logs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_reset_tokens" ADD CONSTRAINT "password_reset_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ucie_alert_triggers" ADD CONSTRAINT "ucie_alert_triggers_alert_id_ucie_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."ucie_alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ucie_alert_triggers" ADD CONSTRAINT "ucie_alert_triggers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ucie_alerts" ADD CONSTRAINT "ucie_alerts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ucie_watchlist" ADD CONSTRAINT "ucie_watchlist_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "access_codes_code_unique" ON "access_codes" USING btree ("code");--> statement-breakpoint
CREATE INDEX "access_codes_redeemed_idx" ON "access_codes" USING btree ("redeemed");--> statement-breakpoint
CREATE INDEX "access_codes_redeemed_by_idx" ON "access_codes" USING btree ("redeemed_by");--> statement-breakpoint
CREATE INDEX "auth_logs_user_id_idx" ON "auth_logs" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "auth_logs_event_type_idx" ON "auth_logs" USING btree ("event_type");--> statement-breakpoint
CREATE INDEX "auth_logs_timestamp_idx" ON "auth_logs" USING btree ("timestamp");--> statement-breakpoint
CREATE INDEX "auth_logs_user_failures_idx" ON "auth_logs" USING btree ("user_id","timestamp") WHERE "auth_logs"."success" = false;--> statement-breakpoint
CREATE INDEX "auth_throttle_window_idx" ON "auth_throttle" USING btree ("window_start");--> statement-breakpoint
CREATE UNIQUE INDEX "password_reset_tokens_hash_unique" ON "password_reset_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "password_reset_tokens_user_idx" ON "password_reset_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "password_reset_tokens_expires_idx" ON "password_reset_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_hash_unique" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_unique" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "users_created_at_idx" ON "users" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "users_verification_token_idx" ON "users" USING btree ("verification_token");--> statement-breakpoint
CREATE INDEX "users_email_verified_idx" ON "users" USING btree ("email_verified");--> statement-breakpoint
CREATE UNIQUE INDEX "ucie_tokens_coingecko_id_unique" ON "ucie_tokens" USING btree ("coingecko_id");--> statement-breakpoint
CREATE INDEX "ucie_tokens_symbol_idx" ON "ucie_tokens" USING btree ("symbol");--> statement-breakpoint
CREATE INDEX "ucie_tokens_rank_idx" ON "ucie_tokens" USING btree ("market_cap_rank");--> statement-breakpoint
CREATE INDEX "ucie_tokens_active_idx" ON "ucie_tokens" USING btree ("is_active");--> statement-breakpoint
CREATE INDEX "ucie_tokens_last_updated_idx" ON "ucie_tokens" USING btree ("last_updated");--> statement-breakpoint
CREATE INDEX "ucie_tokens_active_rank_idx" ON "ucie_tokens" USING btree ("is_active","market_cap_rank");--> statement-breakpoint
CREATE INDEX "ucie_tokens_symbol_lower_idx" ON "ucie_tokens" USING btree (lower("symbol") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "ucie_tokens_name_lower_idx" ON "ucie_tokens" USING btree (lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "ucie_tokens_search_trgm_idx" ON "ucie_tokens" USING gin ((lower("symbol") || ' ' || lower("name")) gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "ucie_analysis_cache_coin_type_unique" ON "ucie_analysis_cache" USING btree ("coin_id","analysis_type");--> statement-breakpoint
CREATE INDEX "ucie_analysis_cache_symbol_idx" ON "ucie_analysis_cache" USING btree ("symbol");--> statement-breakpoint
CREATE INDEX "ucie_analysis_cache_expires_idx" ON "ucie_analysis_cache" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "ucie_analysis_cache_type_idx" ON "ucie_analysis_cache" USING btree ("analysis_type");--> statement-breakpoint
CREATE INDEX "ucie_analysis_cache_symbol_type_idx" ON "ucie_analysis_cache" USING btree ("symbol","analysis_type");--> statement-breakpoint
CREATE UNIQUE INDEX "ucie_phase_data_session_coin_phase_unique" ON "ucie_phase_data" USING btree ("session_id","coin_id","phase_number");--> statement-breakpoint
CREATE INDEX "ucie_phase_data_session_idx" ON "ucie_phase_data" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "ucie_phase_data_expires_idx" ON "ucie_phase_data" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "ucie_phase_data_session_symbol_idx" ON "ucie_phase_data" USING btree ("session_id","symbol");--> statement-breakpoint
CREATE INDEX "ucie_phase_data_symbol_idx" ON "ucie_phase_data" USING btree ("symbol");--> statement-breakpoint
CREATE UNIQUE INDEX "ucie_alert_triggers_alert_tick_unique" ON "ucie_alert_triggers" USING btree ("alert_id","tick_key");--> statement-breakpoint
CREATE INDEX "ucie_alert_triggers_user_seq_idx" ON "ucie_alert_triggers" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "ucie_alert_triggers_time_idx" ON "ucie_alert_triggers" USING btree ("triggered_at");--> statement-breakpoint
CREATE INDEX "ucie_alerts_user_idx" ON "ucie_alerts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "ucie_alerts_symbol_idx" ON "ucie_alerts" USING btree ("symbol");--> statement-breakpoint
CREATE INDEX "ucie_alerts_coin_idx" ON "ucie_alerts" USING btree ("coin_id");--> statement-breakpoint
CREATE INDEX "ucie_alerts_triggered_idx" ON "ucie_alerts" USING btree ("triggered");--> statement-breakpoint
CREATE INDEX "ucie_alerts_enabled_idx" ON "ucie_alerts" USING btree ("enabled");--> statement-breakpoint
CREATE INDEX "ucie_alerts_type_idx" ON "ucie_alerts" USING btree ("alert_type");--> statement-breakpoint
CREATE INDEX "ucie_alerts_enabled_coin_idx" ON "ucie_alerts" USING btree ("coin_id","alert_type") WHERE "ucie_alerts"."enabled";--> statement-breakpoint
CREATE UNIQUE INDEX "ucie_watchlist_user_coin_unique" ON "ucie_watchlist" USING btree ("user_id","coin_id");--> statement-breakpoint
CREATE INDEX "ucie_watchlist_user_idx" ON "ucie_watchlist" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "ucie_watchlist_symbol_idx" ON "ucie_watchlist" USING btree ("symbol");--> statement-breakpoint
CREATE INDEX "ucie_watchlist_added_idx" ON "ucie_watchlist" USING btree ("added_at");--> statement-breakpoint
CREATE INDEX "ucie_watchlist_coin_idx" ON "ucie_watchlist" USING btree ("coin_id");--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_job_tick_unique" ON "job_runs" USING btree ("job","tick_key");--> statement-breakpoint
CREATE INDEX "job_runs_started_idx" ON "job_runs" USING btree ("started_at");