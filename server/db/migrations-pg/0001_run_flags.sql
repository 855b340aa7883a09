CREATE TABLE "run_flag_sets" (
	"run_id" integer PRIMARY KEY NOT NULL,
	"wave_id" integer NOT NULL,
	"speeder_median_ms" double precision,
	"speeder_threshold_ms" double precision,
	"flagged" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_flags" (
	"run_id" integer NOT NULL,
	"flag" text NOT NULL,
	"response_id" text NOT NULL,
	CONSTRAINT "run_flags_run_id_flag_response_id_pk" PRIMARY KEY("run_id","flag","response_id")
);
--> statement-breakpoint
ALTER TABLE "run_flag_sets" ADD CONSTRAINT "run_flag_sets_run_id_estimate_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."estimate_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_flag_sets" ADD CONSTRAINT "run_flag_sets_wave_id_waves_id_fk" FOREIGN KEY ("wave_id") REFERENCES "public"."waves"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_flags" ADD CONSTRAINT "run_flags_run_id_estimate_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."estimate_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_flag_sets_wave_idx" ON "run_flag_sets" USING btree ("wave_id","run_id");--> statement-breakpoint
-- ---------------------------------------------------------------------------------------------
-- Hand-written (drizzle-kit does not model triggers): the PostgreSQL form of the triggers of
-- server/db/migrations/0006_run_flags.sql. What a run flagged is part of the run, as immutable as
-- estimate_runs itself (docs/decisions/024); kelisim_refuse_change() is from 0000_initial.sql.
CREATE TRIGGER "run_flags_immutable_update" BEFORE UPDATE ON "run_flags" FOR EACH ROW EXECUTE FUNCTION "kelisim_refuse_change"('a run''s flags are immutable');--> statement-breakpoint
CREATE TRIGGER "run_flags_immutable_delete" BEFORE DELETE ON "run_flags" FOR EACH ROW EXECUTE FUNCTION "kelisim_refuse_change"('a run''s flags are immutable');--> statement-breakpoint
CREATE TRIGGER "run_flags_immutable_truncate" BEFORE TRUNCATE ON "run_flags" FOR EACH STATEMENT EXECUTE FUNCTION "kelisim_refuse_change"('a run''s flags are immutable');--> statement-breakpoint
CREATE TRIGGER "run_flag_sets_immutable_update" BEFORE UPDATE ON "run_flag_sets" FOR EACH ROW EXECUTE FUNCTION "kelisim_refuse_change"('a run''s flags are immutable');--> statement-breakpoint
CREATE TRIGGER "run_flag_sets_immutable_delete" BEFORE DELETE ON "run_flag_sets" FOR EACH ROW EXECUTE FUNCTION "kelisim_refuse_change"('a run''s flags are immutable');--> statement-breakpoint
CREATE TRIGGER "run_flag_sets_immutable_truncate" BEFORE TRUNCATE ON "run_flag_sets" FOR EACH STATEMENT EXECUTE FUNCTION "kelisim_refuse_change"('a run''s flags are immutable');
