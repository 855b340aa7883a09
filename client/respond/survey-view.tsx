import { useEffect, useRef, useState } from 'react';
import { Model, settings, type Question } from 'survey-core';
import { ContrastLight } from 'survey-core/themes';
import { Survey } from 'survey-react-ui';
import { useLocale } from '../i18n/use-locale';
import type { Locale } from '../i18n/locale';
import { ApiError, completeWithRetry, isTransient, saveResponse, type FinalStatus, type SaveBody } from './api';
import { screenFor, type ScreenName, type Session } from './load-session';
import { acknowledgeLocalAnswers, clearLocalAnswers, readStoredResponse, writeLocalAnswers, writeStoredResponse } from './response-store';
import { SaveQueue } from './save-queue';

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

const MAX_DURATION_MS = 31 * 24 * 3600 * 1000;

/**
 * Wall-clock time since this device first opened the link: an upper bound on effort, the safe
 * side for the speeder flag (METHODOLOGY §6). Omitted when implausible (a clock change, or a
 * return after more than the 31 days the API accepts), rather than sent wrong.
 */
function durationSince(startedAt: number): number | undefined {
  const ms = Date.now() - startedAt;
  return ms >= 0 && ms <= MAX_DURATION_MS ? ms : undefined;
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
  const latest = useRef({ locale, t, onFinished, onStopped });
  useEffect(() => {
    latest.current = { locale, t, onFinished, onStopped };
  });

  const queueRef = useRef<SaveQueue<SaveBody> | null>(null);
  /** Writes the local copy of the answers if anything changed (set by the effect below). */
  const keepLocalRef = useRef<() => void>(() => {});

  useEffect(() => {
    const snapshot = (): SaveBody => ({
      surveyVersionId: session.surveyVersionId,
      locale: latest.current.locale,
      data: model.data as Record<string, unknown>,
      currentPageNo: model.currentPageNo,
    });
    // The local copy (response-store): written on every change before any save is tried, so
    // answers given offline survive closing the tab. Only real changes are written: a copy made
    // merely by opening the page would count as unsaved and could overwrite newer answers given
    // on another device (an invitation resumes anywhere).
    let localSavedAt = session.localSavedAt;
    let lastKept = JSON.stringify(snapshot());
    keepLocalRef.current = () => {
      const body = snapshot();
      const serialized = JSON.stringify(body);
      if (serialized === lastKept) return;
      lastKept = serialized;
      localSavedAt = writeLocalAnswers(
        session.storeKey,
        { id: session.responseId, surveyVersionId: body.surveyVersionId, data: body.data, currentPageNo: body.currentPageNo, locale: body.locale },
        localSavedAt,
      );
    };
    const queue = new SaveQueue<SaveBody>({
      snapshot,
      send: async (body, keepalive) => {
        // The body was snapshotted just now, so it holds at least the local copy of this moment.
        const copy = localSavedAt;
        const result = await saveResponse(session.link, session.responseId, body, keepalive);
        acknowledgeLocalAnswers(session.storeKey, session.responseId, copy);
        return result;
      },
      onFailure: (error) => {
        if (isTransient(error)) return 'retry';
        if (error instanceof ApiError && error.status === 409) latest.current.onStopped(screenFor(error));
        else console.error('Kelisim: a partial save was refused; answers are kept on the page until completion.', error);
        return 'stop';
      },
    });
    queueRef.current = queue;
    let submitting = false;
    let finalStatus: FinalStatus = 'complete';

    const onValueChanged = (_: Model, options: { name: string }) => {
      setProblems((current) => (current.length ? current.filter((p) => p.question !== options.name) : current));
      keepLocalRef.current();
      queue.schedule();
    };
    const onPageChanged = () => {
      keepLocalRef.current();
      void queue.flush();
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
      queue.pause();
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
        // Stored for good: no more local copies (survey-core may still clear hidden answers).
        keepLocalRef.current = () => {};
        clearLocalAnswers(session.storeKey);
        options.allow = true;
      } catch (error) {
        submitting = false;
        options.allow = false;
        setSending(isTransient(error) ? 'failed' : 'idle');
        queue.resume();
        if (error instanceof ApiError && error.code === 'invalid_answers') showProblems(error);
        else if (error instanceof ApiError && (error.status === 409 || error.status === 404)) latest.current.onStopped(screenFor(error));
      }
    };
    const onComplete = () => latest.current.onFinished(finalStatus);

    const onHidden = () => {
      if (document.visibilityState === 'hidden') queue.flushOnExit();
    };
    const onPageHide = () => queue.flushOnExit();

    model.onValueChanged.add(onValueChanged);
    model.onCurrentPageChanged.add(onPageChanged);
    model.onCompleting.add(onCompleting);
    model.onComplete.add(onComplete);
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('pagehide', onPageHide);
    // Resumed from the local copy: the server lacks those answers, send them now.
    if (session.unsaved) void queue.flush();
    return () => {
      model.onValueChanged.remove(onValueChanged);
      model.onCurrentPageChanged.remove(onPageChanged);
      model.onCompleting.remove(onCompleting);
      model.onComplete.remove(onComplete);
      document.removeEventListener('visibilitychange', onHidden);
      window.removeEventListener('pagehide', onPageHide);
      queue.stop();
      queueRef.current = null;
      keepLocalRef.current = () => {};
    };
  }, [model, session]);

  // The page's language switch drives the questionnaire's language too (declared after the effect
  // above so the save queue exists when it first runs).
  useEffect(() => {
    setSurveyLocale(model, locale);
    keepLocalRef.current();
    queueRef.current?.schedule();
  }, [model, locale]);

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
