// The whole database schema, in one file (CONVENTIONS: "Schema once"). Migrations are generated
// from it with `npm run db:generate` (drizzle-kit), reviewed and committed under
// server/db/migrations, and applied at start. Times are ISO-8601 UTC strings; JSON columns hold
// text so the same schema maps to PostgreSQL's jsonb later without changing what the code sees.
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * One row per distinct content of a questionnaire. Loading a survey whose (survey JSON + scoring
 * spec) hash differs from its latest version registers a new version; responses point at the
 * version they were answered on, so an edit never changes how an earlier answer is validated or
 * scored.
 */
export const surveyVersions = sqliteTable('survey_versions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Stable id of the questionnaire, e.g. 'official'. */
  surveyId: text('survey_id').notNull(),
  /** 1, 2, … per surveyId. */
  version: integer('version').notNull(),
  /** SHA-256 (hex) of the canonical survey JSON and scoring spec together. */
  contentHash: text('content_hash').notNull(),
  json: text('json', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  scoring: text('scoring', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  createdAt: text('created_at').notNull(),
}, (t) => [uniqueIndex('survey_versions_survey_version_uq').on(t.surveyId, t.version)]);

/** A fieldwork wave (normally a quarter) with its open link. */
export const waves = sqliteTable('waves', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  surveyId: text('survey_id').notNull(),
  titleKk: text('title_kk').notNull(),
  titleRu: text('title_ru').notNull(),
  titleEn: text('title_en').notNull(),
  /** The open link is /s/<openSlug>. */
  openSlug: text('open_slug').notNull().unique(),
  status: text('status', { enum: ['open', 'closed'] }).notNull(),
  openedAt: text('opened_at').notNull(),
  closedAt: text('closed_at'),
}, (t) => [index('waves_survey_status_idx').on(t.surveyId, t.status)]);

/**
 * Single-use invitations. Only the SHA-256 of the token is stored; the token itself exists only
 * in the CSV the `invite` command writes. `responseId` binds the invitation to the first response
 * saved through it (no foreign key: responses also reference invitations, and the binding is
 * written in the same transaction that creates the response).
 */
export const invitations = sqliteTable('invitations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  waveId: integer('wave_id').notNull().references(() => waves.id),
  tokenHash: text('token_hash').notNull().unique(),
  responseId: text('response_id').unique(),
  createdAt: text('created_at').notNull(),
  completedAt: text('completed_at'),
}, (t) => [index('invitations_wave_idx').on(t.waveId)]);

/**
 * One row per respondent. `id` is the client-made UUID: the primary key is the idempotency key, so
 * a retried or concurrent duplicate submission can never create a second row.
 *
 * Derived columns are filled at completion (status 'complete' only): the weighting variables and
 * the scores from analysis/scoring.ts. The three indicator scores get one REAL column each
 * (consensus, tolerance, mood — fixed by the Concept) because every estimate run reads exactly
 * these for a whole wave: plain columns avoid re-parsing JSON per row and can be aggregated in SQL.
 * Item scores vary with the scoring spec, so they stay one JSON object.
 */
export const responses = sqliteTable('responses', {
  id: text('id').primaryKey(),
  waveId: integer('wave_id').notNull().references(() => waves.id),
  surveyVersionId: integer('survey_version_id').notNull().references(() => surveyVersions.id),
  invitationId: integer('invitation_id').references(() => invitations.id),
  locale: text('locale', { enum: ['kk', 'ru', 'en'] }).notNull(),
  status: text('status', { enum: ['partial', 'complete', 'screened_out'] }).notNull(),
  data: text('data', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  currentPageNo: integer('current_page_no').notNull().default(0),
  startedAt: text('started_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  completedAt: text('completed_at'),
  /** Time the respondent spent, as measured by the client (ms); null when not sent. */
  durationMs: integer('duration_ms'),
  region: text('region'),
  settlement: text('settlement'),
  sex: text('sex'),
  age: integer('age'),
  ageBand: text('age_band'),
  ethnicity: text('ethnicity'),
  itemScores: text('item_scores', { mode: 'json' }).$type<Record<string, number | null>>(),
  consensus: real('consensus'),
  tolerance: real('tolerance'),
  mood: real('mood'),
}, (t) => [
  index('responses_wave_status_idx').on(t.waveId, t.status),
  index('responses_survey_version_idx').on(t.surveyVersionId),
]);

/** Targets of the Concept (surveys/targets.json), stored as loaded so later features read one copy. */
export const targetSets = sqliteTable('target_sets', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  contentHash: text('content_hash').notNull().unique(),
  json: text('json', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  loadedAt: text('loaded_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

export type SurveyVersionRow = typeof surveyVersions.$inferSelect;
export type WaveRow = typeof waves.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type ResponseRow = typeof responses.$inferSelect;
