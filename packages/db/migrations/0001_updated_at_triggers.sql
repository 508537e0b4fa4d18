-- Keep updated_at true whoever writes the row (app, CLI or psql).
CREATE OR REPLACE FUNCTION ucie_set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON "users" FOR EACH ROW EXECUTE FUNCTION ucie_set_updated_at();--> statement-breakpoint
CREATE TRIGGER ucie_tokens_set_updated_at BEFORE UPDATE ON "ucie_tokens" FOR EACH ROW EXECUTE FUNCTION ucie_set_updated_at();--> statement-breakpoint
CREATE TRIGGER ucie_alerts_set_updated_at BEFORE UPDATE ON "ucie_alerts" FOR EACH ROW EXECUTE FUNCTION ucie_set_updated_at();
