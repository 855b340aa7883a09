CREATE TABLE `quota_reservations` (
	`response_id` text PRIMARY KEY NOT NULL,
	`wave_id` integer NOT NULL,
	`region` text NOT NULL,
	`sex` text NOT NULL,
	`age` integer NOT NULL,
	`state` text NOT NULL,
	`source` text NOT NULL,
	`taken_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `quota_reservations_cell_idx` ON `quota_reservations` (`wave_id`,`region`,`sex`,`state`,`age`,`source`,`updated_at`);--> statement-breakpoint
CREATE TABLE `quota_targets` (
	`wave_id` integer NOT NULL,
	`region` text NOT NULL,
	`sex` text NOT NULL,
	`age_band` text NOT NULL,
	`age_lo` integer NOT NULL,
	`age_hi` integer,
	`target` integer NOT NULL,
	PRIMARY KEY(`wave_id`, `region`, `sex`, `age_band`),
	FOREIGN KEY (`wave_id`) REFERENCES `waves`(`id`) ON UPDATE no action ON DELETE no action
);
