// Every /api/admin call the console makes, named after the contract's route table
// (contract/admin-api.ts), with the contract's answer schema checking each answer.
import {
  ADMIN_ROUTES, adminPath, CSRF_HEADER, CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE,
  type ChangePasswordBody, type ComputeRunBody, type CreateUserBody, type CreateWaveBody, type Frame, type FrameUploadQuery,
  type AuditEntryBody, type ImportSummary, type Job, type ResponseList, type RunDetail, type RunSummary, type LoginBody, type OneTimePasswordBody, type PutQuotasBody, type QuotaState, type ResponseDetail,
  type SessionBody, type UpdateUserBody, type User, type Wave, type WaveLink,
  auditList, frameList, frameUploadResult, importSummary, invitationCounts, jobList, jobSchema, oneTimePasswordBody, publicationEvent,
  quotaState, responseDetail, responseList, runDetail, runList, sessionBody, userList, userSchema, waveLinkBody, waveList, waveSchema,
} from '../../contract/admin-api';
import type { Locale } from '../i18n/locale';
import { ApiError, API_BASE, errorOf, get, headersFor, patch, post, put, request, setCsrfHeader, setCsrfToken, upload, type AnswerSchema } from './api';
import type { SessionUser } from './session';

setCsrfHeader(CSRF_HEADER);

// zod/mini schemas fit AnswerSchema (safeParse); the cast only narrows the declared output type.
const s = <T>(schema: unknown) => schema as AnswerSchema<T>;
const path = (route: { path: string }, params: Record<string, string | number> = {}) => adminPath(route.path, params);

function remember(body: SessionBody): SessionUser {
  setCsrfToken(body.csrfToken);
  return body.user;
}

/** Who is signed in, or null (a 401 is the ordinary answer for nobody). */
export async function loadSession(signal?: AbortSignal): Promise<SessionUser | null> {
  try {
    return remember(await get<SessionBody>(path(ADMIN_ROUTES.me), s(sessionBody), signal));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}
export async function signIn(body: LoginBody): Promise<SessionUser> {
  return remember(await post<SessionBody>(path(ADMIN_ROUTES.login), body, s(sessionBody)));
}
export async function endSession(): Promise<void> {
  try {
    await request('DELETE', path(ADMIN_ROUTES.logout));
  } finally {
    setCsrfToken(null);
  }
}
export async function changePassword(body: ChangePasswordBody): Promise<SessionUser> {
  return remember(await post<SessionBody>(path(ADMIN_ROUTES.changePassword), body, s(sessionBody)));
}

export const listUsers = (signal?: AbortSignal) => get<{ items: User[] }>(path(ADMIN_ROUTES.listUsers), s(userList), signal);
export const createUser = (body: CreateUserBody) => post<OneTimePasswordBody>(path(ADMIN_ROUTES.createUser), body, s(oneTimePasswordBody));
export const updateUser = (id: number, body: UpdateUserBody) => patch<User>(path(ADMIN_ROUTES.updateUser, { id }), body, s(userSchema));
export const resetPassword = (id: number) => post<OneTimePasswordBody>(path(ADMIN_ROUTES.resetPassword, { id }), {}, s(oneTimePasswordBody));

export const listWaves = (signal?: AbortSignal) => get<{ items: Wave[] }>(path(ADMIN_ROUTES.listWaves), s(waveList), signal);
export const getWave = (id: number | string, signal?: AbortSignal) => get<Wave>(path(ADMIN_ROUTES.getWave, { id }), s(waveSchema), signal);
export const createWave = (body: CreateWaveBody) => post<Wave>(path(ADMIN_ROUTES.createWave), body, s(waveSchema));
export const openWave = () => post<Wave>(path(ADMIN_ROUTES.openWave), {}, s(waveSchema));
export const closeWave = (id: number) => post<Wave>(path(ADMIN_ROUTES.closeWave, { id }), {}, s(waveSchema));
export const waveLink = (id: number | string, signal?: AbortSignal) => get<WaveLink>(path(ADMIN_ROUTES.waveLink, { id }), s(waveLinkBody), signal);
export const invitationCountsOf = (id: number | string, signal?: AbortSignal) =>
  get<{ waveId: number; total: number; used: number; completed: number; unused: number }>(path(ADMIN_ROUTES.invitationCounts, { id }), s(invitationCounts), signal);

/** POST /waves/:id/invitations answers the CSV itself: returned as text, for one download. */
export async function createInvitations(id: number, count: number): Promise<{ csv: string; fileName: string }> {
  const res = await fetch(API_BASE + path(ADMIN_ROUTES.createInvitations, { id }), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { ...headersFor('POST', true), Accept: 'text/csv, application/json' },
    body: JSON.stringify({ count }),
  }).catch(() => {
    throw new ApiError(0, 'network', 'The server could not be reached.');
  });
  if (!res.ok) throw await errorOf(res);
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `kelisim-wave-${id}-invitations.csv`;
  return { csv: await res.text(), fileName: name };
}

export const getQuotas = (id: number | string, signal?: AbortSignal) => get<QuotaState>(path(ADMIN_ROUTES.getQuotas, { id }), s(quotaState), signal);
export const putQuotas = (id: number, body: PutQuotasBody) => put<QuotaState>(path(ADMIN_ROUTES.putQuotas, { id }), body, s(quotaState));
export const importQuotas = (id: number, file: Blob, onProgress?: (f: number) => void) =>
  upload<QuotaState>(path(ADMIN_ROUTES.importQuotas, { id }), file, { contentType: CSV_MEDIA_TYPE, onProgress });

export const listResponses = (query: string, signal?: AbortSignal) =>
  get<ResponseList>(path(ADMIN_ROUTES.listResponses) + query, s(responseList), signal);
export const getResponse = (id: string, locale: Locale, signal?: AbortSignal) =>
  get<ResponseDetail>(`${path(ADMIN_ROUTES.getResponse, { id })}?locale=${locale}`, s(responseDetail), signal);
export const overruleFlag = (id: string, flag: string, reason: string) =>
  post<ResponseDetail>(path(ADMIN_ROUTES.overruleFlag, { id, flag }), { reason }, s(responseDetail));

export const importResponses = (waveId: number, file: File, onProgress?: (f: number) => void, signal?: AbortSignal) =>
  upload<ImportSummary>(path(ADMIN_ROUTES.importResponses, { id: waveId }), file, {
    contentType: CSV_MEDIA_TYPE, query: `?${new URLSearchParams({ fileName: file.name })}`, onProgress, signal,
  }).then((body) => {
    const parsed = importSummary.safeParse(body);
    if (!parsed.success) throw new ApiError(201, 'unexpected_answer', 'The import answer does not match the contract.');
    return parsed.data;
  });
export const listFrames = (signal?: AbortSignal) => get<{ items: Frame[] }>(path(ADMIN_ROUTES.listFrames), s(frameList), signal);
export const uploadFrame = (query: FrameUploadQuery, file: File, onProgress?: (f: number) => void, signal?: AbortSignal) =>
  upload<unknown>(path(ADMIN_ROUTES.uploadFrame), file, {
    contentType: /\.xlsx$/i.test(file.name) ? XLSX_MEDIA_TYPE : CSV_MEDIA_TYPE,
    query: `?${new URLSearchParams({ ...query, fileName: file.name } as Record<string, string>)}`,
    onProgress,
    signal,
  }).then((body) => {
    const parsed = frameUploadResult.safeParse(body);
    if (!parsed.success) throw new ApiError(201, 'unexpected_answer', 'The frame answer does not match the contract.');
    return parsed.data;
  });

export const computeRun = (body: ComputeRunBody) => post<Job>(path(ADMIN_ROUTES.computeRun), body, s(jobSchema));
export const listJobs = (signal?: AbortSignal) => get<{ items: Job[] }>(path(ADMIN_ROUTES.listJobs), s(jobList), signal);
export const getJob = (id: number, signal?: AbortSignal) => get<Job>(path(ADMIN_ROUTES.getJob, { id }), s(jobSchema), signal);
export const listRuns = (query: string, signal?: AbortSignal) =>
  get<{ items: RunSummary[]; nextCursor: string | null }>(path(ADMIN_ROUTES.listRuns) + query, s(runList), signal);
export const getRun = (id: string | number, signal?: AbortSignal) => get<RunDetail>(path(ADMIN_ROUTES.getRun, { id }), s(runDetail), signal);
export const publishRun = (id: number) => post(path(ADMIN_ROUTES.publishRun, { id }), {}, s(publicationEvent));
export const withdrawRun = (id: number, reason: string) => post(path(ADMIN_ROUTES.withdrawRun, { id }), { reason }, s(publicationEvent));

/** The address of a wave's data export (a plain link: the browser downloads the attachment). */
export function exportHref(waveId: number, format: 'csv' | 'xlsx' | 'sav', lang: Locale, part: 'data' | 'codebook' = 'data', runId?: number): string {
  const q = new URLSearchParams({ format, lang, status: 'complete', labels: 'true', part, ...(runId === undefined ? {} : { run: String(runId) }) });
  return `${API_BASE}${path(ADMIN_ROUTES.exportWave, { id: waveId })}?${q}`;
}

/** The address of a run's results table: its estimates or diagnostics as CSV, or both sheets as XLSX. */
export function runExportHref(runId: number, format: 'csv' | 'xlsx', lang: Locale, part?: 'estimates' | 'diagnostics'): string {
  const q = new URLSearchParams({ format, lang, ...(part === undefined ? {} : { part }) });
  return `${API_BASE}${path(ADMIN_ROUTES.exportRun, { id: runId })}?${q}`;
}

export const listAudit = (query: string, signal?: AbortSignal) =>
  get<{ items: AuditEntryBody[]; nextCursor: string | null }>(path(ADMIN_ROUTES.audit) + query, s(auditList), signal);
