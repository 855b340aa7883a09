// The respondent route (/s/:link), loaded lazily. Light: the survey code (survey-core) comes in its
// own chunk (survey-entry.tsx), after the session, which client/main.tsx starts loading at once;
// until it is in, the first page is drawn from the questionnaire's JSON (first-page-preview.tsx,
// decision 023).
import './respond.css';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { MessageScreen } from '../design/message-screen';
import { Page } from '../design/page-shell';
import { SurveySkeleton } from '../design/survey-skeleton';
import { isLocale } from '../i18n/locale';
import type { MessageKey } from '../i18n/messages-en';
import { useLocale } from '../i18n/use-locale';
import type { FinalStatus } from './api';
import { firstPageShown } from './antibot';
import { FirstPagePreview } from './first-page-preview';
import { takeSession, type LoadResult, type ScreenName } from './load-session';
import { writeLocalAnswers } from './response-store';

// The survey code. On a first visit (no service worker yet) requested as soon as this chunk runs,
// alongside the session: it is the longest download. From the worker's cache it comes at once, and
// its evaluation (~0.4 s on a slow phone) would hold up the light first page: requested after the
// session instead.
let surveyCode: Promise<typeof import('./survey-entry')> | null = null;
let surveyCodeArrived: () => void = () => {};
/** Resolves once the survey code is in: client/sw/register.ts waits for it before the worker stores
 *  the same files (from the HTTP cache, not downloaded twice). */
export const surveyCodeLoaded = new Promise<void>((resolve) => {
  surveyCodeArrived = resolve;
});
function loadSurveyCode(): Promise<typeof import('./survey-entry')> {
  surveyCode ??= import('./survey-entry').then((m) => {
    surveyCodeArrived();
    return m;
  });
  return surveyCode;
}
if (!navigator.serviceWorker?.controller) void loadSurveyCode();

/**
 * The survey code, waiting out a lost network: a failed download is tried again when the browser
 * is back online or after a pause (2, 4, 8, 16, 32 s), while the light first page stays usable;
 * only then does the failure reach React.
 */
async function loadSurveyCodePatiently(): Promise<typeof import('./survey-entry')> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadSurveyCode();
    } catch (error) {
      surveyCode = null;
      if (attempt >= 5) throw error;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          window.removeEventListener('online', done);
          resolve();
        };
        const timer = setTimeout(done, 2000 * 2 ** attempt);
        window.addEventListener('online', done);
      });
    }
  }
}
const SurveyView = lazy(loadSurveyCodePatiently);

const SCREENS: Record<ScreenName | FinalStatus, { title: MessageKey; body: MessageKey }> = {
  linkNotFound: { title: 'linkNotFoundTitle', body: 'linkNotFoundBody' },
  waveClosed: { title: 'waveClosedTitle', body: 'waveClosedBody' },
  invitationUsed: { title: 'invitationUsedTitle', body: 'invitationUsedBody' },
  alreadyCompleted: { title: 'alreadyCompletedTitle', body: 'alreadyCompletedBody' },
  quotaFull: { title: 'quotaFullTitle', body: 'quotaFullBody' },
  alreadyTookPart: { title: 'alreadyTookPartTitle', body: 'alreadyTookPartBody' },
  loadFailed: { title: 'loadFailedTitle', body: 'loadFailedBody' },
  unexpected: { title: 'unexpectedTitle', body: 'unexpectedBody' },
  complete: { title: 'thanksTitle', body: 'thanksBody' },
  screened_out: { title: 'screenedOutTitle', body: 'screenedOutBody' },
  quota_full: { title: 'quotaFullTitle', body: 'quotaFullBody' },
};

type Phase = { kind: 'loading' } | LoadResult;

export default function RespondPage({ link }: { link: string }) {
  const { locale, setLocale, t } = useLocale();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    void takeSession(link).then((result) => {
      if (result.kind === 'survey') void loadSurveyCode();
      if (cancelled) return;
      // Resuming continues in the language the respondent was answering in.
      if (result.kind === 'survey' && isLocale(result.session.locale)) setLocale(result.session.locale);
      setPhase(result);
    });
    return () => {
      cancelled = true;
    };
  }, [link, attempt, setLocale]);

  // An answer given on the light first page: into the session the questionnaire will start from,
  // and into this device's copy (as every answer in the questionnaire is), marked unsent so the
  // questionnaire sends it as soon as it is running.
  const previewAnswer = useCallback(
    (name: string, value: unknown) => {
      setPhase((current) => {
        if (current.kind !== 'survey') return current;
        const s = current.session;
        const data = { ...s.data, [name]: value };
        const localSavedAt = writeLocalAnswers(s.storeKey, { id: s.responseId, surveyVersionId: s.surveyVersionId, data, currentPageNo: 0, locale }, s.localSavedAt);
        return { kind: 'survey', session: { ...s, data, unsaved: true, localSavedAt } };
      });
    },
    [locale],
  );

  // Once the first page has been painted, the open link's proof of work may use the CPU (antibot.ts).
  useEffect(() => {
    if (phase.kind !== 'survey') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(firstPageShown, 0); // after the frame's paint
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [phase.kind]);

  if (phase.kind === 'loading') return <SurveySkeleton />;

  if (phase.kind === 'survey') {
    const title = phase.session.waveTitle[locale] ?? phase.session.waveTitle['kk'] ?? t('brand');
    return (
      <Page title={title} wide>
        <Suspense fallback={<FirstPagePreview session={phase.session} onAnswer={previewAnswer} />}>
          <SurveyView
            session={phase.session}
            onFinished={(status) => setPhase({ kind: 'done', status })}
            onStopped={(screen) => setPhase({ kind: 'screen', screen })}
          />
        </Suspense>
      </Page>
    );
  }

  const screen = SCREENS[phase.kind === 'done' ? phase.status : phase.screen];
  return (
    <Page title={t(screen.title)}>
      <MessageScreen
        title={t(screen.title)}
        action={
          phase.kind === 'screen' && phase.screen === 'loadFailed' ? (
            <button
              type="button"
              className="button"
              onClick={() => {
                setPhase({ kind: 'loading' });
                setAttempt((n) => n + 1);
              }}
            >
              {t('tryAgain')}
            </button>
          ) : undefined
        }
      >
        <p>{t(screen.body)}</p>
      </MessageScreen>
    </Page>
  );
}
