CREATE TABLE "metric_counters" (
	"minute" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"outcome" text NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "metric_counters_minute_kind_subject_outcome_pk" PRIMARY KEY("minute","kind","subject","outcome")
);
--> statement-breakpoint
ALTER TABLE "auth_logs" DROP CONSTRAINT "auth_logs_event_type_known";--> statement-breakpoint
ALTER TABLE "access_codes" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "auth_logs" ADD COLUMN "actor_id" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "role" text DEFAULT 'user' NOT NULL;--> statement-breakpoint
CREATE INDEX "metric_counters_minute_idx" ON "metric_counters" USING btree ("minute");--> statement-breakpoint
ALTER TABLE "auth_logs" ADD CONSTRAINT "auth_logs_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_codes_created_at_idx" ON "access_codes" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "auth_logs_ip_idx" ON "auth_logs" USING btree ("ip_address");--> statement-breakpoint
CREATE INDEX "users_role_idx" ON "users" USING btree ("role");--> statement-breakpoint
ALTER TABLE "access_codes" ADD CONSTRAINT "access_codes_note_length" CHECK ("access_codes"."note" IS NULL OR length("access_codes"."note") <= 200);--> statement-breakpoint
ALTER TABLE "auth_logs" ADD CONSTRAINT "auth_logs_event_type_known" CHECK ("event_type" IN ('register', 'login', 'failed_login', 'logout', 'email_verified', 'verification_sent', 'password_reset_requested', 'password_reset', 'session_revoked', 'rate_limited', 'security_alert', 'password_changed', 'account_deleted', 'account_disabled', 'account_enabled', 'data_exported', 'two_factor_setup', 'two_factor_enabled', 'two_factor_disabled', 'two_factor_challenge', 'two_factor_verified', 'token_created', 'token_revoked', 'token_refused', 'admin_codes_created', 'admin_code_revoked', 'admin_user_disabled', 'admin_user_enabled', 'admin_sessions_ended', 'admin_user_deleted', 'admin_user_promoted', 'admin_user_demoted', 'admin_job_run', 'admin_log_exported'));--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_known" CHECK ("users"."role" IN ('user', 'admin'));--> statement-breakpoint
-- an install that predates roles gets one admin: the earliest registered account (the one made with the first-start code)
UPDATE "users" SET "role" = 'admin' WHERE "id" = (SELECT "id" FROM "users" ORDER BY "created_at", "id" LIMIT 1) AND NOT EXISTS (SELECT 1 FROM "users" WHERE "role" = 'admin');