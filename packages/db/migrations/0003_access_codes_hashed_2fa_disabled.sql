CREATE TABLE "two_factor_challenges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "two_factor_recovery_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "access_codes" DROP CONSTRAINT "access_codes_code_normalised";--> statement-breakpoint
ALTER TABLE "auth_logs" DROP CONSTRAINT "auth_logs_event_type_known";--> statement-breakpoint
DROP INDEX "access_codes_code_unique";--> statement-breakpoint
ALTER TABLE "access_codes" ALTER COLUMN "code" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "access_codes" ADD COLUMN "code_hash" text;--> statement-breakpoint
ALTER TABLE "access_codes" ADD COLUMN "prefix" text;--> statement-breakpoint
ALTER TABLE "access_codes" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "access_codes" ADD COLUMN "revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_secret" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_enabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_last_step" bigint;--> statement-breakpoint
ALTER TABLE "two_factor_challenges" ADD CONSTRAINT "two_factor_challenges_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "two_factor_recovery_codes" ADD CONSTRAINT "two_factor_recovery_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "two_factor_challenges_token_hash_unique" ON "two_factor_challenges" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "two_factor_challenges_user_idx" ON "two_factor_challenges" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "two_factor_challenges_expires_idx" ON "two_factor_challenges" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "two_factor_recovery_codes_hash_unique" ON "two_factor_recovery_codes" USING btree ("user_id","code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "access_codes_code_hash_unique" ON "access_codes" USING btree ("code_hash");--> statement-breakpoint
ALTER TABLE "auth_logs" ADD CONSTRAINT "auth_logs_event_type_known" CHECK ("event_type" IN ('register', 'login', 'failed_login', 'logout', 'email_verified', 'verification_sent', 'password_reset_requested', 'password_reset', 'session_revoked', 'rate_limited', 'security_alert', 'password_changed', 'account_deleted', 'account_disabled', 'account_enabled', 'data_exported', 'two_factor_setup', 'two_factor_enabled', 'two_factor_disabled', 'two_factor_challenge', 'two_factor_verified'));--> statement-breakpoint
-- Access codes are kept only as hashes from now on: hash the plaintext codes that exist (their holders
-- still type the same code), keep the first group for operators, and let 0004 drop the plaintext column.
UPDATE "access_codes" SET "code_hash" = encode(sha256(convert_to("code", 'UTF8')), 'hex'), "prefix" = left("code", 9) WHERE "code" IS NOT NULL;
