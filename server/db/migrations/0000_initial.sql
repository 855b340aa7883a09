CREATE TABLE `invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`wave_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`response_id` text,
	`created_at` text NOT NULL,
	`completed_at` text,
	FOREIGN KEY (`wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_hash_unique` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_response_id_unique` ON `invitations` (`response_id`);--> statement-breakpoint
CREATE INDEX `invitations_wave_idx` ON `invitations` (`wave_id`);--> statement-breakpoint
CREATE TABLE `responses` (
	`id` text PRIMARY KEY NOT NULL,
	`wave_id` integer NOT NULL,
	`survey_version_id` integer NOT NULL,
	`invitation_id` integer,
	`locale` text NOT NULL,
	`status` text NOT NULL,
	`data` text NOT NULL,
	`current_page_no` integer DEFAULT 0 NOT NULL,
	`started_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`completed_at` text,
	`duration_ms` integer,
	`region` text,
	`settlement` text,
	`sex` text,
	`age` integer,
	`age_band` text,
	`ethnicity` text,
	`item_scores` text,
	`consensus` real,
	`tolerance` real,
	`mood` real,
	FOREIGN KEY (`wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`survey_version_id`) REFERENCES `survey_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invitation_id`) REFERENCES `invitations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `responses_wave_status_idx` ON `responses` (`wave_id`,`status`);--> statement-breakpoint
CREATE INDEX `responses_survey_version_idx` ON `responses` (`survey_version_id`);--> statement-breakpoint
CREATE TABLE `survey_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`survey_id` text NOT NULL,
	`version` integer NOT NULL,
	`content_hash` text NOT NULL,
	`json` text NOT NULL,
	`scoring` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `survey_versions_survey_version_uq` ON `survey_versions` (`survey_id`,`version`);--> statement-breakpoint
CREATE TABLE `target_sets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`content_hash` text NOT NULL,
	`json` text NOT NULL,
	`loaded_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `target_sets_content_hash_unique` ON `target_sets` (`content_hash`);--> statement-breakpoint
CREATE TABLE `waves` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`survey_id` text NOT NULL,
	`title_kk` text NOT NULL,
	`title_ru` text NOT NULL,
	`title_en` text NOT NULL,
	`open_slug` text NOT NULL,
	`status` text NOT NULL,
	`opened_at` text NOT NULL,
	`closed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `waves_open_slug_unique` ON `waves` (`open_slug`);--> statement-breakpoint
CREATE INDEX `waves_survey_status_idx` ON `waves` (`survey_id`,`status`);