// Decides what the respondent page shows on load: a fresh survey, a resumed one, the thanks page,
// or a message screen. No survey-core here.
import {
  ApiError,
  getLink,
  getResponse,
  NetworkError,
  type FinalStatus,
  type LinkInfo,
  type ResponseState,
  type SurveyVersion,
  type SurveyVersionId,
} from './api';
import { newResponseId, readStoredResponse, writeStoredResponse, type StoredResponse } from './response-store';

export type ScreenName = 'linkNotFound' | 'waveClosed' | 'invitationUsed' | 'alreadyCompleted' | 'loadFailed' | 'unexpected';

export interface Session {
  link: string;
  responseId: string;
  startedAt: number;
  waveTitle: LinkInfo['wave']['title'];
  surveyVersionId: SurveyVersionId;
  json: Record<string, unknown>;
  data: Record<string, unknown>;
  currentPageNo: number;
  /** The language the respondent last used on this response, if any. */
  locale: string | null;
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
  }
  return 'unexpected';
}

function finished(link: string, entry: StoredResponse, status: FinalStatus): LoadResult {
  writeStoredResponse(link, { ...entry, status });
  return { kind: 'done', status };
}

/** A survey session: the answers, page and language saved so far, on the version they were started on. */
function resumed(
  link: string,
  entry: StoredResponse,
  info: LinkInfo,
  state: Pick<ResponseState, 'data' | 'currentPageNo'> & { locale: string | null },
  survey: SurveyVersion,
): LoadResult {
  return {
    kind: 'survey',
    session: {
      link,
      responseId: entry.id,
      startedAt: entry.startedAt,
      waveTitle: info.wave.title,
      surveyVersionId: survey.versionId,
      json: survey.json,
      data: state.data ?? {},
      currentPageNo: state.currentPageNo ?? 0,
      locale: state.locale ?? null,
    },
  };
}

function fresh(link: string, entry: StoredResponse, info: LinkInfo): LoadResult {
  return resumed(link, entry, info, { data: {}, currentPageNo: 0, locale: null }, info.survey);
}

export async function loadSession(link: string): Promise<LoadResult> {
  const stored = readStoredResponse(link);
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
      writeStoredResponse(link, entry);
      if (bound.status !== 'partial') return finished(link, entry, bound.status);
      // A respondent keeps the questionnaire version they started on, even if a newer one exists.
      const survey =
        String(bound.surveyVersionId) === String(info.survey.versionId) ? info.survey : (await getResponse(link, bound.id)).survey;
      return resumed(link, entry, info, bound, survey);
    }

    if (stored?.status) return { kind: 'done', status: stored.status };

    if (stored) {
      try {
        const state = await getResponse(link, stored.id);
        if (state.status !== 'partial') return finished(link, stored, state.status);
        return resumed(link, stored, info, state, state.survey);
      } catch (error) {
        // 404: the id was made here but nothing was saved yet; keep it and start.
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        return fresh(link, stored, info);
      }
    }

    const entry = { id: newResponseId(), startedAt: Date.now() };
    writeStoredResponse(link, entry);
    return fresh(link, entry, info);
  } catch (error) {
    return { kind: 'screen', screen: screenFor(error) };
  }
}
