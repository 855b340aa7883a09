CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text,
	`before` text,
	`after` text,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_action_idx` ON `audit_log` (`action`,`id`);--> statement-breakpoint
CREATE TABLE `estimate_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`wave_id` integer NOT NULL,
	`frame_id` integer NOT NULL,
	`frame_hash` text NOT NULL,
	`survey_version_ids` text NOT NULL,
	`scoring_hash` text NOT NULL,
	`options` text NOT NULL,
	`engine_version` text NOT NULL,
	`input_hash` text NOT NULL,
	`result` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`frame_id`) REFERENCES `frames`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `estimate_runs_wave_idx` ON `estimate_runs` (`wave_id`);--> statement-breakpoint
CREATE TABLE `frames` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`source` text NOT NULL,
	`reference_date` text NOT NULL,
	`illustrative` integer DEFAULT false NOT NULL,
	`content_hash` text NOT NULL,
	`margins` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `frames_name_unique` ON `frames` (`name`);--> statement-breakpoint
CREATE TABLE `publications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`period` text NOT NULL,
	`action` text NOT NULL,
	`reason` text,
	`actor` text NOT NULL,
	`at` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `estimate_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `publications_period_idx` ON `publications` (`period`,`id`);--> statement-breakpoint
ALTER TABLE `responses` ADD `mode` text DEFAULT 'web' NOT NULL;--> statement-breakpoint
ALTER TABLE `responses` ADD `interviewer` text;--> statement-breakpoint
ALTER TABLE `responses` ADD `base_weight` real;--> statement-breakpoint
ALTER TABLE `waves` ADD `period` text;--> statement-breakpoint
CREATE UNIQUE INDEX `waves_survey_period_uq` ON `waves` (`survey_id`,`period`);--> statement-breakpoint
-- Hand-written (drizzle-kit does not model triggers): runs, publications and the audit log are
-- append-only, enforced by the database itself so no code path can rewrite history.
CREATE TRIGGER `estimate_runs_immutable_update` BEFORE UPDATE ON `estimate_runs` BEGIN SELECT RAISE(ABORT, 'estimate runs are immutable'); END;--> statement-breakpoint
CREATE TRIGGER `estimate_runs_immutable_delete` BEFORE DELETE ON `estimate_runs` BEGIN SELECT RAISE(ABORT, 'estimate runs are immutable'); END;--> statement-breakpoint
CREATE TRIGGER `publications_append_only_update` BEFORE UPDATE ON `publications` BEGIN SELECT RAISE(ABORT, 'publications are append-only'); END;--> statement-breakpoint
CREATE TRIGGER `publications_append_only_delete` BEFORE DELETE ON `publications` BEGIN SELECT RAISE(ABORT, 'publications are append-only'); END;--> statement-breakpoint
CREATE TRIGGER `audit_log_append_only_update` BEFORE UPDATE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;--> statement-breakpoint
CREATE TRIGGER `audit_log_append_only_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
