// The whole database schema, in one file (CONVENTIONS: "Schema once"). Migrations are generated
// from it with `npm run db:generate` (drizzle-kit), reviewed and committed under
// server/db/migrations, and applied at start. Times are ISO-8601 UTC strings; JSON columns hold
// text so the same schema maps to PostgreSQL's jsonb later without changing what the code sees.
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { QUALITY_FLAGS } from '../../contract/admin-api';
import { LOCALES } from '../../contract/locales';

/** How a response was collected: the respondent page, or a field interview imported from CSV. */
export const RESPONSE_MODES = ['web', 'capi', 'papi', 'cati'] as const;

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
  /**
   * The calendar quarter the wave measures, e.g. '2026-Q3': at most one wave per survey and period.
   * Only waves with a period are part of the public series (docs/PUBLIC-API.md).
   */
  period: text('period'),
}, (t) => [
  index('waves_survey_status_idx').on(t.surveyId, t.status),
  uniqueIndex('waves_survey_period_uq').on(t.surveyId, t.period),
]);

/**
 * Single-use invitations. Only the SHA-256 of the token is stored; the token itself exists only
 * in the CSV the `invite` command writes. `responseId` binds the invitation to the first response
 * saved through it (no foreign key: responses also reference invitations, and the binding is
 * written in the same transaction that creates the response). The binding lasts only while it is
 * needed (resuming on another device): completion cuts it on both sides and keeps only the day in
 * `completedAt`, so nothing ties a completed answer to a token (docs/decisions/021).
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
  locale: text('locale', { enum: LOCALES }).notNull(),
  status: text('status', { enum: ['partial', 'complete', 'screened_out'] }).notNull(),
  data: text('data', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  currentPageNo: integer('current_page_no').notNull().default(0),
  startedAt: text('started_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  completedAt: text('completed_at'),
  /** Time the respondent spent, as measured by the client (ms); null when not sent. */
  durationMs: integer('duration_ms'),
  /** How the interview was collected: 'web' for the respondent page, the others for imported field interviews. */
  mode: text('mode', { enum: RESPONSE_MODES }).notNull().default('web'),
  /** Field interviewer's code, for imported interviews. */
  interviewer: text('interviewer'),
  /** Design weight d (METHODOLOGY §3.1) imported with a field interview; null means 1. */
  baseWeight: real('base_weight'),
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
  /**
   * What an estimate run reads of the derived columns above, packed (server/runs/packed-input.ts,
   * docs/decisions/028); null when not packed yet or when a derived column was edited by hand (a
   * trigger of migration 0007 nulls it), and the run then reads the columns.
   */
  runInput: blob('run_input', { mode: 'buffer' }),
}, (t) => [
  index('responses_wave_status_idx').on(t.waveId, t.status),
  index('responses_survey_version_idx').on(t.surveyVersionId),
  // The console's keyset-paginated list, by wave and last change time (issue 8).
  index('responses_wave_updated_idx').on(t.waveId, t.updatedAt, t.id),
  // An estimate run's read (decision 028): covers every column it reads, in id order, no sort.
  index('responses_run_input_idx').on(t.waveId, t.status, t.id, t.surveyVersionId, t.durationMs, t.baseWeight, t.runInput),
]);

/**
 * A population frame: the margins `analyze` rakes to (`margin,level,population` rows, crossed
 * margins as `sex:age` with levels `m:18-29`). Immutable once stored; a run records its content hash.
 */
export const frames = sqliteTable('frames', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  source: text('source').notNull(),
  referenceDate: text('reference_date').notNull(),
  /** Illustrative (not an official source): every screen and API answer that uses it says so. */
  illustrative: integer('illustrative', { mode: 'boolean' }).notNull().default(false),
  /** SHA-256 (hex) of the canonical margins. */
  contentHash: text('content_hash').notNull(),
  margins: text('margins', { mode: 'json' }).notNull().$type<{ margin: string; level: string; population: number }[]>(),
  createdBy: text('created_by').notNull(),
  createdAt: text('created_at').notNull(),
});

/**
 * An estimate run: one wave weighted to one frame (DESIGN.md data flow, step 2). Written once when
 * it finishes and never changed: `result` is the whole computed document, the other columns record
 * every input it rests on, so `kelisim run verify` can recompute it and compare.
 */
export const estimateRuns = sqliteTable('estimate_runs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  waveId: integer('wave_id').notNull().references(() => waves.id),
  frameId: integer('frame_id').notNull().references(() => frames.id),
  frameHash: text('frame_hash').notNull(),
  /** Ids of the survey versions of the input rows (JSON array). */
  surveyVersionIds: text('survey_version_ids', { mode: 'json' }).notNull().$type<number[]>(),
  /** SHA-256 of the scoring spec(s) the stored scores were computed with. */
  scoringHash: text('scoring_hash').notNull(),
  options: text('options', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  engineVersion: text('engine_version').notNull(),
  /** SHA-256 over the exact input rows (ids, derived columns, scores, flags) in id order. */
  inputHash: text('input_hash').notNull(),
  /**
   * Hashes of consecutive blocks of the input rows (id order; block size chosen so there are at
   * most about 1,024), so `kelisim run verify` can say which responses changed, not only that some did.
   */
  inputBlocks: text('input_blocks', { mode: 'json' }).$type<{ size: number; hashes: string[] }>(),
  result: text('result', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  createdBy: text('created_by').notNull(),
  createdAt: text('created_at').notNull(),
}, (t) => [index('estimate_runs_wave_idx').on(t.waveId)]);

/**
 * Publication history, append-only: a 'publish' event makes its run the published one for the
 * period (replacing an earlier one, which marks the period revised); a 'withdraw' takes it back.
 * The current state of a period is its latest event. Nothing is updated or deleted.
 */
export const publications = sqliteTable('publications', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  runId: integer('run_id').notNull().references(() => estimateRuns.id),
  /** The run's wave period, e.g. '2026-Q3'. */
  period: text('period').notNull(),
  action: text('action', { enum: ['publish', 'withdraw'] }).notNull(),
  reason: text('reason'),
  actor: text('actor').notNull(),
  at: text('at').notNull(),
}, (t) => [index('publications_period_idx').on(t.period, t.id)]);

/**
 * The append-only audit log of every state change (who, when, what, before/after, why). Read by
 * the console; written in the same transaction as the change it records.
 */
export const auditLog = sqliteTable('audit_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: text('at').notNull(),
  /** 'cli:<os user>' for commands, 'user:<id>' for console accounts, 'system' for the server itself. */
  actor: text('actor').notNull(),
  /** e.g. 'run.publish', 'run.withdraw', 'wave.create', 'responses.import', 'frame.import'. */
  action: text('action').notNull(),
  subjectType: text('subject_type').notNull(),
  subjectId: text('subject_id'),
  before: text('before', { mode: 'json' }).$type<unknown>(),
  after: text('after', { mode: 'json' }).$type<unknown>(),
  reason: text('reason'),
}, (t) => [index('audit_log_action_idx').on(t.action, t.id)]);

/** Targets of the Concept (surveys/targets.json), stored as loaded so later features read one copy. */
export const targetSets = sqliteTable('target_sets', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  contentHash: text('content_hash').notNull().unique(),
  json: text('json', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  loadedAt: text('loaded_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

/**
 * Quota targets of a wave (issue 8, docs/decisions/022): the most respondents counted in one cell
 * of region × sex × age band. Age bands are labels `LO-HI` or `LO+` (whole years, as frames use);
 * `ageLo`/`ageHi` are the band's bounds (null `ageHi`: open-ended), stored so a cell's count is an
 * index range over the reservations' ages. The bands of one wave never overlap. A cell without a
 * row is not limited. `kelisim quota set` and the console replace a wave's whole set at once.
 */
export const quotaTargets = sqliteTable('quota_targets', {
  waveId: integer('wave_id').notNull().references(() => waves.id),
  region: text('region').notNull(),
  sex: text('sex').notNull(),
  ageBand: text('age_band').notNull(),
  ageLo: integer('age_lo').notNull(),
  ageHi: integer('age_hi'),
  target: integer('target').notNull(),
}, (t) => [primaryKey({ columns: [t.waveId, t.region, t.sex, t.ageBand] })]);

/**
 * One place per response of a wave with quotas (docs/decisions/022), taken in the same transaction
 * as the save that placed the respondent (region, sex and age answered). `held`: a partial response
 * holds it (live while the response was saved within the last 2 h); `counted`: completed or
 * imported; `released`: abandoned (no save for 2 h) or screened out by the screener; `refused`: the
 * cell was full, and the response was stored as screened out with reason `quota_full`.
 */
export const quotaReservations = sqliteTable('quota_reservations', {
  /**
   * The response (no foreign key: the place is decided before the save that creates the response
   * row, in the same transaction, so the response is stored once with its final status).
   */
  responseId: text('response_id').primaryKey(),
  waveId: integer('wave_id').notNull().references(() => waves.id),
  region: text('region').notNull(),
  sex: text('sex').notNull(),
  age: integer('age').notNull(),
  state: text('state', { enum: ['held', 'counted', 'released', 'refused'] }).notNull(),
  /** 'web' for the respondent page (open link or invitation), 'import' for imported interviews (never refused). */
  source: text('source', { enum: ['web', 'import'] }).notNull(),
  takenAt: text('taken_at').notNull(),
  updatedAt: text('updated_at').notNull(),
}, (t) => [
  // A cell's count is a range of this index (region, sex, state, age); with source and updated_at
  // it also covers the whole fill of a wave, read in one pass without touching the table.
  index('quota_reservations_cell_idx').on(t.waveId, t.region, t.sex, t.state, t.age, t.source, t.updatedAt),
]);

export type FrameRow = typeof frames.$inferSelect;
export type EstimateRunRow = typeof estimateRuns.$inferSelect;
export type PublicationRow = typeof publications.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;
export type SurveyVersionRow = typeof surveyVersions.$inferSelect;
export type WaveRow = typeof waves.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type ResponseRow = typeof responses.$inferSelect;
export type QuotaTargetRow = typeof quotaTargets.$inferSelect;
export type QuotaReservationRow = typeof quotaReservations.$inferSelect;

// --- Open-link protection (issue 14, docs/decisions/021-open-link-protection.md) ---------------

/**
 * One random secret per open wave: the key of the address hashes (HMAC-SHA-256) and of the wave's
 * proof-of-work challenges. Deleted when the wave closes (closeWave), after which no stored
 * address hash can be tied back to an address, not even by whoever holds the database.
 */
export const waveSecrets = sqliteTable('wave_secrets', {
  waveId: integer('wave_id').primaryKey().references(() => waves.id),
  secret: text('secret').notNull(),
  createdAt: text('created_at').notNull(),
});

/** Proof-of-work challenges already spent (single use), kept until they expire. */
export const usedChallenges = sqliteTable('used_challenges', {
  /** The challenge's HMAC signature (hex): unique per issued challenge. */
  signature: text('signature').primaryKey(),
  /** Unix time in seconds after which the challenge is refused anyway, so the row can go. */
  expiresAt: integer('expires_at').notNull(),
}, (t) => [index('used_challenges_expires_idx').on(t.expiresAt)]);

/**
 * The counters of the open-link limits, in the exact layout rate-limiter-flexible's SQLite store
 * uses (RateLimiterSQLite: key, points, expire in ms), so several servers on one database share them.
 * Keys are `<limit>:<wave>:<address hash>`: never a raw address.
 */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: integer('expire'),
});

/**
 * What the open-link protection learnt about a web response, for the run-time quality flags
 * (analysis/quality.ts: burst, duplicate answers, automation). A side table written in the same
 * transaction as the response, so the respondent hot path's statements (server/responses/queries.ts)
 * are unchanged. No raw address: `addressHash` is keyed with the wave's secret.
 */
export const responseSignals = sqliteTable('response_signals', {
  responseId: text('response_id').primaryKey().references(() => responses.id),
  /** HMAC-SHA-256 (hex, first 32 digits) of the completing address with the wave's secret; null for an invitation. */
  addressHash: text('address_hash'),
  /** 1: created through the open link with a valid, unused proof of work; 0: without one (KELISIM_ANTIBOT=off); null: not asked (invitation). */
  powOk: integer('pow_ok'),
  /** SHA-256 of the canonical answers (every question, demographics included), set at completion. */
  answersHash: text('answers_hash'),
});

export type ResponseSignalsRow = typeof responseSignals.$inferSelect;

// --- The researchers' console (issue 8, docs/decisions/019) -----------------------------------

/** Console accounts. No public sign-up: `kelisim user create` or an admin creates them. */
export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Lower-case. */
  email: text('email').notNull().unique(),
  role: text('role', { enum: ['viewer', 'researcher', 'admin'] }).notNull(),
  /** `scrypt$N$r$p$salt$hash` (base64url parts), docs/decisions/019. */
  passwordHash: text('password_hash').notNull(),
  /** Set for a one-time password: every route but the password change answers 403 until it is changed. */
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(true),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: text('created_at').notNull(),
  lastLoginAt: text('last_login_at'),
});

/** Console sessions: only the SHA-256 of the cookie's token is stored. */
export const sessions = sqliteTable('sessions', {
  tokenHash: text('token_hash').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id),
  csrfToken: text('csrf_token').notNull(),
  createdAt: text('created_at').notNull(),
  lastSeenAt: text('last_seen_at').notNull(),
  /** createdAt + the absolute limit (12 h). */
  expiresAt: text('expires_at').notNull(),
}, (t) => [index('sessions_user_idx').on(t.userId)]);

/** Login throttle state, per key ('account:<email>' or 'address:<ip>'): failures since the last success. */
export const loginThrottle = sqliteTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: text('last_failure_at').notNull(),
  /** No attempt is checked before this time (ISO). */
  blockedUntil: text('blocked_until'),
});

/** Background jobs of the console (estimate runs): their state survives the page being left. */
export const jobs = sqliteTable('jobs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind', { enum: ['estimate'] }).notNull(),
  status: text('status', { enum: ['queued', 'running', 'done', 'failed'] }).notNull(),
  progress: real('progress'),
  stage: text('stage'),
  request: text('request', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  runId: integer('run_id').references(() => estimateRuns.id),
  error: text('error', { mode: 'json' }).$type<{ code: string; message: string; details?: unknown }>(),
  createdBy: text('created_by').notNull(),
  createdAt: text('created_at').notNull(),
  finishedAt: text('finished_at'),
});

/** A researcher's overrule of a quality flag on one response, with the written reason (METHODOLOGY §6). */
export const flagOverrules = sqliteTable('flag_overrules', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  responseId: text('response_id').notNull().references(() => responses.id),
  flag: text('flag', { enum: QUALITY_FLAGS }).notNull(),
  reason: text('reason').notNull(),
  actor: text('actor').notNull(),
  at: text('at').notNull(),
}, (t) => [uniqueIndex('flag_overrules_response_flag_uq').on(t.responseId, t.flag)]);

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;

/**
 * The run-time quality flags an estimate run computed (docs/decisions/024), written in the run's
 * transaction so the console can show and filter "flags as of run N". One row per run that
 * recorded them (a run stored before this table has none, and the console says so), with what a
 * reason needs beyond the response's own row: the speeder threshold of that run's wave.
 */
export const runFlagSets = sqliteTable('run_flag_sets', {
  runId: integer('run_id').primaryKey().references(() => estimateRuns.id),
  waveId: integer('wave_id').notNull().references(() => waves.id),
  /** The wave's median completion time and 0.3 × it (null: too few timed completes to flag speeders). */
  speederMedianMs: real('speeder_median_ms'),
  speederThresholdMs: real('speeder_threshold_ms'),
  /** Flagged (response, flag) pairs written to run_flags. */
  flagged: integer('flagged').notNull(),
}, (t) => [index('run_flag_sets_wave_idx').on(t.waveId, t.runId)]);

/**
 * Only the flagged pairs of a run (a clean response has no row, so a run of 1,000,000 rows writes
 * a few thousand). `incomplete` is not written: it follows from the stored row and the list reads
 * it there. The key serves both "the flagged responses of run R with flag F" and "the flags of
 * these 50 responses in run R" (flag IN (…) AND response_id IN (…)).
 */
export const runFlags = sqliteTable('run_flags', {
  runId: integer('run_id').notNull().references(() => estimateRuns.id),
  flag: text('flag', { enum: QUALITY_FLAGS }).notNull(),
  responseId: text('response_id').notNull(),
}, (t) => [primaryKey({ columns: [t.runId, t.flag, t.responseId] })]);

export type RunFlagSetRow = typeof runFlagSets.$inferSelect;
