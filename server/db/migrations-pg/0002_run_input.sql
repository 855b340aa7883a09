ALTER TABLE "responses" ADD COLUMN "run_input" "bytea";--> statement-breakpoint
CREATE INDEX "responses_run_input_idx" ON "responses" USING btree ("wave_id","status","id","survey_version_id","duration_ms","base_weight","run_input");--> statement-breakpoint
-- ---------------------------------------------------------------------------------------------
-- Hand-written (drizzle-kit does not model triggers): the PostgreSQL form of the trigger of
-- server/db/migrations/0007_run_input.sql. An UPDATE of a derived column that leaves run_input as
-- it was (an edit by hand) nulls it, so the next run reads that row from its columns (decision 028).
CREATE FUNCTION "kelisim_run_input_stale"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."run_input" IS NOT NULL AND NEW."run_input" IS NOT DISTINCT FROM OLD."run_input" THEN
    NEW."run_input" := NULL;
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "responses_run_input_stale" BEFORE UPDATE OF "region", "settlement", "sex", "age", "age_band", "ethnicity", "item_scores", "consensus", "tolerance", "mood" ON "responses" FOR EACH ROW EXECUTE FUNCTION "kelisim_run_input_stale"();
