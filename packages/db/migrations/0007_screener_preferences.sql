CREATE TABLE "ucie_screener_rows" (
	"coingecko_id" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"name" text NOT NULL,
	"rank" integer,
	"price_usd" double precision,
	"market_cap_usd" double precision,
	"change_24h" double precision,
	"change_7d" double precision,
	"change_30d" double precision,
	"rsi14" double precision,
	"above_sma200" boolean,
	"cross" text,
	"cross_days_ago" integer,
	"volatility_30d" double precision,
	"drawdown" double precision,
	"volume_ratio" double precision,
	"score" double precision,
	"source" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ucie_exchange_rates" (
	"currency" text PRIMARY KEY NOT NULL,
	"usd_per_unit" double precision NOT NULL,
	"source" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_preferences" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"currency" text DEFAULT 'usd' NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"theme" text DEFAULT 'dark' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ucie_screener_rank_idx" ON "ucie_screener_rows" USING btree ("rank");--> statement-breakpoint
CREATE INDEX "ucie_screener_rsi_idx" ON "ucie_screener_rows" USING btree ("rsi14");--> statement-breakpoint
CREATE INDEX "ucie_screener_change7d_idx" ON "ucie_screener_rows" USING btree ("change_7d");--> statement-breakpoint
CREATE INDEX "ucie_screener_market_cap_idx" ON "ucie_screener_rows" USING btree ("market_cap_usd");--> statement-breakpoint
CREATE INDEX "ucie_screener_volatility_idx" ON "ucie_screener_rows" USING btree ("volatility_30d");--> statement-breakpoint
CREATE INDEX "ucie_screener_score_idx" ON "ucie_screener_rows" USING btree ("score");--> statement-breakpoint
CREATE INDEX "ucie_screener_cross_idx" ON "ucie_screener_rows" USING btree ("cross","cross_days_ago");--> statement-breakpoint
CREATE INDEX "ucie_screener_computed_idx" ON "ucie_screener_rows" USING btree ("computed_at");--> statement-breakpoint
CREATE INDEX "ucie_screener_drawdown_idx" ON "ucie_screener_rows" USING btree ("drawdown" desc nulls last);