// What this device remembers about a link, in localStorage:
//
// - the response entry: the response id it made (the idempotency key), when it started, and
//   whether it finished — so a reload resumes and a finished link shows the thanks page;
// - the local answers: a copy of the answers, page and language, written on every change, so
//   answers given offline survive closing the tab. `savedAt` orders the copies (always increasing);
//   `ackedAt` is the `savedAt` of the newest copy the server confirmed (a PUT answered 200). A copy
//   with savedAt > ackedAt holds answers the server may not have: on the next load it wins over
//   what the server returns and is pushed at once (chooseStartingState).
//
// Both are stored under a SHA-256 of the link, never the link itself: an invitation link is a
// secret token, and localStorage is readable by anyone holding the (often shared) phone.
//
// Storage may be missing (disabled, some private modes) or full (quota): every access is guarded,
// and the survey works without it — only resuming after closing the tab is lost.
import type { FinalStatus, SurveyVersionId } from './api';
import { sha256Hex } from './sha256';

export interface StoredResponse {
  id: string;
  startedAt: number;
  status?: FinalStatus;
}

export interface LocalAnswers {
  /** The response these answers belong to; a copy for another id is ignored. */
  id: string;
  surveyVersionId: SurveyVersionId;
  data: Record<string, unknown>;
  currentPageNo: number;
  locale: string | null;
  savedAt: number;
  ackedAt?: number;
}

/** The part of Storage used here (so the unit tests can pass a Map-backed one). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function browserStorage(): KeyValueStore | null {
  try {
    return window.localStorage; // throws in some sandboxed / privacy modes
  } catch {
    return null;
  }
}

/** The storage name of a link: 32 hex characters (128 bits) of its SHA-256. */
export async function linkStoreKey(link: string): Promise<string> {
  return (await sha256Hex(link)).slice(0, 32);
}

// A `v2` segment, so a hashed name can never be mistaken for an old entry keyed by a raw link.
const responseKey = (storeKey: string) => `kelisim:v2:response:${storeKey}`;
const answersKey = (storeKey: string) => `kelisim:v2:answers:${storeKey}`;
/** Before hashing, entries were keyed by the raw link (for an invitation, the token in clear). */
const legacyResponseKey = (link: string) => `kelisim:response:${link}`;

function parseResponse(raw: string | null): StoredResponse | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<StoredResponse>;
    if (typeof value.id !== 'string' || typeof value.startedAt !== 'number') return null;
    return { id: value.id, startedAt: value.startedAt, ...(value.status ? { status: value.status } : {}) };
  } catch {
    return null; // a corrupt entry: start afresh
  }
}

/**
 * Moves an entry stored under the old raw-link key to the hashed key (read old → write new →
 * delete old), so respondents in the middle of a survey keep their place. The old key is deleted
 * only once the new one is written; if that write fails (full storage) it is tried again next load.
 */
export function migrateLegacyEntry(link: string, storeKey: string, store = browserStorage()): void {
  if (!store) return;
  try {
    const old = store.getItem(legacyResponseKey(link));
    if (old === null) return;
    if (store.getItem(responseKey(storeKey)) === null) store.setItem(responseKey(storeKey), old);
    store.removeItem(legacyResponseKey(link));
  } catch {
    // Full or unavailable storage: leave the old entry for the next load.
  }
}

export function readStoredResponse(storeKey: string, store = browserStorage()): StoredResponse | null {
  try {
    return parseResponse(store?.getItem(responseKey(storeKey)) ?? null);
  } catch {
    return null;
  }
}

export function writeStoredResponse(storeKey: string, value: StoredResponse, store = browserStorage()): void {
  try {
    store?.setItem(responseKey(storeKey), JSON.stringify(value));
  } catch {
    // Without storage the survey still works; only resuming after closing the tab is lost.
  }
}

export function readLocalAnswers(storeKey: string, store = browserStorage()): LocalAnswers | null {
  try {
    const raw = store?.getItem(answersKey(storeKey));
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<LocalAnswers>;
    if (
      typeof v.id !== 'string' ||
      (typeof v.surveyVersionId !== 'string' && typeof v.surveyVersionId !== 'number') ||
      typeof v.data !== 'object' || v.data === null || Array.isArray(v.data) ||
      typeof v.currentPageNo !== 'number' ||
      typeof v.savedAt !== 'number'
    ) {
      return null;
    }
    return {
      id: v.id,
      surveyVersionId: v.surveyVersionId,
      data: v.data,
      currentPageNo: v.currentPageNo,
      locale: typeof v.locale === 'string' ? v.locale : null,
      savedAt: v.savedAt,
      ...(typeof v.ackedAt === 'number' ? { ackedAt: v.ackedAt } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * Keeps a copy of the current answers. Returns its `savedAt` (later than any earlier copy's, even
 * if the clock went back), which the caller hands to acknowledgeLocalAnswers once the server has
 * stored that state. If the copy cannot be written (quota), the older copy is removed rather than
 * left behind: a stale copy must never win over newer answers on the server.
 */
export function writeLocalAnswers(
  storeKey: string,
  answers: Omit<LocalAnswers, 'savedAt' | 'ackedAt'>,
  after = 0,
  store = browserStorage(),
): number {
  const previous = readLocalAnswers(storeKey, store);
  const same = previous?.id === answers.id ? previous : null;
  const savedAt = Math.max(Date.now(), after + 1, (same?.savedAt ?? 0) + 1);
  const value: LocalAnswers = { ...answers, savedAt, ...(same?.ackedAt !== undefined ? { ackedAt: same.ackedAt } : {}) };
  try {
    store?.setItem(answersKey(storeKey), JSON.stringify(value));
  } catch {
    clearLocalAnswers(storeKey, store);
  }
  return savedAt;
}

/** The server stored the state of the copy with this `savedAt` (or a later state). */
export function acknowledgeLocalAnswers(storeKey: string, id: string, savedAt: number, store = browserStorage()): void {
  const current = readLocalAnswers(storeKey, store);
  if (!current || current.id !== id || (current.ackedAt ?? -Infinity) >= savedAt) return;
  try {
    store?.setItem(answersKey(storeKey), JSON.stringify({ ...current, ackedAt: savedAt }));
  } catch {
    // Unacknowledged, the copy is pushed once more on the next load: harmless, it is this
    // device's newest state.
  }
}

/** After completion only the response entry (id and status, for the thanks page) is kept. */
export function clearLocalAnswers(storeKey: string, store = browserStorage()): void {
  try {
    store?.removeItem(answersKey(storeKey));
  } catch {
    // Nothing more can be done without storage.
  }
}

export interface StartingState {
  data: Record<string, unknown>;
  currentPageNo: number;
  locale: string | null;
}

export interface StartingChoice {
  state: StartingState;
  /** The local copy was chosen: it holds answers the server has not confirmed; push it now. */
  fromLocal: boolean;
  /** The `savedAt` of the local copy for this response (0 if none), to acknowledge after a push. */
  localSavedAt: number;
}

/**
 * Where a resumed survey starts: the server's state (null when the server has nothing yet), unless
 * this device holds a copy for the same response and questionnaire version that the server never
 * confirmed — answers given offline, or just before the tab was closed. A copy for another
 * response or version is ignored (its answers may not fit the questionnaire being shown).
 */
export function chooseStartingState(
  server: StartingState | null,
  local: LocalAnswers | null,
  responseId: string,
  surveyVersionId: SurveyVersionId,
): StartingChoice {
  const mine = local && local.id === responseId && String(local.surveyVersionId) === String(surveyVersionId) ? local : null;
  if (mine && mine.savedAt > (mine.ackedAt ?? -Infinity)) {
    return {
      state: { data: mine.data, currentPageNo: mine.currentPageNo, locale: mine.locale },
      fromLocal: true,
      localSavedAt: mine.savedAt,
    };
  }
  return { state: server ?? { data: {}, currentPageNo: 0, locale: null }, fromLocal: false, localSavedAt: mine?.savedAt ?? 0 };
}

/** A v4 UUID. crypto.randomUUID exists only in secure contexts (https, localhost), so plain-http
 *  deployments fall back to getRandomValues, which is available everywhere. */
export function newResponseId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
