ALTER TABLE "access_codes" ALTER COLUMN "code_hash" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "access_codes" ALTER COLUMN "prefix" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "access_codes" DROP COLUMN "code";