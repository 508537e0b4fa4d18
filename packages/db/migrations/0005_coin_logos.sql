CREATE TABLE "ucie_coin_logos" (
	"coin_id" text PRIMARY KEY NOT NULL,
	"content_type" text,
	"body" text,
	"etag" text,
	"source_url" text NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ucie_tokens" ADD COLUMN "logo_etag" text;