-- market-wide alerts (the Fear & Greed index) belong to no coin: file them under the reserved MARKET coin
UPDATE "ucie_alerts" SET "coin_id" = 'market', "symbol" = 'MARKET' WHERE "alert_type" = 'sentiment_change';--> statement-breakpoint
-- identical enabled alerts of one user (possible before this migration): keep the oldest switched on
UPDATE "ucie_alerts" a SET "enabled" = false
WHERE a."enabled" AND EXISTS (
  SELECT 1 FROM "ucie_alerts" b
  WHERE b."enabled" AND b."user_id" = a."user_id" AND b."coin_id" = a."coin_id" AND b."alert_type" = a."alert_type"
    AND b."threshold_value" IS NOT DISTINCT FROM a."threshold_value"
    AND (b."condition_details" - 'email') = (a."condition_details" - 'email')
    AND (b."created_at", b."id") < (a."created_at", a."id"));--> statement-breakpoint

CREATE UNIQUE INDEX "ucie_alerts_enabled_rule_unique" ON "ucie_alerts" USING btree ("user_id","coin_id","alert_type","threshold_value",("condition_details" - 'email')) WHERE "ucie_alerts"."enabled";