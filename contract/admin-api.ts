// The researchers' console API (issue 8) as one contract the server and the console client both
// import (docs/decisions/006, 019): every route under /api/admin with its method, path, the role it
// needs, its request body or query and its answer body, as zod/mini schemas. Forms on the client
// validate with the same schemas the server parses requests with.
//
// Pure: no node:, express or DOM imports (eslint.config.js enforces it for contract/**).
//
// Conventions every route follows:
// - Paths are relative to /api/admin. `:id` parameters are positive integers (responses: a UUID).
// - Every state-changing request (POST, PUT, PATCH, DELETE) carries the session's CSRF token in the
//   header `X-CSRF-Token` (CSRF_HEADER) and, from a browser, a same-origin `Origin`; otherwise 403
//   `csrf_failed`. The login itself needs no token (there is no session yet) but is Origin-checked.
// - Anonymous → 401 `unauthenticated`; a role below the route's → 403 `forbidden`; an account whose
//   one-time password has not been changed yet → 403 `password_change_required` on every route but
//   GET/DELETE /session and POST /password.
// - Errors are the one error body `{ error: { code, message, details? } }` (respondent-api.ts).
// - Uploads (imports, frames, quota CSV) send the file itself as the body (`Content-Type: text/csv`,
//   or the XLSX media type for frames), with the other fields in the query string.
// - Downloads (invitations CSV, exports) answer the file with `Content-Disposition: attachment`.
import { z } from 'zod/mini';
import { LOCALES } from './locales';
import { QUALITY_FLAGS, type QualityFlagName } from './quality-flags';

export { errorBody, type ErrorBody } from './respondent-api';

// --- Facts both sides share ------------------------------------------------------------------

/** Roles, weakest first: a role may do everything the roles before it may. */
export const ROLES = ['viewer', 'researcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** True when `have` is at least `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export const CSRF_HEADER = 'X-CSRF-Token';
export const SESSION_COOKIE = 'kelisim_session';
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 3600 * 1000;
export const PASSWORD_MIN_LENGTH = 12;
/** Longer passwords are refused (hashing a megabyte is a denial of service, not a password). */
export const PASSWORD_MAX_LENGTH = 256;
/** Largest page of any list. */
export const MAX_PAGE_SIZE = 200;
export const MAX_INVITATIONS_PER_REQUEST = 100_000;
/** Largest file an upload route accepts (interviews, frames, quota CSV). */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
export const CSV_MEDIA_TYPE = 'text/csv';
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Quality flags of METHODOLOGY §6 (contract/quality-flags.ts). */
export { QUALITY_FLAGS, type QualityFlagName };
export const RESPONSE_MODES = ['web', 'capi', 'papi', 'cati'] as const;
export const RESPONSE_STATUSES = ['partial', 'complete', 'screened_out'] as const;
export const EXPORT_FORMATS = ['csv', 'xlsx', 'sav'] as const;
export const INDICATOR_IDS = ['consensus', 'tolerance', 'mood'] as const;

// --- Building blocks ---------------------------------------------------------------------------

const trimmed = (min: number, max: number, what: string) => z.string().check(
  z.trim(),
  z.minLength(min, { error: `${what}: at least ${min} character${min === 1 ? '' : 's'}` }),
  z.maxLength(max, { error: `${what}: at most ${max} characters` }),
);

export const idParam = z.object({ id: z.coerce.number().check(z.int(), z.positive()) });
export const responseIdParam = z.object({ id: z.string().check(z.regex(/^[0-9A-Za-z._:-]{1,128}$/)) });
export const localeSchema = z.enum(LOCALES);
export const roleSchema = z.enum(ROLES);
export const isoTime = z.string();
export const periodSchema = z.string().check(z.regex(/^\d{4}-Q[1-4]$/, { error: 'A period is a quarter like 2026-Q3' }));
export const emailSchema = z.string().check(
  z.trim(), z.toLowerCase(), z.maxLength(254),
  z.regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: 'Enter an e-mail address like name@example.kz' }),
);
/** A new password: the server also refuses common passwords (422 `weak_password`). */
export const newPasswordSchema = z.string().check(
  z.minLength(PASSWORD_MIN_LENGTH, { error: `The password must have at least ${PASSWORD_MIN_LENGTH} characters` }),
  z.maxLength(PASSWORD_MAX_LENGTH, { error: `The password must have at most ${PASSWORD_MAX_LENGTH} characters` }),
);
/** A written reason (flag overrule, withdrawal). */
export const reasonSchema = trimmed(5, 2000, 'The reason');

/** Keyset pagination: `cursor` is opaque, from the previous page's `nextCursor`. */
export const pageQuery = z.object({
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_PAGE_SIZE))),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
export const pageOf = <T extends z.core.$ZodType>(item: T) => z.object({
  items: z.array(item),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.nullable(z.string()),
});

const titles = z.object({ kk: z.string(), ru: z.string(), en: z.string() });

// --- Auth and accounts ------------------------------------------------------------------------

export const userSchema = z.object({
  id: z.int(),
  email: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  /** True until the one-time password has been replaced. */
  mustChangePassword: z.boolean(),
  createdAt: isoTime,
  lastLoginAt: z.nullable(isoTime),
});
export type User = z.infer<typeof userSchema>;

/** POST /session */
export const loginBody = z.strictObject({
  email: emailSchema,
  password: z.string().check(z.minLength(1, { error: 'Enter your password' }), z.maxLength(PASSWORD_MAX_LENGTH)),
  totp: z.optional(z.string().check(z.regex(/^\d{6}$/))),
});
export type LoginBody = z.infer<typeof loginBody>;
/** POST /session 200 and GET /session 200. */
export const sessionBody = z.object({
  user: userSchema,
  /** Send in the X-CSRF-Token header on every state-changing request of this session. */
  csrfToken: z.string(),
  /** When the session ends at the latest (absolute limit). */
  expiresAt: isoTime,
});
export type SessionBody = z.infer<typeof sessionBody>;

/** POST /password: the signed-in account's own password. */
export const changePasswordBody = z.strictObject({
  currentPassword: z.string().check(z.minLength(1, { error: 'Enter your current password' }), z.maxLength(PASSWORD_MAX_LENGTH)),
  newPassword: newPasswordSchema,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

/** POST /users */
export const createUserBody = z.strictObject({ email: emailSchema, role: roleSchema });
export type CreateUserBody = z.infer<typeof createUserBody>;
/** POST /users 201 and POST /users/:id/reset-password 200: the one-time password, shown once. */
export const oneTimePasswordBody = z.object({ user: userSchema, oneTimePassword: z.string() });
export type OneTimePasswordBody = z.infer<typeof oneTimePasswordBody>;
/** PATCH /users/:id: change role and/or disable or enable. */
export const updateUserBody = z.strictObject({ role: z.optional(roleSchema), disabled: z.optional(z.boolean()) });
export type UpdateUserBody = z.infer<typeof updateUserBody>;
export const userList = z.object({ items: z.array(userSchema) });

// --- Waves, invitations, quotas -------------------------------------------------------------------

export const modeCounts = z.record(z.string(), z.int());
export const waveSchema = z.object({
  id: z.int(),
  surveyId: z.string(),
  title: titles,
  status: z.enum(['open', 'closed']),
  period: z.nullable(z.string()),
  openedAt: isoTime,
  closedAt: z.nullable(isoTime),
  /** The open link's path, /s/<slug>. */
  openPath: z.string(),
  counts: z.object({
    started: z.int(),
    partial: z.int(),
    completed: z.int(),
    screenedOut: z.int(),
    /** Responses per mode (web, capi, papi, cati), all statuses. */
    byMode: modeCounts,
  }),
  invitations: z.object({ total: z.int(), used: z.int(), completed: z.int() }),
});
export type Wave = z.infer<typeof waveSchema>;
export const waveList = z.object({ items: z.array(waveSchema) });

/** POST /waves: record a wave for a past (or current) period, e.g. to import field interviews. */
export const createWaveBody = z.strictObject({ period: periodSchema, closed: z.optional(z.boolean()) });
export type CreateWaveBody = z.infer<typeof createWaveBody>;
/** POST /waves/open: open a new wave for the current quarter (409 `wave_open` if one is open). */
export const openWaveBody = z.strictObject({});
/** GET /waves/:id/link */
export const waveLinkBody = z.object({ url: z.string(), qrSvg: z.string() });
export type WaveLink = z.infer<typeof waveLinkBody>;

/** POST /waves/:id/invitations: answers text/csv (`invitation_id,link`), downloadable once. */
export const createInvitationsBody = z.strictObject({
  count: z.int().check(z.gte(1, { error: 'Create at least 1 invitation' }), z.lte(MAX_INVITATIONS_PER_REQUEST, { error: `At most ${MAX_INVITATIONS_PER_REQUEST} invitations at once` })),
});
export type CreateInvitationsBody = z.infer<typeof createInvitationsBody>;
/** GET /waves/:id/invitations */
export const invitationCounts = z.object({ waveId: z.int(), total: z.int(), used: z.int(), completed: z.int(), unused: z.int() });
export type InvitationCounts = z.infer<typeof invitationCounts>;

export const quotaCellKey = z.object({ region: z.string(), sex: z.string(), ageBand: z.string() });
export const quotaTarget = z.extend(quotaCellKey, { target: z.int().check(z.gte(0)) });
/** PUT /waves/:id/quotas: the whole set of targets (cells not listed have no quota). */
export const putQuotasBody = z.strictObject({ cells: z.array(quotaTarget) });
export type PutQuotasBody = z.infer<typeof putQuotasBody>;
/** GET /waves/:id/quotas (and the answer of PUT and of the CSV import). */
export const quotaState = z.object({
  waveId: z.int(),
  cells: z.array(z.extend(quotaTarget, {
    /** Respondents counted against the cell (reservations of partial responses included). */
    filled: z.int(),
    /** filled − target when imported interviews pushed it over, else 0. */
    overshoot: z.int(),
  })),
});
export type QuotaState = z.infer<typeof quotaState>;
// POST /waves/:id/quotas/import: body text/csv with columns region,sex,age_band,target → quotaState.

// --- Responses --------------------------------------------------------------------------------------

/** The list is per wave (the console's table is a wave's), so every page walks one index range. */
export const responseListQuery = z.extend(pageQuery, {
  wave: z.coerce.number().check(z.int(), z.positive()),
  status: z.optional(z.enum(RESPONSE_STATUSES)),
  mode: z.optional(z.enum(RESPONSE_MODES)),
  region: z.optional(z.string().check(z.maxLength(100))),
  /** A quality flag, or `overruled` for responses with an overruled flag. */
  flag: z.optional(z.enum([...QUALITY_FLAGS, 'overruled'])),
  /** By last change time: newest first (default) or oldest first. */
  sort: z.optional(z.enum(['newest', 'oldest'])),
});
export type ResponseListQuery = z.infer<typeof responseListQuery>;
export const flagState = z.object({
  flag: z.enum(QUALITY_FLAGS),
  /** Why the response is flagged, in English for the log (the client translates by `flag`). */
  reason: z.string(),
  /**
   * The run that flagged it (the wave's latest run that recorded flags, docs/decisions/024); null
   * for `incomplete` (read from the stored answers) and for an overrule the latest run did not flag.
   */
  runId: z.nullable(z.int()),
  /** For `speeder`: the response's completion time and that run's median and threshold (0.3 × median), in ms. */
  speeder: z.optional(z.object({ durationMs: z.nullable(z.number()), medianMs: z.number(), thresholdMs: z.number() })),
  overruled: z.nullable(z.object({ reason: z.string(), by: z.string(), at: isoTime })),
});
export type FlagState = z.infer<typeof flagState>;
export const responseSummary = z.object({
  id: z.string(),
  waveId: z.int(),
  status: z.enum(RESPONSE_STATUSES),
  mode: z.enum(RESPONSE_MODES),
  locale: localeSchema,
  region: z.nullable(z.string()),
  startedAt: isoTime,
  updatedAt: isoTime,
  completedAt: z.nullable(isoTime),
  durationMs: z.nullable(z.int()),
  /** `incomplete` from the stored row, the other flags as of `flagsRun` (docs/decisions/024). */
  flags: z.array(z.enum(QUALITY_FLAGS)),
});
export type ResponseSummary = z.infer<typeof responseSummary>;
/**
 * The wave's latest estimate run that recorded its flags: speeder, straightliner, burst,
 * duplicate_answers and automation are computed over the whole wave when a run is computed, so
 * the list shows and filters them "as of run N". Null when no run of the wave recorded flags
 * (filtering by one of those flags then lists nothing).
 */
export const flagsRun = z.nullable(z.object({ runId: z.int(), createdAt: isoTime }));
export type FlagsRun = z.infer<typeof flagsRun>;
export const responseList = z.extend(pageOf(responseSummary), { flagsRun });
export type ResponseList = z.infer<typeof responseList>;
/** GET /responses/:id?locale=ru */
export const responseDetailQuery = z.object({ locale: z.optional(localeSchema) });
export const responseDetail = z.extend(responseSummary, {
  interviewer: z.nullable(z.string()),
  surveyVersionId: z.int(),
  scores: z.object({ consensus: z.nullable(z.number()), tolerance: z.nullable(z.number()), mood: z.nullable(z.number()) }),
  /** Every answered question in questionnaire order, texts in the requested locale. */
  answers: z.array(z.object({ name: z.string(), question: z.string(), value: z.unknown(), answer: z.string() })),
  flagStates: z.array(flagState),
  flagsRun,
});
export type ResponseDetail = z.infer<typeof responseDetail>;
/** POST /responses/:id/flags/:flag/overrule → responseDetail */
export const overruleBody = z.strictObject({ reason: reasonSchema });
export type OverruleBody = z.infer<typeof overruleBody>;
export const flagParams = z.object({ id: responseIdParam.shape.id, flag: z.enum(QUALITY_FLAGS) });

// --- Imports and frames -------------------------------------------------------------------------------

/** POST /waves/:id/imports?fileName=…: body text/csv. 201 with the summary; 422 `invalid_import` lists the rows at fault (details: {file, errors: [{line, column, reason}], total}), nothing stored. */
export const importQuery = z.object({ fileName: z.optional(z.string().check(z.maxLength(255))) });
export const importSummary = z.object({
  waveId: z.int(), surveyVersionId: z.int(), file: z.string(),
  rows: z.int(), inserted: z.int(), unchanged: z.int(), screenedOut: z.int(),
});
export type ImportSummary = z.infer<typeof importSummary>;

/** POST /frames?name=…&source=…&referenceDate=…&illustrative=…: body CSV or XLSX. */
export const frameUploadQuery = z.object({
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: "Use 1–64 lower-case letters, digits, '.', '_' or '-' (e.g. kz-census-2021)" })),
  source: trimmed(1, 500, 'The source'),
  referenceDate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'A date YYYY-MM-DD' })),
  illustrative: z.optional(z.enum(['true', 'false'])),
  fileName: z.optional(z.string().check(z.maxLength(255))),
});
export type FrameUploadQuery = z.infer<typeof frameUploadQuery>;
export const frameSchema = z.object({
  id: z.int(), name: z.string(), source: z.string(), referenceDate: z.string(), illustrative: z.boolean(),
  contentHash: z.string(), margins: z.int(), createdBy: z.string(), createdAt: isoTime,
});
export type Frame = z.infer<typeof frameSchema>;
export const frameList = z.object({ items: z.array(frameSchema) });
export const frameUploadResult = z.object({
  frame: frameSchema,
  /** Margins whose totals were scaled to the frame total (within 0.5 %). */
  scaled: z.array(z.object({ margin: z.string(), total: z.number(), factor: z.number() })),
});

// --- Runs and publication -------------------------------------------------------------------------

/** POST /runs → 202 job. */
export const computeRunBody = z.strictObject({
  waveId: z.int().check(z.positive()),
  frameId: z.int().check(z.positive()),
  minCellSize: z.optional(z.int().check(z.gte(1))),
  bounds: z.optional(z.nullable(z.tuple([z.number().check(z.positive()), z.number().check(z.positive())]))),
  exclude: z.optional(z.array(z.enum(QUALITY_FLAGS))),
});
export type ComputeRunBody = z.infer<typeof computeRunBody>;
/**
 * A job's stages, in order: waiting its turn, reading the wave's rows (progress counts them),
 * the quality flags, weighting with the estimates and domains, storing the run.
 */
export const JOB_STAGES = ['queued', 'reading', 'flags', 'weighting', 'storing'] as const;
export type JobStage = (typeof JOB_STAGES)[number];
export const jobSchema = z.object({
  id: z.int(),
  kind: z.literal('estimate'),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  /** Share of the run done, 0..1, never decreasing (1 when done); null when not known. */
  progress: z.nullable(z.number()),
  /** What it is doing now: one of JOB_STAGES (null when finished); the console words it per stage. */
  stage: z.nullable(z.string()),
  waveId: z.int(),
  frameId: z.int(),
  runId: z.nullable(z.int()),
  error: z.nullable(z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) })),
  createdBy: z.string(),
  createdAt: isoTime,
  finishedAt: z.nullable(isoTime),
});
export type Job = z.infer<typeof jobSchema>;
export const jobList = z.object({ items: z.array(jobSchema) });

export const runListQuery = z.extend(pageQuery, { wave: z.optional(z.coerce.number().check(z.int(), z.positive())) });
export const runSummary = z.object({
  id: z.int(), waveId: z.int(), period: z.nullable(z.string()), frameId: z.int(), frameName: z.string(),
  createdBy: z.string(), createdAt: isoTime,
  completes: z.int(), used: z.int(),
  /** This run is the period's published one now. */
  published: z.boolean(),
  everPublished: z.boolean(),
});
export type RunSummary = z.infer<typeof runSummary>;
export const runList = pageOf(runSummary);

const ci = z.object({ estimate: z.nullable(z.number()), se: z.nullable(z.number()), lower: z.nullable(z.number()), upper: z.nullable(z.number()) });
export const runDetail = z.extend(runSummary, {
  frame: z.object({ id: z.int(), name: z.string(), source: z.string(), referenceDate: z.string(), illustrative: z.boolean() }),
  options: z.object({ minCellSize: z.int(), bounds: z.nullable(z.tuple([z.number(), z.number()])), exclude: z.array(z.enum(QUALITY_FLAGS)) }),
  indicators: z.array(z.extend(ci, { id: z.enum(INDICATOR_IDS), n: z.int() })),
  diagnostics: z.object({
    converged: z.boolean(), iterations: z.int(), maxMarginError: z.number(),
    kishN: z.number(), designEffect: z.number(), weightMin: z.number(), weightMax: z.number(),
    merged: z.array(z.unknown()),
  }),
  marginCells: z.array(z.object({
    margin: z.string(), level: z.string(), members: z.array(z.string()), n: z.int(),
    populationShare: z.number(), weightedShare: z.number(),
  })),
  exclusions: z.object({
    completes: z.int(), used: z.int(), excluded: z.int(), overruled: z.int(),
    excludedBy: z.record(z.string(), z.int()),
  }),
  /** indicator → breakdown → rows; `suppressed` rows carry no estimate. */
  domains: z.array(z.object({
    indicator: z.enum(INDICATOR_IDS), by: z.string(), level: z.string(), n: z.int(), suppressed: z.boolean(),
    estimate: z.nullable(z.number()), lower: z.nullable(z.number()), upper: z.nullable(z.number()),
  })),
  publications: z.array(z.object({ action: z.enum(['publish', 'withdraw']), reason: z.nullable(z.string()), actor: z.string(), at: isoTime })),
});
export type RunDetail = z.infer<typeof runDetail>;
/** POST /runs/:id/publish (empty body) → publication event. */
export const publishBody = z.strictObject({});
/** POST /runs/:id/withdraw */
export const withdrawBody = z.strictObject({ reason: reasonSchema });
export type WithdrawBody = z.infer<typeof withdrawBody>;
export const publicationEvent = z.object({
  runId: z.int(), period: z.string(), action: z.enum(['publish', 'withdraw']), reason: z.nullable(z.string()), actor: z.string(), at: isoTime,
  /** publish: the run it replaced as the period's published one, if any. */
  replaced: z.nullable(z.int()),
});

// --- Exports ------------------------------------------------------------------------------------

/** GET /waves/:id/export?format=csv&lang=ru&status=complete&labels=true → the file (attachment). */
export const exportQuery = z.object({
  format: z.enum(EXPORT_FORMATS),
  lang: z.optional(localeSchema),
  status: z.optional(z.enum(['complete', 'all'])),
  labels: z.optional(z.enum(['true', 'false'])),
  /** `codebook`: the codebook CSV instead of the data. */
  part: z.optional(z.enum(['data', 'codebook'])),
  /** A run of this wave: each row gets its weight and exclusion (as `kelisim export --run`). */
  run: z.optional(z.coerce.number().check(z.int(), z.positive())),
});
export type ExportQuery = z.infer<typeof exportQuery>;
/** GET /runs/:id/export: a run's results table (as `kelisim export --run`). */
export const runExportQuery = z.object({
  format: z.enum(['csv', 'xlsx']),
  lang: z.optional(localeSchema),
  /** CSV only: the estimates (default) or the diagnostics; XLSX holds both sheets. */
  part: z.optional(z.enum(['estimates', 'diagnostics'])),
});
export type RunExportQuery = z.infer<typeof runExportQuery>;

// --- Audit log -------------------------------------------------------------------------------------

export const auditQuery = z.extend(pageQuery, {
  action: z.optional(z.string().check(z.maxLength(100))),
  actor: z.optional(z.string().check(z.maxLength(200))),
  subjectType: z.optional(z.string().check(z.maxLength(100))),
  subjectId: z.optional(z.string().check(z.maxLength(200))),
  /** ISO times, inclusive from, exclusive to. */
  from: z.optional(z.string().check(z.maxLength(40))),
  to: z.optional(z.string().check(z.maxLength(40))),
});
export type AuditQuery = z.infer<typeof auditQuery>;
export const auditEntry = z.object({
  id: z.int(), at: isoTime, actor: z.string(), action: z.string(), subjectType: z.string(), subjectId: z.nullable(z.string()),
  before: z.unknown(), after: z.unknown(), reason: z.nullable(z.string()),
});
export type AuditEntryBody = z.infer<typeof auditEntry>;
export const auditList = pageOf(auditEntry);

// --- The route table ---------------------------------------------------------------------------------

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Who may call a route: `anyone` (only the login), `signedIn` (any role, even before the one-time password is changed), or a minimum role. */
export type RouteAccess = 'anyone' | 'signedIn' | Role;
export interface AdminRoute {
  method: Method;
  path: string;
  access: RouteAccess;
  /** JSON body schema; `'csv'`/`'csv-or-xlsx'` for uploads (the file is the body). */
  body?: z.core.$ZodType | 'csv' | 'csv-or-xlsx';
  query?: z.core.$ZodType;
  /** JSON answer schema; `'file'` for downloads; `null` for 204. */
  response: z.core.$ZodType | 'file' | null;
  status: 200 | 201 | 202 | 204;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a route without body or query adds nothing
function r<const M extends Method, const A extends RouteAccess, R extends AdminRoute['response'], const E extends Partial<AdminRoute> = {}>(
  method: M, path: string, access: A, response: R, extra?: E,
): { method: M; path: string; access: A; response: R; status: AdminRoute['status'] } & E {
  return { method, path, access, response, status: response === null ? 204 : 200, ...(extra as E) };
}

/** Every /api/admin route. The server registers exactly these (a test enumerates its router). */
export const ADMIN_ROUTES = {
  login: r('POST', '/session', 'anyone', sessionBody, { body: loginBody }),
  me: r('GET', '/session', 'signedIn', sessionBody),
  logout: r('DELETE', '/session', 'signedIn', null),
  changePassword: r('POST', '/password', 'signedIn', sessionBody, { body: changePasswordBody }),

  listUsers: r('GET', '/users', 'admin', userList),
  createUser: r('POST', '/users', 'admin', oneTimePasswordBody, { body: createUserBody, status: 201 }),
  updateUser: r('PATCH', '/users/:id', 'admin', userSchema, { body: updateUserBody }),
  resetPassword: r('POST', '/users/:id/reset-password', 'admin', oneTimePasswordBody),

  listWaves: r('GET', '/waves', 'viewer', waveList),
  createWave: r('POST', '/waves', 'researcher', waveSchema, { body: createWaveBody, status: 201 }),
  openWave: r('POST', '/waves/open', 'researcher', waveSchema, { body: openWaveBody, status: 201 }),
  getWave: r('GET', '/waves/:id', 'viewer', waveSchema),
  closeWave: r('POST', '/waves/:id/close', 'researcher', waveSchema),
  waveLink: r('GET', '/waves/:id/link', 'viewer', waveLinkBody),
  createInvitations: r('POST', '/waves/:id/invitations', 'researcher', 'file', { body: createInvitationsBody, status: 201 }),
  invitationCounts: r('GET', '/waves/:id/invitations', 'viewer', invitationCounts),
  getQuotas: r('GET', '/waves/:id/quotas', 'viewer', quotaState),
  putQuotas: r('PUT', '/waves/:id/quotas', 'researcher', quotaState, { body: putQuotasBody }),
  importQuotas: r('POST', '/waves/:id/quotas/import', 'researcher', quotaState, { body: 'csv' }),
  importResponses: r('POST', '/waves/:id/imports', 'researcher', importSummary, { body: 'csv', query: importQuery, status: 201 }),
  exportWave: r('GET', '/waves/:id/export', 'viewer', 'file', { query: exportQuery }),

  listResponses: r('GET', '/responses', 'viewer', responseList, { query: responseListQuery }),
  getResponse: r('GET', '/responses/:id', 'viewer', responseDetail, { query: responseDetailQuery }),
  overruleFlag: r('POST', '/responses/:id/flags/:flag/overrule', 'researcher', responseDetail, { body: overruleBody }),

  listFrames: r('GET', '/frames', 'viewer', frameList),
  uploadFrame: r('POST', '/frames', 'researcher', frameUploadResult, { body: 'csv-or-xlsx', query: frameUploadQuery, status: 201 }),

  computeRun: r('POST', '/runs', 'researcher', jobSchema, { body: computeRunBody, status: 202 }),
  listJobs: r('GET', '/jobs', 'viewer', jobList),
  getJob: r('GET', '/jobs/:id', 'viewer', jobSchema),
  listRuns: r('GET', '/runs', 'viewer', runList, { query: runListQuery }),
  getRun: r('GET', '/runs/:id', 'viewer', runDetail),
  publishRun: r('POST', '/runs/:id/publish', 'researcher', publicationEvent, { body: publishBody }),
  withdrawRun: r('POST', '/runs/:id/withdraw', 'researcher', publicationEvent, { body: withdrawBody }),
  exportRun: r('GET', '/runs/:id/export', 'viewer', 'file', { query: runExportQuery }),

  audit: r('GET', '/audit', 'viewer', auditList, { query: auditQuery }),
} as const satisfies Record<string, AdminRoute>;
export type AdminRouteName = keyof typeof ADMIN_ROUTES;

/** `/waves/:id/close` with `{ id: 3 }` → `/waves/3/close` (values URI-encoded). */
export function adminPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/:([a-zA-Z]+)/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`adminPath: missing parameter ${k} for ${path}`);
    return encodeURIComponent(String(v));
  });
}

/**
 * Error codes the console API adds to the common ones (invalid_request 422, not_found 404, …):
 * - 401 `unauthenticated` (no or expired session), `invalid_credentials` (wrong e-mail or password
 *   — the same answer for an unknown account), `totp_required` / `invalid_totp`;
 * - 403 `forbidden` (role too low), `csrf_failed`, `password_change_required`, `account_disabled`
 *   is never sent (a disabled account gets `invalid_credentials`);
 * - 429 `too_many_attempts` (login throttle; `Retry-After` header and details.retryAfterSeconds);
 * - 422 `weak_password` (too short, too common, or the e-mail in it);
 * - 400 `wrong_password` (POST /password: the current password is not right);
 * - 409 `email_taken`, `same_password`, `last_admin` (the only active admin cannot be demoted or disabled);
 * - 404 `user_not_found`, `job_not_found`.
 */
export const ADMIN_ERROR_CODES = [
  'unauthenticated', 'invalid_credentials', 'totp_required', 'invalid_totp', 'forbidden', 'csrf_failed',
  'password_change_required', 'too_many_attempts', 'weak_password', 'email_taken', 'same_password', 'last_admin',
  'user_not_found', 'job_not_found', 'wrong_password',
] as const;
export type AdminErrorCode = (typeof ADMIN_ERROR_CODES)[number];
