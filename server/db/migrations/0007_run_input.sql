ALTER TABLE `responses` ADD `run_input` blob;--> statement-breakpoint
CREATE INDEX `responses_run_input_idx` ON `responses` (`wave_id`,`status`,`id`,`survey_version_id`,`duration_ms`,`base_weight`,`run_input`);--> statement-breakpoint
-- Hand-written (drizzle-kit does not model triggers): run_input (docs/decisions/028) says what the
-- derived columns say. An UPDATE of a derived column that leaves run_input as it was (an edit by
-- hand, a repair script) nulls it, so the next run reads that row from its columns and packs it on
-- the fly; the write path sets both in one UPDATE and is left alone.
CREATE TRIGGER `responses_run_input_stale` AFTER UPDATE OF `region`, `settlement`, `sex`, `age`, `age_band`, `ethnicity`, `item_scores`, `consensus`, `tolerance`, `mood` ON `responses`
WHEN NEW.`run_input` IS NOT NULL AND NEW.`run_input` IS OLD.`run_input`
BEGIN UPDATE `responses` SET `run_input` = NULL WHERE `rowid` = NEW.`rowid`; END;
