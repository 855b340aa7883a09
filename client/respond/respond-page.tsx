// The respondent route (/s/:link). Loaded lazily: it is the only code that imports survey-core.
// The fontless stylesheet: the default one pulls Open Sans from Google's servers, which a
// respondent's browser should not be sent to (privacy; and it fails offline or behind filters).
import 'survey-core/survey-core.fontless.min.css';
import './respond.css';
import './survey-locales';
import { useEffect, useState } from 'react';
import { MessageScreen } from '../design/message-screen';
import { Page } from '../design/page-shell';
import { SurveySkeleton } from '../design/survey-skeleton';
import { isLocale } from '../i18n/locale';
import type { MessageKey } from '../i18n/messages-en';
import { useLocale } from '../i18n/use-locale';
import type { FinalStatus } from './api';
import { loadSession, type LoadResult, type ScreenName } from './load-session';
import { SurveyView } from './survey-view';

const SCREENS: Record<ScreenName | FinalStatus, { title: MessageKey; body: MessageKey }> = {
  linkNotFound: { title: 'linkNotFoundTitle', body: 'linkNotFoundBody' },
  waveClosed: { title: 'waveClosedTitle', body: 'waveClosedBody' },
  invitationUsed: { title: 'invitationUsedTitle', body: 'invitationUsedBody' },
  alreadyCompleted: { title: 'alreadyCompletedTitle', body: 'alreadyCompletedBody' },
  loadFailed: { title: 'loadFailedTitle', body: 'loadFailedBody' },
  unexpected: { title: 'unexpectedTitle', body: 'unexpectedBody' },
  complete: { title: 'thanksTitle', body: 'thanksBody' },
  screened_out: { title: 'screenedOutTitle', body: 'screenedOutBody' },
};

type Phase = { kind: 'loading' } | LoadResult;

export default function RespondPage({ link }: { link: string }) {
  const { locale, setLocale, t } = useLocale();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    void loadSession(link).then((result) => {
      if (cancelled) return;
      // Resuming continues in the language the respondent was answering in.
      if (result.kind === 'survey' && isLocale(result.session.locale)) setLocale(result.session.locale);
      setPhase(result);
    });
    return () => {
      cancelled = true;
    };
  }, [link, attempt, setLocale]);

  if (phase.kind === 'loading') return <SurveySkeleton />;

  if (phase.kind === 'survey') {
    const title = phase.session.waveTitle[locale] ?? phase.session.waveTitle['kk'] ?? t('brand');
    return (
      <Page title={title} wide>
        <SurveyView
          session={phase.session}
          onFinished={(status) => setPhase({ kind: 'done', status })}
          onStopped={(screen) => setPhase({ kind: 'screen', screen })}
        />
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
