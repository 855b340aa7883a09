// The console's one way to talk to /api/admin: JSON both ways, the session cookie (same origin),
// the CSRF token on every state-changing request, and one error type. A 401 anywhere tells the
// console to show the sign-in page (onUnauthorized); every other refusal becomes an ApiError
// (client/shared/api-error.ts, the respondent page's too) carrying the server's code and details,
// which errors.ts turns into words in the reader's language.
import { ApiError } from '../shared/api-error';

export { ApiError };

export const API_BASE = '/api/admin';
/** Where requests go: the page's own origin (a relative path); tests outside a browser set an absolute one. */
let apiBase = API_BASE;
export function setApiBase(base: string): void {
  apiBase = base;
}

/** The error body every /api answer uses (server/app.ts): `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** A schema the answer is checked with (zod's safeParse, classic or mini). */
export interface AnswerSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: unknown };
}

let csrfToken: string | null = null;
/** The session's CSRF token (from the sign-in or session answer); sent on POST/PUT/PATCH/DELETE. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
export function getCsrfToken(): string | null {
  return csrfToken;
}
let csrfHeader = 'X-CSRF-Token';
/** The header the server reads the token from (the contract names it). */
export function setCsrfHeader(name: string): void {
  csrfHeader = name;
}

const unauthorizedListeners = new Set<() => void>();
/** Called on every 401 (the session ended, or never began); returns the unsubscribe function. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function headersFor(method: Method, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (hasBody) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers[csrfHeader] = csrfToken;
  return headers;
}

/** Turns a non-2xx answer into an ApiError (after telling the console about a 401). */
export async function errorOf(res: Response): Promise<ApiError> {
  let body: ErrorBody | undefined;
  try {
    const json = (await res.json()) as { error?: ErrorBody };
    body = json?.error;
  } catch {
    // A proxy's HTML page or an empty body: the status alone says what happened.
  }
  // Only a missing or ended session; a wrong password at sign-in (invalid_credentials) is a 401 too.
  if (res.status === 401 && body?.code !== 'invalid_credentials' && body?.code !== 'totp_required' && body?.code !== 'invalid_totp') for (const listener of unauthorizedListeners) listener();
  return new ApiError(res.status, body?.code ?? `http_${res.status}`, body?.message ?? res.statusText, body?.details);
}

/**
 * One request to `/api/admin<path>`. `body` is sent as JSON; the answer is parsed as JSON (204 →
 * undefined) and, with `schema`, checked, so a server and console out of step fail loudly here
 * rather than as a blank table.
 */
export async function request<T>(method: Method, path: string, options: { body?: unknown; schema?: AnswerSchema<T>; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiBase + path, {
      method,
      credentials: 'same-origin',
      headers: headersFor(method, options.body !== undefined),
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json();
  if (!options.schema) return data as T;
  const parsed = options.schema.safeParse(data);
  if (!parsed.success) throw new ApiError(res.status, 'unexpected_answer', `The answer of ${method} ${path} does not match the contract.`, parsed.error);
  return parsed.data;
}

export const get = <T>(path: string, schema?: AnswerSchema<T>, signal?: AbortSignal) => request<T>('GET', path, { schema, signal });
export const post = <T>(path: string, body?: unknown, schema?: AnswerSchema<T>) => request<T>('POST', path, { body: body ?? {}, schema });
export const put = <T>(path: string, body?: unknown, schema?: AnswerSchema<T>) => request<T>('PUT', path, { body: body ?? {}, schema });
export const patch = <T>(path: string, body?: unknown, schema?: AnswerSchema<T>) => request<T>('PATCH', path, { body: body ?? {}, schema });

/**
 * Sends a file as the request body (not JSON) with upload progress, which fetch cannot report:
 * XMLHttpRequest's upload.onprogress. `onProgress` gets the fraction sent (0–1).
 */
export function upload<T>(path: string, file: Blob, options: { contentType?: string; query?: string; onProgress?: (fraction: number) => void; signal?: AbortSignal } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', API_BASE + path + (options.query ?? ''));
    xhr.withCredentials = false; // same origin: the cookie goes anyway
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', options.contentType ?? (file.type || 'application/octet-stream'));
    if (csrfToken !== null) xhr.setRequestHeader(csrfHeader, csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) options.onProgress?.(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The server could not be reached.'));
    xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
    xhr.onload = async () => {
      const res = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers: { 'Content-Type': 'application/json' } });
      if (!res.ok) return reject(await errorOf(res));
      resolve(xhr.status === 204 ? (undefined as T) : (JSON.parse(xhr.responseText) as T));
    };
    options.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/** Saves `text` as a file the browser downloads (the invitations' CSV, which exists only once). */
export function saveFile(name: string, text: string | Blob, type = 'text/csv;charset=utf-8'): void {
  const blob = typeof text === 'string' ? new Blob([text], { type }) : text;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
