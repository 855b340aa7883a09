// The respondent HTTP API of decision 001, as seen from the browser. No survey-core here.

export type ResponseStatus = 'partial' | 'complete' | 'screened_out';
export type FinalStatus = Exclude<ResponseStatus, 'partial'>;
/** Opaque to the client: whatever the server sent is sent back. */
export type SurveyVersionId = string | number;

export interface SurveyVersion {
  versionId: SurveyVersionId;
  json: Record<string, unknown>;
}

export interface ResponseState {
  id: string;
  status: ResponseStatus;
  surveyVersionId: SurveyVersionId;
  locale: string;
  data: Record<string, unknown>;
  currentPageNo: number;
}

export interface LinkInfo {
  link: { kind: 'open' | 'invitation' };
  wave: { id: unknown; title: Partial<Record<string, string>>; status: string };
  survey: SurveyVersion;
  response: ResponseState | null;
}

export interface SaveBody {
  surveyVersionId: SurveyVersionId;
  locale: string;
  data: Record<string, unknown>;
  currentPageNo: number;
}

export interface CompleteBody {
  surveyVersionId: SurveyVersionId;
  locale: string;
  data: Record<string, unknown>;
  durationMs?: number;
}

export interface CompleteResult {
  id: string;
  status: FinalStatus;
  completedAt: string;
}

export interface QuestionProblem {
  question: string;
  message: string;
}

/** The server answered with an error body `{ error: { code, message, details? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

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

async function request<T>(method: string, path: string, body?: unknown, keepalive = false): Promise<T> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
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
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    throw new ApiError(
      res.status,
      typeof error?.code === 'string' ? error.code : `http_${res.status}`,
      typeof error?.message === 'string' ? error.message : `${method} ${path} answered HTTP ${res.status}`,
      error?.details,
    );
  }
  return parsed as T;
}

const base = (link: string) => `/api/links/${encodeURIComponent(link)}`;
const responsePath = (link: string, id: string) => `${base(link)}/responses/${encodeURIComponent(id)}`;

export const getLink = (link: string) => request<LinkInfo>('GET', base(link));

export const getResponse = (link: string, id: string) =>
  request<ResponseState & { survey: SurveyVersion }>('GET', responsePath(link, id));

export const saveResponse = (link: string, id: string, body: SaveBody, keepalive = false) =>
  request<ResponseState>('PUT', responsePath(link, id), body, keepalive);

export const completeResponse = (link: string, id: string, body: CompleteBody) =>
  request<CompleteResult>('POST', `${responsePath(link, id)}/complete`, body);

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
      if (!isTransient(error) || attempt >= delaysMs.length) throw error;
      await sleep(delaysMs[attempt]);
    }
  }
}
