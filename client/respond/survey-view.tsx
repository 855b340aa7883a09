import { useEffect, useRef, useState } from 'react';
import { Model, settings, type Question } from 'survey-core';
import { ContrastLight } from 'survey-core/themes';
import { Survey } from 'survey-react-ui';
import { useLocale } from '../i18n/use-locale';
import type { Locale } from '../i18n/locale';
import { RESUME_WINDOW_MS } from '../../contract/respondent-api';
import { ApiError, completeWithRetry, isTransient, type FinalStatus } from './api';
import { screenFor, type ScreenName, type Session } from './load-session';
import { readStoredResponse, writeStoredResponse } from './response-store';
import { useSaveQueue } from './use-save-queue';

interface Problem {
  question: string;
  title: string;
  message: string;
}

// survey-core 3 draws a "pages" progress bar as a row of step buttons; on a 360-px phone only three
// fit and the rest scroll out of sight. The plain bar with "{1} беттің {0}-беті" / "Страница 2 из 5"
// tells a respondent where they are at any width (and reads out as text).
settings.legacyProgressBarView = true;

/**
 * The answers to submit on completion. survey-core clears answers to hidden questions only after
 * onCompleting (clearInvisibleValues: 'onComplete'), and the server rejects an answer to a question
 * the other answers hide (decision 003) — so a respondent who answered on and then changed a
 * screener answer would be stuck. Send what survey-core will keep: visible questions only.
 */
function answersToSubmit(model: Model): Record<string, unknown> {
  const data = { ...(model.data as Record<string, unknown>) };
  for (const q of model.getAllQuestions()) {
    if (q.isVisible && q.isParentVisible) continue;
    delete data[q.getValueName()];
    delete data[q.getValueName() + settings.commentSuffix];
  }
  return data;
}

function createModel(session: Session, locale: Locale): Model {
  const model = new Model(session.json);
  // SurveyJS declares its Contrast theme the fully accessible one (WCAG contrast, visible focus).
  // The page's system font stack instead of the theme's Open Sans (not loaded: see respond-page).
  model.applyTheme({
    ...ContrastLight,
    cssVariables: { ...ContrastLight.cssVariables, '--sjs2-typography-font-family-text': 'var(--k-font)' },
  });
  model.showProgressBar = true;
  // Our own thanks / screened-out screens replace survey-core's complete page, so they look the
  // same when a finished link is reopened.
  model.showCompletePage = false;
  model.locale = locale;
  model.data = session.data;
  if (session.currentPageNo > 0 && session.currentPageNo < model.visiblePageCount) model.currentPageNo = session.currentPageNo;
  return model;
}

/**
 * Wall-clock time since this device first opened the link: an upper bound on effort, the safe
 * side for the speeder flag (METHODOLOGY §6). Omitted when implausible (a clock change, or a
 * return after the contract's resume window), rather than sent wrong.
 */
function durationSince(startedAt: number): number | undefined {
  const ms = Date.now() - startedAt;
  return ms >= 0 && ms <= RESUME_WINDOW_MS ? ms : undefined;
}

function setSurveyLocale(model: Model, locale: Locale): void {
  model.locale = locale;
}

/**
 * The questionnaire itself: saves partial answers as the respondent goes and completes with
 * retries. Calls onFinished after the server stored the completion, onStopped when the server
 * refuses the response for good (closed wave, used invitation, completed elsewhere).
 */
export function SurveyView({
  session,
  onFinished,
  onStopped,
}: {
  session: Session;
  onFinished: (status: FinalStatus) => void;
  onStopped: (screen: ScreenName) => void;
}) {
  const { locale, t } = useLocale();
  const [model] = useState(() => createModel(session, locale));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [sending, setSending] = useState<'idle' | 'sending' | 'failed'>('idle');
  const latest = useRef({ locale, onFinished, onStopped });
  useEffect(() => {
    latest.current = { locale, onFinished, onStopped };
  });
  // Local copies and partial saves as the respondent goes (use-save-queue.ts).
  const saves = useSaveQueue(model, session, locale, onStopped);

  // Completion: validate on the server, show its per-question messages, or finish.
  useEffect(() => {
    let submitting = false;
    let finalStatus: FinalStatus = 'complete';

    const onValueChanged = (_: Model, options: { name: string }) => {
      setProblems((current) => (current.length ? current.filter((p) => p.question !== options.name) : current));
    };

    const showProblems = (error: ApiError) => {
      const found: Problem[] = error.problems.map((p) => {
        const question = model.getQuestionByName(p.question) as Question | null;
        question?.addError(p.message);
        return { question: p.question, title: question?.title ?? p.question, message: p.message };
      });
      setProblems(found.length ? found : [{ question: '', title: '', message: error.message }]);
      const first = error.problems.map((p) => model.getQuestionByName(p.question) as Question | null).find((q) => q?.isVisible && q.page);
      if (first) {
        model.currentPage = first.page;
        setTimeout(() => first.focus(true), 0);
      }
    };

    const onCompleting = async (_: Model, options: { allow: boolean; message?: string }) => {
      if (submitting) {
        options.allow = false; // a second press while the first is being sent
        return;
      }
      submitting = true;
      saves.pause();
      setProblems([]);
      setSending('sending');
      const stored = readStoredResponse(session.storeKey);
      try {
        const result = await completeWithRetry(session.link, session.responseId, {
          surveyVersionId: session.surveyVersionId,
          locale: latest.current.locale,
          data: answersToSubmit(model),
          durationMs: durationSince(session.startedAt),
        });
        finalStatus = result.status;
        writeStoredResponse(session.storeKey, { id: session.responseId, startedAt: stored?.startedAt ?? session.startedAt, status: result.status });
        saves.finish();
        options.allow = true;
      } catch (error) {
        submitting = false;
        options.allow = false;
        setSending(isTransient(error) ? 'failed' : 'idle');
        saves.resume();
        if (error instanceof ApiError && error.code === 'invalid_answers') showProblems(error);
        else if (error instanceof ApiError && (error.status === 409 || error.status === 404)) latest.current.onStopped(screenFor(error));
      }
    };
    const onComplete = () => latest.current.onFinished(finalStatus);

    model.onValueChanged.add(onValueChanged);
    model.onCompleting.add(onCompleting);
    model.onComplete.add(onComplete);
    return () => {
      model.onValueChanged.remove(onValueChanged);
      model.onCompleting.remove(onCompleting);
      model.onComplete.remove(onComplete);
    };
  }, [model, session, saves]);

  // The page's language switch drives the questionnaire's language too (declared after the save
  // queue's effect so the queue exists when it first runs).
  useEffect(() => {
    setSurveyLocale(model, locale);
    saves.changed();
  }, [model, locale, saves]);

  return (
    <>
      {problems.length > 0 && (
        <div className="notice" role="alert">
          <p className="notice__title">{t('fixAnswers')}</p>
          <ul>
            {problems.map((p) => (
              <li key={p.question + p.message}>
                {p.title && <strong>{p.title}: </strong>}
                {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <Survey model={model} />
      {/* Right under the Complete button, where the respondent is looking. */}
      <div role="status" className="form-status">
        {sending === 'sending' && t('sending')}
      </div>
      {sending === 'failed' && (
        <div className="notice" role="alert">
          {t('submitFailed')}
        </div>
      )}
    </>
  );
}
