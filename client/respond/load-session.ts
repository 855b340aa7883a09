// Decides what the respondent page shows on load: a fresh survey, a resumed one, the thanks page,
// or a message screen. No survey-core here.
import {
  ApiError,
  getLink,
  getResponse,
  NetworkError,
  finalStatusOf,
  type FinalStatus,
  type LinkInfo,
  type SurveyVersion,
  type SurveyVersionId,
} from './api';
import { preparePow, rememberTakingPart, tookPart } from './antibot';
import {
  chooseStartingState,
  clearLocalAnswers,
  linkStoreKey,
  migrateLegacyEntry,
  newResponseId,
  readLocalAnswers,
  readStoredResponse,
  writeStoredResponse,
  type StartingState,
  type StoredResponse,
} from './response-store';

export type ScreenName = 'linkNotFound' | 'waveClosed' | 'invitationUsed' | 'alreadyCompleted' | 'quotaFull' | 'loadFailed' | 'unexpected' | 'alreadyTookPart';

export interface Session {
  link: string;
  /** This link's name in localStorage (a hash: the link itself may be a secret invitation token). */
  storeKey: string;
  /** The wave answered (the device remembers taking part in it: client/respond/antibot.ts). */
  waveId: number;
  responseId: string;
  startedAt: number;
  waveTitle: LinkInfo['wave']['title'];
  surveyVersionId: SurveyVersionId;
  json: Record<string, unknown>;
  data: Record<string, unknown>;
  currentPageNo: number;
  /** The language the respondent last used on this response, if any. */
  locale: string | null;
  /** The state came from this device's local copy, which the server has not confirmed: push it now. */
  unsaved: boolean;
  /** The `savedAt` of this device's local copy of the answers (0 if none). */
  localSavedAt: number;
}

export type LoadResult =
  | { kind: 'survey'; session: Session }
  | { kind: 'done'; status: FinalStatus }
  | { kind: 'screen'; screen: ScreenName };

/** The message screen for an API failure. */
export function screenFor(error: unknown): ScreenName {
  if (error instanceof NetworkError) return 'loadFailed';
  if (error instanceof ApiError) {
    if (error.status === 404) return 'linkNotFound';
    if (error.code === 'wave_closed') return 'waveClosed';
    if (error.code === 'invitation_used') return 'invitationUsed';
    if (error.code === 'already_completed') return 'alreadyCompleted';
    if (error.code === 'quota_full') return 'quotaFull';
  }
  return 'unexpected';
}

function finished(storeKey: string, entry: StoredResponse, status: FinalStatus): LoadResult {
  writeStoredResponse(storeKey, { ...entry, status });
  clearLocalAnswers(storeKey);
  return { kind: 'done', status };
}

/**
 * A survey session on the version the response was started on: the answers, page and language
 * saved on the server (null: nothing saved yet), or this device's newer local copy of them.
 */
function resumed(
  link: string,
  storeKey: string,
  entry: StoredResponse,
  info: LinkInfo,
  server: StartingState | null,
  survey: SurveyVersion,
): LoadResult {
  const choice = chooseStartingState(server, readLocalAnswers(storeKey), entry.id, survey.versionId);
  return {
    kind: 'survey',
    session: {
      link,
      storeKey,
      waveId: info.wave.id,
      responseId: entry.id,
      startedAt: entry.startedAt,
      waveTitle: info.wave.title,
      surveyVersionId: survey.versionId,
      json: survey.json,
      data: choice.state.data ?? {},
      currentPageNo: choice.state.currentPageNo ?? 0,
      locale: choice.state.locale ?? null,
      unsaved: choice.fromLocal,
      localSavedAt: choice.localSavedAt,
    },
  };
}

/**
 * Offline, with no stored server answer for this response: this device's own copy of the answers
 * (acknowledged or not: it is this device's latest state, and the server has it already or will get
 * it) on the questionnaire version it was given for, or a fresh start when there is no copy (every
 * change writes one, so nothing was answered here). Null when the copy is for another version than
 * the stored link's: that questionnaire is not on this device.
 */
function resumedOffline(link: string, storeKey: string, entry: StoredResponse, info: LinkInfo): LoadResult | null {
  const local = readLocalAnswers(storeKey);
  const mine = local?.id === entry.id ? local : null;
  if (mine && String(mine.surveyVersionId) !== String(info.survey.versionId)) return null;
  const state = mine ? { data: mine.data, currentPageNo: mine.currentPageNo, locale: mine.locale } : null;
  return resumed(link, storeKey, entry, info, state, info.survey);
}

export async function loadSession(link: string): Promise<LoadResult> {
  const storeKey = await linkStoreKey(link);
  migrateLegacyEntry(link, storeKey);
  const stored = readStoredResponse(storeKey);
  // This device's response, asked for alongside the link (one round trip instead of two on a slow
  // link); used below unless the link turns out to be bound to another response.
  const early = stored && !stored.status ? getResponse(link, stored.id) : null;
  early?.catch(() => undefined); // handled where it is used; unused, it must not be reported
  let info: LinkInfo;
  try {
    info = await getLink(link);
  } catch (error) {
    // Finished on this device, and the server now refuses the link because of that (a used
    // invitation) or because fieldwork ended: the respondent still deserves the thanks page.
    if (stored?.status && error instanceof ApiError && (error.code === 'invitation_used' || error.code === 'wave_closed')) {
      return { kind: 'done', status: stored.status };
    }
    return { kind: 'screen', screen: screenFor(error) };
  }

  try {
    // An invitation already bound to a response resumes it, on whichever device it was started.
    const bound = info.response;
    if (bound) {
      const entry = stored?.id === bound.id ? stored : { id: bound.id, startedAt: Date.now() };
      writeStoredResponse(storeKey, entry);
      if (bound.status !== 'partial') return finished(storeKey, entry, finalStatusOf({ ...bound, status: bound.status }));
      // A respondent keeps the questionnaire version they started on, even if a newer one exists.
      const survey =
        String(bound.surveyVersionId) === String(info.survey.versionId) ? info.survey : (await getResponse(link, bound.id)).survey;
      return resumed(link, storeKey, entry, info, bound, survey);
    }

    // Screened out here because the respondent's quota group was full: say that again, not "taken part".
    if (stored?.status === 'quota_full') return finished(storeKey, stored, stored.status);
    // One device, one interview: this device completed the wave (through this link or another).
    if (info.link.kind === 'open' && (stored?.status || (!stored && tookPart(info.wave.id)))) {
      rememberTakingPart(info.wave.id);
      return { kind: 'screen', screen: 'alreadyTookPart' };
    }
    if (stored?.status) return finished(storeKey, stored, stored.status);

    if (stored) {
      try {
        const state = await (early ?? getResponse(link, stored.id));
        if (state.status !== 'partial') {
          rememberTakingPart(info.wave.id);
          return finished(storeKey, stored, finalStatusOf({ ...state, status: state.status }));
        }
        return resumed(link, storeKey, stored, info, state, state.survey);
      } catch (error) {
        // 404: the id was made here but nothing was saved yet; keep it and start.
        if (error instanceof ApiError && error.status === 404) {
          if (info.link.kind === 'open') preparePow(link);
          return resumed(link, storeKey, stored, info, null, info.survey);
        }
        // No network, and the service worker holds the link but not this response (decision 023):
        // go on from this device's copy of the answers, which every change writes.
        if (error instanceof NetworkError) {
          const offline = resumedOffline(link, storeKey, stored, info);
          if (offline) return offline;
        }
        throw error;
      }
    }

    const entry = { id: newResponseId(), startedAt: Date.now() };
    writeStoredResponse(storeKey, entry);
    // A new response through the open link needs a proof of work: solved while the page is read.
    if (info.link.kind === 'open') preparePow(link);
    return resumed(link, storeKey, entry, info, null, info.survey);
  } catch (error) {
    return { kind: 'screen', screen: screenFor(error) };
  }
}

/** Loads started ahead of the page by preloadSession, by link. */
const preloaded = new Map<string, Promise<LoadResult>>();

/**
 * Starts loading `link`'s session before the respondent page's code has arrived (client/main.tsx,
 * decision 023): the link's questionnaire travels while the survey code downloads, not after it.
 * Returns that load (client/main.tsx tells the service worker which response is this device's).
 */
export function preloadSession(link: string): Promise<LoadResult> {
  let session = preloaded.get(link);
  if (!session) {
    session = loadSession(link);
    preloaded.set(link, session);
  }
  return session;
}

/** The preloaded session of `link`, taken once (a retry loads afresh), or a new load. */
export function takeSession(link: string): Promise<LoadResult> {
  const early = preloaded.get(link);
  preloaded.delete(link);
  return early ?? loadSession(link);
}
