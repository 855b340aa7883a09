CREATE TABLE `run_flag_sets` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`wave_id` integer NOT NULL,
	`speeder_median_ms` real,
	`speeder_threshold_ms` real,
	`flagged` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `estimate_runs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `run_flag_sets_wave_idx` ON `run_flag_sets` (`wave_id`,`run_id`);--> statement-breakpoint
CREATE TABLE `run_flags` (
	`run_id` integer NOT NULL,
	`flag` text NOT NULL,
	`response_id` text NOT NULL,
	PRIMARY KEY(`run_id`, `flag`, `response_id`),
	FOREIGN KEY (`run_id`) REFERENCES `estimate_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Hand-written (drizzle-kit does not model triggers): what a run flagged is part of the run, as
-- immutable as estimate_runs itself (docs/decisions/024).
CREATE TRIGGER `run_flags_immutable_update` BEFORE UPDATE ON `run_flags` BEGIN SELECT RAISE(ABORT, 'a run''s flags are immutable'); END;--> statement-breakpoint
CREATE TRIGGER `run_flags_immutable_delete` BEFORE DELETE ON `run_flags` BEGIN SELECT RAISE(ABORT, 'a run''s flags are immutable'); END;--> statement-breakpoint
CREATE TRIGGER `run_flag_sets_immutable_update` BEFORE UPDATE ON `run_flag_sets` BEGIN SELECT RAISE(ABORT, 'a run''s flags are immutable'); END;--> statement-breakpoint
CREATE TRIGGER `run_flag_sets_immutable_delete` BEFORE DELETE ON `run_flag_sets` BEGIN SELECT RAISE(ABORT, 'a run''s flags are immutable'); END;
