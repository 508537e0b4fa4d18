CREATE TABLE "personal_access_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"scopes" text[] NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "personal_access_tokens_name_length" CHECK (length("personal_access_tokens"."name") BETWEEN 1 AND 100),
	CONSTRAINT "personal_access_tokens_scopes_known" CHECK ("personal_access_tokens"."scopes" <@ ARRAY['read','watchlist','alerts']::text[])
);
--> statement-breakpoint
ALTER TABLE "auth_logs" DROP CONSTRAINT "auth_logs_event_type_known";--> statement-breakpoint
ALTER TABLE "personal_access_tokens" ADD CONSTRAINT "personal_access_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "personal_access_tokens_hash_unique" ON "personal_access_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "personal_access_tokens_user_idx" ON "personal_access_tokens" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "auth_logs" ADD CONSTRAINT "auth_logs_event_type_known" CHECK ("event_type" IN ('register', 'login', 'failed_login', 'logout', 'email_verified', 'verification_sent', 'password_reset_requested', 'password_reset', 'session_revoked', 'rate_limited', 'security_alert', 'password_changed', 'account_deleted', 'account_disabled', 'account_enabled', 'data_exported', 'two_factor_setup', 'two_factor_enabled', 'two_factor_disabled', 'two_factor_challenge', 'two_factor_verified', 'token_created', 'token_revoked', 'token_refused'));