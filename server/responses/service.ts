// The respondent journey over a link: read the survey, save partial answers, complete.
// The writing functions must be called inside a transaction or savepoint on `db`'s connection —
// in the server, as a job of the group-commit queue (server/db/write-queue.ts) — so each one is
// atomic: stored whole or, if it throws, not at all. better-sqlite3 is synchronous, so nothing
// else in this process interleaves with a job. Failures are DomainErrors (server/errors.ts); the
// shapes returned are the contract's (contract/respondent-api.ts).
import { AnalysisError } from '../../analysis/errors';
import { ageBand, scoreRespondent, type ScoringSpec } from '../../analysis/scoring';
import type { CompleteBody, CompletionResult, LinkState, PartialSaveBody, ResponseState, ResponseWithSurvey, SurveyPayload } from '../../contract/respondent-api';
import { legacySql } from '../db/legacy-sql';
import type { Db } from '../db/open';
import type { ResponseRow, WaveRow } from '../db/schema';
import { DomainError } from '../errors';
import { resolveLink, type ResolvedLink } from '../invitations/service';
import { claimQuotaPlace, screenReasonOf } from '../quotas/service';
import { getSurveyVersion, latestSurveyVersion, type LoadedSurveyVersion } from '../surveys/service';
import { completionValidatorFor, partialValidatorFor } from './completion-validator';
import * as q from './queries';

export type { CompleteBody, LinkState, ResponseState, SurveyPayload };
export type { ResponseStatus } from '../../contract/respondent-api';
export type PartialBody = PartialSaveBody;
export type CompletionBody = CompletionResult;

async function toState(db: Db, row: ResponseRow): Promise<ResponseState> {
  const state: ResponseState = {
    id: row.id, status: row.status, surveyVersionId: row.surveyVersionId, locale: row.locale,
    data: row.data, currentPageNo: row.currentPageNo,
  };
  return withScreenReason(db, state);
}

/** Adds why a screened-out response was screened out, when it was its quota (server/quotas). */
async function withScreenReason<T extends { id: string; status: string; screenReason?: 'quota_full' }>(db: Db, body: T): Promise<T> {
  const reason = body.status === 'screened_out' ? await screenReasonOf(legacySql(db), body.id) : undefined;
  return reason ? { ...body, screenReason: reason } : body;
}

function quotaFull(): DomainError {
  return new DomainError('conflict', 'quota_full', 'This group of respondents is already complete, so no more answers are needed from it. Thank you.');
}

function surveyPayload(v: LoadedSurveyVersion): SurveyPayload {
  return { versionId: v.row.id, json: v.row.json };
}

function resolveOrThrow(db: Db, link: string): ResolvedLink {
  const resolved = resolveLink(db, link);
  if (!resolved) throw new DomainError('not_found', 'link_not_found', 'This survey link does not exist. Check that it was copied completely.');
  return resolved;
}

function assertOpen(wave: WaveRow): void {
  if (wave.status !== 'open') throw new DomainError('conflict', 'wave_closed', `The survey wave "${wave.titleEn}" is closed; it no longer accepts answers.`);
}

/** Whether `row` was started through this link (same wave; same invitation, or none for an open link). */
/**
 * A completed invitation no longer names its response (docs/decisions/021): a finished response of
 * the same wave, asked for by its id (which only the answering device holds) under a used
 * invitation, is answered as that invitation's — a retried completion, a reload after the end.
 */
function finishedUnderUsedInvitation(row: ResponseRow, resolved: ResolvedLink): boolean {
  return row.status !== 'partial' && resolved.kind === 'invitation' && resolved.invitation.completedAt !== null
    && row.waveId === resolved.wave.id && row.invitationId === null;
}

function belongsTo(row: ResponseRow, resolved: ResolvedLink): boolean {
  if (row.waveId !== resolved.wave.id) return false;
  return resolved.kind === 'invitation' ? row.invitationId === resolved.invitation.id : row.invitationId === null;
}

function invitationUsed(): DomainError {
  return new DomainError('conflict', 'invitation_used', 'This invitation has already been used. Each invitation link can be answered once.');
}

/** The version a stored response was started on; its absence is a broken database, not a client error. */
function versionOfRow(db: Db, row: ResponseRow): LoadedSurveyVersion {
  const v = getSurveyVersion(db, row.surveyVersionId);
  if (!v) throw new Error(`survey version ${row.surveyVersionId} of response ${row.id} is missing`);
  return v;
}

// Survey versions are read through `db` (same connection as the transaction) so the per-database
// cache of immutable versions and their validators is shared across requests.

/** The version a new response may start on: one of the wave's survey, or survey_version_not_found. */
function versionForNewResponse(db: Db, wave: WaveRow, surveyVersionId: number): LoadedSurveyVersion {
  const v = getSurveyVersion(db, surveyVersionId);
  if (!v || v.row.surveyId !== wave.surveyId) {
    throw new DomainError('not_found', 'survey_version_not_found', `Survey version ${surveyVersionId} is not a version of this wave's survey; reload the survey page.`);
  }
  return v;
}

/** The version an existing response was started on; a different one in the request is a conflict. */
function versionOfExisting(db: Db, row: ResponseRow, requested: number): LoadedSurveyVersion {
  if (requested !== row.surveyVersionId) {
    throw new DomainError('conflict', 'survey_version_mismatch', `This response was started on survey version ${row.surveyVersionId}, not ${requested}; reload the survey page to continue.`, { surveyVersionId: row.surveyVersionId });
  }
  return versionOfRow(db, row);
}

/** What a write (partial save or completion) found for response `id` under `link`. */
interface WriteTarget {
  resolved: ResolvedLink;
  /** The stored response, if any (it belongs to this link). */
  row: ResponseRow | undefined;
}

/**
 * The guards every write shares, in the order the API promises: the link exists; an existing id
 * belongs to this link; the wave is open; an invitation is not completed or bound to another id.
 * `onFinished` decides what a response already completed means for this write (completion answers
 * it idempotently, so it is called before the wave is checked).
 */
function writeTarget<T>(db: Db, link: string, id: string, onFinished: (row: ResponseRow) => T): WriteTarget | { finished: T } {
  const resolved = resolveOrThrow(db, link);
  const row = q.findResponse(db, id);
  if (row && finishedUnderUsedInvitation(row, resolved)) return { finished: onFinished(row) };
  if (row && !belongsTo(row, resolved)) throw new DomainError('conflict', 'response_id_conflict', 'This response id belongs to another survey link; start a new response.');
  if (row && row.status !== 'partial') return { finished: onFinished(row) };
  assertOpen(resolved.wave);
  if (resolved.kind === 'invitation') {
    const inv = resolved.invitation;
    if (inv.completedAt !== null || (inv.responseId !== null && inv.responseId !== id)) throw invitationUsed();
  }
  return { resolved, row };
}

/** The version a write is validated against: the row's own, or the requested one for a new response. */
function versionForWrite(db: Db, { resolved, row }: WriteTarget, requested: number): LoadedSurveyVersion {
  return row ? versionOfExisting(db, row, requested) : versionForNewResponse(db, resolved.wave, requested);
}

/** Inserts a new response and binds its invitation (a lost race for the invitation undoes the insert). */
function insertNew(db: Db, { resolved }: WriteTarget, row: Omit<q.InsertedResponse, 'waveId' | 'invitationId' | 'mode' | 'interviewer' | 'baseWeight'>): void {
  q.insertResponse(db, {
    ...row, waveId: resolved.wave.id,
    invitationId: resolved.kind === 'invitation' ? resolved.invitation.id : null,
    ...WEB_RESPONSE,
  });
  if (resolved.kind === 'invitation' && !q.bindInvitation(db, resolved.invitation.id, row.id)) throw invitationUsed();
}

/** GET /api/links/:link */
export async function getLinkState(db: Db, link: string): Promise<LinkState> {
  const resolved = resolveOrThrow(db, link);
  const { wave } = resolved;
  assertOpen(wave);
  let response: ResponseRow | undefined;
  if (resolved.kind === 'invitation') {
    const inv = resolved.invitation;
    if (inv.completedAt !== null) throw invitationUsed();
    if (inv.responseId !== null) response = q.findResponse(db, inv.responseId);
  }
  const version = response ? getSurveyVersion(db, response.surveyVersionId) : (() => {
    const latest = latestSurveyVersion(db, wave.surveyId);
    return latest ? getSurveyVersion(db, latest.id) : undefined;
  })();
  if (!version) throw new DomainError('not_found', 'survey_not_found', `No questionnaire is registered for survey "${wave.surveyId}".`);
  return {
    link: { kind: resolved.kind },
    wave: { id: wave.id, title: { kk: wave.titleKk, ru: wave.titleRu, en: wave.titleEn }, status: wave.status },
    survey: surveyPayload(version),
    response: response ? await toState(db, response) : null,
  };
}

/** GET /api/links/:link/responses/:id */
export async function getResponseState(db: Db, link: string, id: string): Promise<ResponseWithSurvey> {
  const resolved = resolveOrThrow(db, link);
  const row = q.findResponse(db, id);
  if (!row || !(belongsTo(row, resolved) || finishedUnderUsedInvitation(row, resolved))) throw new DomainError('not_found', 'response_not_found', 'No saved answers with this id under this link.');
  return { ...(await toState(db, row)), survey: surveyPayload(versionOfRow(db, row)) };
}

function invalidAnswers(errors: { question: string; message: string }[]): DomainError {
  return new DomainError('bad_data', 'invalid_answers', `The answers are not valid: ${errors.map((e) => `${e.question}: ${e.message}`).join('; ')}`, errors);
}

/** PUT /api/links/:link/responses/:id — creates the row on first save. Call inside a transaction. */
export async function savePartial(db: Db, link: string, id: string, body: PartialBody, now = new Date()): Promise<ResponseState> {
  const target = writeTarget(db, link, id, async (row) => {
    if (await screenReasonOf(legacySql(db), row.id) === 'quota_full') throw quotaFull();
    throw new DomainError('conflict', 'already_completed', 'These answers have already been submitted.');
  });
  if ('finished' in target) return target.finished;
  const version = versionForWrite(db, target, body.surveyVersionId);
  // Shape-checked like a completion (unknown keys, and a depth and size bound per answer), though
  // an incomplete answer set is fine here.
  const verdict = partialValidatorFor(version)(body.data, body.locale);
  if (!verdict.ok) throw invalidAnswers(verdict.errors);
  const at = now.toISOString();
  // Quotas (server/quotas): the place is taken in this transaction; a full cell ends the response here.
  if (await claimQuotaPlace(legacySql(db), { waveId: target.resolved.wave.id, responseId: id, data: body.data, stage: 'partial' }, now) === 'quota_full') {
    storeFinal(db, target, id, { status: 'screened_out', locale: body.locale, data: body.data, updatedAt: at, completedAt: at, durationMs: null, ...q.NO_DERIVED_COLUMNS }, body.currentPageNo, version.row.id);
    return { id, status: 'screened_out', surveyVersionId: body.surveyVersionId, locale: body.locale, data: body.data, currentPageNo: body.currentPageNo, screenReason: 'quota_full' };
  }
  if (target.row) {
    q.updatePartial(db, id, { locale: body.locale, data: body.data, currentPageNo: body.currentPageNo, updatedAt: at });
  } else {
    insertNew(db, target, {
      id, surveyVersionId: body.surveyVersionId, locale: body.locale, status: 'partial', data: body.data,
      currentPageNo: body.currentPageNo, startedAt: at, updatedAt: at, completedAt: null, durationMs: null, ...q.NO_DERIVED_COLUMNS,
    });
  }
  return { id, status: 'partial', surveyVersionId: body.surveyVersionId, locale: body.locale, data: body.data, currentPageNo: body.currentPageNo };
}

/** Answers false to any screener question (decision 001): ends the survey, stored without scores. */
export function isScreenedOut(data: Record<string, unknown>): boolean {
  return data.adult === false || data.resident === false || data.consent === false;
}

/** A response collected by the respondent page (imported field interviews carry their own). */
const WEB_RESPONSE = { mode: 'web', interviewer: null, baseWeight: null } as const;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The derived columns of a complete response: weighting variables and scores from analysis/. */
export function deriveColumns(spec: ScoringSpec, data: Record<string, unknown>): q.DerivedColumns {
  const scores = scoreRespondent(spec, data);
  const age = typeof data.age === 'number' && Number.isInteger(data.age) ? data.age : null;
  return {
    region: str(data.region), settlement: str(data.settlement), sex: str(data.sex), ethnicity: str(data.ethnicity),
    age, ageBand: age === null ? null : ageBand(age),
    itemScores: scores.items,
    consensus: scores.indicators.consensus ?? null,
    tolerance: scores.indicators.tolerance ?? null,
    mood: scores.indicators.mood ?? null,
  };
}

/**
 * The question a scoring failure is about, from the error's code and details (never its message):
 * an item's value names the item; an impossible age is the `age` question.
 */
function questionOfScoringError(err: AnalysisError): string {
  if (typeof err.details?.item === 'string') return err.details.item;
  return err.code === 'invalid_age' ? 'age' : '';
}

/**
 * POST /api/links/:link/responses/:id/complete. Validates against the version the response was
 * started on (or the one named, for a response never saved partially), derives and stores
 * everything in one transaction. A response already completed returns its first result with
 * status 200, whatever the body: the id is the idempotency key. Call inside a transaction.
 */
export async function completeResponse(db: Db, link: string, id: string, body: CompleteBody, now = new Date()): Promise<{ created: boolean; body: CompletionBody }> {
  const target = writeTarget(db, link, id, async (row) => ({ created: false, body: await withScreenReason(db, { id: row.id, status: row.status as CompletionBody['status'], completedAt: row.completedAt! }) }));
  if ('finished' in target) return target.finished;
  const version = versionForWrite(db, target, body.surveyVersionId);

  const verdict = completionValidatorFor(version)(body.data, body.locale);
  if (!verdict.ok) throw invalidAnswers(verdict.errors);
  const screenedOut = isScreenedOut(body.data);
  // A screened-out respondent keeps only the answers: no weighting variables, no scores.
  let derived: q.DerivedColumns = q.NO_DERIVED_COLUMNS;
  if (!screenedOut) {
    try {
      derived = deriveColumns(version.spec, body.data);
    } catch (err) {
      // The validator should have caught it; scoring is the last line of defence, never a 500.
      if (!(err instanceof AnalysisError)) throw err;
      throw new DomainError('bad_data', 'invalid_answers', err.message, [{ question: questionOfScoringError(err), message: err.message }]);
    }
  }
  const at = now.toISOString();
  // Quotas (server/quotas): counted in this transaction, or screened out when the cell is full.
  const full = await claimQuotaPlace(legacySql(db), { waveId: target.resolved.wave.id, responseId: id, data: body.data, stage: screenedOut ? 'screened_out' : 'complete' }, now) === 'quota_full';
  if (full) derived = q.NO_DERIVED_COLUMNS;
  const status = screenedOut || full ? 'screened_out' as const : 'complete' as const;
  storeFinal(db, target, id, {
    status, locale: body.locale, data: body.data, updatedAt: at, completedAt: at,
    durationMs: body.durationMs ?? null, ...derived,
  }, 0, version.row.id);
  return { created: true, body: { id, status, completedAt: at, ...(full ? { screenReason: 'quota_full' as const } : {}) } };
}

/** Stores a response's final state (a new row or an update) and marks its invitation completed. */
function storeFinal(db: Db, target: WriteTarget, id: string, values: q.CompletedColumns, currentPageNo: number, surveyVersionId: number): void {
  if (target.row) q.updateCompleted(db, id, values);
  else insertNew(db, target, { id, surveyVersionId, currentPageNo, startedAt: values.updatedAt, ...values });
  const { resolved } = target;
  if (resolved.kind === 'invitation') q.markInvitationCompleted(db, resolved.invitation.id, id, values.updatedAt);
}
