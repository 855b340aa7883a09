// The respondent journey over a link: read the survey, save partial answers, complete. Through the
// store (decision 027), SQLite or PostgreSQL. The writing functions must be called inside a write
// (`store.write`, with its `tx` as the context's `sql`) so each one is atomic: stored whole or, if
// it throws, not at all. Failures are DomainErrors (server/errors.ts); the shapes returned are the
// contract's (contract/respondent-api.ts).
import { AnalysisError } from '../../analysis/errors';
import { ageBand, scoreRespondent, type ScoringSpec } from '../../analysis/scoring';
import type { CompleteBody, CompletionResult, LinkState, PartialSaveBody, ResponseState, ResponseWithSurvey, SurveyPayload } from '../../contract/respondent-api';
import type { Sql } from '../db/sql';
import type { Store } from '../db/store';
import type { ResponseRow, WaveRow } from '../db/schema';
import { DomainError } from '../errors';
import { resolveLink, type ResolvedLink } from '../invitations/service';
import { getSurveyVersion, latestSurveyVersion, type LoadedSurveyVersion } from '../surveys/service';
import { completionValidatorFor, partialValidatorFor } from './completion-validator';
import * as q from './queries';
import { claimQuotaPlace, screenReasonOf } from '../quotas/service';
import { packDerivedColumns, specItemNames, storedNumber } from '../runs/packed-input';

export type { CompleteBody, LinkState, ResponseState, SurveyPayload };
export type { ResponseStatus } from '../../contract/respondent-api';
export type PartialBody = PartialSaveBody;
export type CompletionBody = CompletionResult;

/** What the respondent services run on. */
export interface RespondentDb {
  /** The executor: the store's for reads, the write's `tx` inside `store.write`. */
  sql: Sql;
  /** The store: names the database for the cache of survey versions (and their validators). */
  store: Store;
}

/** `r` inside a write: the same database, the write's transaction. */
export function inWrite(r: RespondentDb, tx: Sql): RespondentDb {
  return { sql: tx, store: r.store };
}

async function toState(r: RespondentDb, row: ResponseRow): Promise<ResponseState> {
  const state: ResponseState = {
    id: row.id, status: row.status, surveyVersionId: row.surveyVersionId, locale: row.locale,
    data: row.data, currentPageNo: row.currentPageNo,
  };
  return withScreenReason(r, state);
}

/** Adds why a screened-out response was screened out, when it was its quota (server/quotas). */
async function withScreenReason<T extends { id: string; status: string; screenReason?: 'quota_full' }>(r: RespondentDb, body: T): Promise<T> {
  const reason = body.status === 'screened_out' ? await screenReasonOf(r.sql, body.id) : undefined;
  return reason ? { ...body, screenReason: reason } : body;
}

function quotaFull(): DomainError {
  return new DomainError('conflict', 'quota_full', 'This group of respondents is already complete, so no more answers are needed from it. Thank you.');
}

function surveyPayload(v: LoadedSurveyVersion): SurveyPayload {
  return { versionId: v.row.id, json: v.row.json };
}

async function resolveOrThrow(r: RespondentDb, link: string): Promise<ResolvedLink> {
  const resolved = await resolveLink(r.sql, link);
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
async function versionOfRow(r: RespondentDb, row: ResponseRow): Promise<LoadedSurveyVersion> {
  const v = await getSurveyVersion(r.sql, row.surveyVersionId, r.store);
  if (!v) throw new Error(`survey version ${row.surveyVersionId} of response ${row.id} is missing`);
  return v;
}

// Survey versions are cached per store (getSurveyVersion's key), so the cache of immutable versions
// and their validators is shared across requests and transactions.

/** The version a new response may start on: one of the wave's survey, or survey_version_not_found. */
async function versionForNewResponse(r: RespondentDb, wave: WaveRow, surveyVersionId: number): Promise<LoadedSurveyVersion> {
  const v = await getSurveyVersion(r.sql, surveyVersionId, r.store);
  if (!v || v.row.surveyId !== wave.surveyId) {
    throw new DomainError('not_found', 'survey_version_not_found', `Survey version ${surveyVersionId} is not a version of this wave's survey; reload the survey page.`);
  }
  return v;
}

/** The version an existing response was started on; a different one in the request is a conflict. */
async function versionOfExisting(r: RespondentDb, row: ResponseRow, requested: number): Promise<LoadedSurveyVersion> {
  if (requested !== row.surveyVersionId) {
    throw new DomainError('conflict', 'survey_version_mismatch', `This response was started on survey version ${row.surveyVersionId}, not ${requested}; reload the survey page to continue.`, { surveyVersionId: row.surveyVersionId });
  }
  return versionOfRow(r, row);
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
async function writeTarget<T>(r: RespondentDb, link: string, id: string, onFinished: (row: ResponseRow) => Promise<T>): Promise<WriteTarget | { finished: T }> {
  const resolved = await resolveOrThrow(r, link);
  const row = await q.findResponse(r.sql, id, true);
  if (row && finishedUnderUsedInvitation(row, resolved)) return { finished: await onFinished(row) };
  if (row && !belongsTo(row, resolved)) throw new DomainError('conflict', 'response_id_conflict', 'This response id belongs to another survey link; start a new response.');
  if (row && row.status !== 'partial') return { finished: await onFinished(row) };
  assertOpen(resolved.wave);
  if (resolved.kind === 'invitation') {
    const inv = resolved.invitation;
    if (inv.completedAt !== null || (inv.responseId !== null && inv.responseId !== id)) throw invitationUsed();
  }
  return { resolved, row };
}

/** The version a write is validated against: the row's own, or the requested one for a new response. */
function versionForWrite(r: RespondentDb, { resolved, row }: WriteTarget, requested: number): Promise<LoadedSurveyVersion> {
  return row ? versionOfExisting(r, row, requested) : versionForNewResponse(r, resolved.wave, requested);
}

/**
 * Binds the invitation, then inserts the new response (a lost race for the invitation stores
 * nothing). In this order on PostgreSQL: the response's foreign key share-locks the invitation row,
 * so two respondents inserting first and binding after would deadlock each other.
 */
async function insertNew(tx: Sql, { resolved }: WriteTarget, row: Omit<q.InsertedResponse, 'waveId' | 'invitationId' | 'mode' | 'interviewer' | 'baseWeight'>): Promise<void> {
  if (resolved.kind === 'invitation' && !(await q.bindInvitation(tx, resolved.invitation.id, row.id))) throw invitationUsed();
  await q.insertResponse(tx, {
    ...row, waveId: resolved.wave.id,
    invitationId: resolved.kind === 'invitation' ? resolved.invitation.id : null,
    ...WEB_RESPONSE,
  });
}

/** GET /api/links/:link */
export async function getLinkState(r: RespondentDb, link: string): Promise<LinkState> {
  const resolved = await resolveOrThrow(r, link);
  const { wave } = resolved;
  assertOpen(wave);
  let response: ResponseRow | undefined;
  if (resolved.kind === 'invitation') {
    const inv = resolved.invitation;
    if (inv.completedAt !== null) throw invitationUsed();
    if (inv.responseId !== null) response = await q.findResponse(r.sql, inv.responseId);
  }
  const version = response ? await getSurveyVersion(r.sql, response.surveyVersionId, r.store) : await (async () => {
    const latest = await latestSurveyVersion(r.sql, wave.surveyId);
    return latest ? getSurveyVersion(r.sql, latest.id, r.store) : undefined;
  })();
  if (!version) throw new DomainError('not_found', 'survey_not_found', `No questionnaire is registered for survey "${wave.surveyId}".`);
  return {
    link: { kind: resolved.kind },
    wave: { id: wave.id, title: { kk: wave.titleKk, ru: wave.titleRu, en: wave.titleEn }, status: wave.status },
    survey: surveyPayload(version),
    response: response ? await toState(r, response) : null,
  };
}

/** GET /api/links/:link/responses/:id */
export async function getResponseState(r: RespondentDb, link: string, id: string): Promise<ResponseWithSurvey> {
  const resolved = await resolveOrThrow(r, link);
  const row = await q.findResponse(r.sql, id);
  if (!row || !(belongsTo(row, resolved) || finishedUnderUsedInvitation(row, resolved))) throw new DomainError('not_found', 'response_not_found', 'No saved answers with this id under this link.');
  return { ...(await toState(r, row)), survey: surveyPayload(await versionOfRow(r, row)) };
}

function invalidAnswers(errors: { question: string; message: string }[]): DomainError {
  return new DomainError('bad_data', 'invalid_answers', `The answers are not valid: ${errors.map((e) => `${e.question}: ${e.message}`).join('; ')}`, errors);
}

/** PUT /api/links/:link/responses/:id — creates the row on first save. Call inside a write (`r.sql` its `tx`). */
export async function savePartial(r: RespondentDb, link: string, id: string, body: PartialBody, now = new Date()): Promise<ResponseState> {
  const target = await writeTarget(r, link, id, async (row) => {
      if ((await screenReasonOf(r.sql, row.id)) === 'quota_full') throw quotaFull();
    throw new DomainError('conflict', 'already_completed', 'These answers have already been submitted.');
  });
  if ('finished' in target) return target.finished;
  const version = await versionForWrite(r, target, body.surveyVersionId);
  // Shape-checked like a completion (unknown keys, and a depth and size bound per answer), though
  // an incomplete answer set is fine here.
  const verdict = partialValidatorFor(version)(body.data, body.locale);
  if (!verdict.ok) throw invalidAnswers(verdict.errors);
  const at = now.toISOString();
  // Quotas (server/quotas): the place is taken in this transaction; a full cell ends the response here.
  if (await claimQuotaPlace(r.sql, { waveId: target.resolved.wave.id, responseId: id, data: body.data, stage: 'partial' }, now) === 'quota_full') {
    await storeFinal(r.sql, target, id, { status: 'screened_out', locale: body.locale, data: body.data, updatedAt: at, completedAt: at, durationMs: null, ...q.NO_DERIVED_COLUMNS }, body.currentPageNo, version.row.id);
    return { id, status: 'screened_out', surveyVersionId: body.surveyVersionId, locale: body.locale, data: body.data, currentPageNo: body.currentPageNo, screenReason: 'quota_full' };
  }
  if (target.row) {
    await q.updatePartial(r.sql, id, { locale: body.locale, data: body.data, currentPageNo: body.currentPageNo, updatedAt: at });
  } else {
    await insertNew(r.sql, target, {
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
  const age = typeof data.age === 'number' && Number.isInteger(data.age) ? storedNumber(data.age) : null;
  // Numbers as both engines give them back (NaN → null, −0 → 0), so the packed run input says what the columns say.
  const columns = {
    region: str(data.region), settlement: str(data.settlement), sex: str(data.sex), ethnicity: str(data.ethnicity),
    age, ageBand: age === null ? null : ageBand(age),
    itemScores: scores.items,
    consensus: storedNumber(scores.indicators.consensus ?? null),
    tolerance: storedNumber(scores.indicators.tolerance ?? null),
    mood: storedNumber(scores.indicators.mood ?? null),
  };
  // What an estimate run reads of them, packed (docs/decisions/028).
  return { ...columns, runInput: packDerivedColumns(specItemNames(spec), columns) };
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
export async function completeResponse(r: RespondentDb, link: string, id: string, body: CompleteBody, now = new Date()): Promise<{ created: boolean; body: CompletionBody }> {
  const target = await writeTarget(r, link, id, async (row) => ({ created: false, body: await withScreenReason(r, { id: row.id, status: row.status as CompletionBody['status'], completedAt: row.completedAt! }) }));
  if ('finished' in target) return target.finished;
  const version = await versionForWrite(r, target, body.surveyVersionId);

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
  const full = await claimQuotaPlace(r.sql, { waveId: target.resolved.wave.id, responseId: id, data: body.data, stage: screenedOut ? 'screened_out' : 'complete' }, now) === 'quota_full';
  if (full) derived = q.NO_DERIVED_COLUMNS;
  const status = screenedOut || full ? 'screened_out' as const : 'complete' as const;
  await storeFinal(r.sql, target, id, {
    status, locale: body.locale, data: body.data, updatedAt: at, completedAt: at,
    durationMs: body.durationMs ?? null, ...derived,
  }, 0, version.row.id);
  return { created: true, body: { id, status, completedAt: at, ...(full ? { screenReason: 'quota_full' as const } : {}) } };
}

/** Stores a response's final state (a new row or an update) and marks its invitation completed. */
async function storeFinal(tx: Sql, target: WriteTarget, id: string, values: q.CompletedColumns, currentPageNo: number, surveyVersionId: number): Promise<void> {
  if (target.row) await q.updateCompleted(tx, id, values);
  else await insertNew(tx, target, { id, surveyVersionId, currentPageNo, startedAt: values.updatedAt, ...values });
  const { resolved } = target;
  if (resolved.kind === 'invitation') await q.markInvitationCompleted(tx, resolved.invitation.id, id, values.updatedAt);
}
