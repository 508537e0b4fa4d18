CREATE TABLE "ucie_alert_coin_samples" (
	"coin_id" text PRIMARY KEY NOT NULL,
	"tick_key" text,
	"price_usd" double precision,
	"checked_at" timestamp with time zone
);
