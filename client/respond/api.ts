// The respondent HTTP API of decision 001, as seen from the browser. No survey-core here. Every
// shape is the shared contract's (contract/respondent-api.ts, decision 006): the bodies sent are
// typed by it, and every answer is checked against it, so a server that drifts from the contract
// fails loudly here instead of somewhere in the questionnaire.
import type { z } from 'zod/mini';
import {
  completionResult,
  errorBody,
  linkState,
  responseState,
  responseWithSurvey,
  type CompleteBody,
  type CompletionResult,
  type FinalStatus as StoredStatus,
  type LinkState,
  type PartialSaveBody,
  type QuestionProblem,
  type ResponseState,
  type ResponseStatus,
  type ResponseWithSurvey,
  type SurveyPayload,
} from '../../contract/respondent-api';
import { ApiError as SharedApiError } from '../shared/api-error';
import { POW_REFUSALS, powHeaders, renewPow, spendPow } from './antibot';

export type { CompleteBody, QuestionProblem, ResponseState, ResponseStatus };

/**
 * How a response ended, as the page tells the respondent: completed, screened out by the screener,
 * or screened out because their group (quota cell) was already complete (`quota_full`).
 */
export type FinalStatus = StoredStatus | 'quota_full';

/** The ending of a stored response or completion (its status, or why it was screened out). */
export function finalStatusOf(r: { status: StoredStatus; screenReason?: 'quota_full' | undefined }): FinalStatus {
  return r.status === 'screened_out' && r.screenReason === 'quota_full' ? 'quota_full' : r.status;
}
/** The id of a survey version, as the server sent it. */
export type SurveyVersionId = SurveyPayload['versionId'];
export type SurveyVersion = SurveyPayload;
export type LinkInfo = LinkState;
export type SaveBody = PartialSaveBody;
export type CompleteResult = CompletionResult;

/** The server answered with an error body `{ error: { code, message, details? } }` (client/shared/api-error.ts). */
export class ApiError extends SharedApiError {
  /** The per-question messages of a 422 `invalid_answers`, in the respondent's language. */
  get problems(): QuestionProblem[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (d): d is QuestionProblem => typeof d === 'object' && d !== null && typeof d.question === 'string' && typeof d.message === 'string',
    );
  }
}

/** No HTTP answer at all (offline, DNS, connection reset): worth retrying. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

async function request<S extends z.ZodMiniType>(method: string, path: string, schema: S, body?: unknown, keepalive = false, extraHeaders: Record<string, string> = {}): Promise<z.infer<S>> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(path, {
      method,
      headers: { ...(body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' }), ...extraHeaders },
      body: body === undefined ? undefined : JSON.stringify(body),
      keepalive,
      credentials: 'same-origin',
    });
    text = await res.text();
  } catch (cause) {
    throw new NetworkError(`${method} ${path} got no answer from the server`, { cause });
  }
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page, for instance; handled below as a plain HTTP error.
  }
  if (!res.ok) {
    const error = errorBody.safeParse(parsed);
    throw new ApiError(
      res.status,
      error.success ? error.data.error.code : `http_${res.status}`,
      error.success ? error.data.error.message : `${method} ${path} answered HTTP ${res.status}`,
      error.success ? error.data.error.details : undefined,
    );
  }
  const answer = schema.safeParse(parsed);
  if (!answer.success) {
    throw new ApiError(res.status, 'unexpected_answer', `${method} ${path} answered in a shape the contract does not allow: ${answer.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return answer.data;
}

const base = (link: string) => `/api/links/${encodeURIComponent(link)}`;
const responsePath = (link: string, id: string) => `${base(link)}/responses/${encodeURIComponent(id)}`;

export const getLink = (link: string): Promise<LinkInfo> => request('GET', base(link), linkState);

export const getResponse = (link: string, id: string): Promise<ResponseWithSurvey> =>
  request('GET', responsePath(link, id), responseWithSurvey);

/**
 * A write that may create the response: it carries the open link's proof of work while one is
 * prepared (client/respond/antibot.ts), and gets a new one once if the server refused it.
 */
async function withPow<T>(link: string, send: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  let headers = await powHeaders(link);
  try {
    const result = await send(headers);
    spendPow(link);
    return result;
  } catch (error) {
    if (!(error instanceof ApiError && POW_REFUSALS.includes(error.code))) throw error;
    renewPow(link);
    headers = await powHeaders(link);
    const result = await send(headers);
    spendPow(link);
    return result;
  }
}

export const saveResponse = (link: string, id: string, body: SaveBody, keepalive = false): Promise<ResponseState> =>
  withPow(link, (headers) => request('PUT', responsePath(link, id), responseState, body, keepalive, headers));

export const completeResponse = (link: string, id: string, body: CompleteBody): Promise<CompleteResult> =>
  withPow(link, (headers) => request('POST', `${responsePath(link, id)}/complete`, completionResult, body, false, headers));

/** Network failures and server-side (5xx) failures may pass; anything else will not. */
export function isTransient(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof ApiError && (error.status >= 500 || error.status === 429));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Completes with retries on transient failures. Safe because the response id is the idempotency
 * key: a retry of a completion the server already stored returns the first result, never a second row.
 * Default waits 1, 2, 4 and 8 s (5 attempts, about 15 s) before giving up and letting the respondent retry.
 */
export async function completeWithRetry(
  link: string,
  id: string,
  body: CompleteBody,
  delaysMs: readonly number[] = [1000, 2000, 4000, 8000],
): Promise<CompleteResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await completeResponse(link, id, body);
    } catch (error) {
      // Over the open link's limit (429): its Retry-After is minutes, not seconds; the page says so.
      if (!isTransient(error) || attempt >= delaysMs.length || (error instanceof ApiError && error.status === 429)) throw error;
      await sleep(delaysMs[attempt]);
    }
  }
}
