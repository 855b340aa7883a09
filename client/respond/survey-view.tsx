import { useEffect, useRef, useState } from 'react';
import { Model, settings, type Question } from 'survey-core';
import { ContrastLight } from 'survey-core/themes';
import { Survey } from 'survey-react-ui';
import { useLocale } from '../i18n/use-locale';
import type { Locale } from '../i18n/locale';
import { RESUME_WINDOW_MS } from '../../contract/respondent-api';
import { collapseIntroHtml } from './collapse-intro';
import { sortRegionChoices } from './region-order';
import { ApiError, completeWithRetry, finalStatusOf, isTransient, type FinalStatus } from './api';
import { screenFor, type ScreenName, type Session } from './load-session';
import { readStoredResponse, writeStoredResponse } from './response-store';
import { rememberTakingPart } from './antibot';
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
  // The page draws its own title (small, once) and progress bar (RespondProgress below): survey-core's
  // header took ~250 px of a 740-px phone screen on every page, and its "pages" bar is empty on page
  // 1 and not full on the last (getProgress() counts the pages *before* the current one).
  model.showTitle = false;
  model.showProgressBar = false;
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
  sortRegionChoices(model, locale);
}

/**
 * Puts the focus on a question's answer: the chosen one of a radio group, else its first control.
 * survey-core's own Question.focus() looks the input up by an id that its boolean-as-radio and
 * drop-down renderers do not give any element, so it silently focused nothing.
 */
function focusQuestion(question: Question | undefined): void {
  const root = question ? document.getElementById(question.id) : null;
  if (!root) return;
  const target =
    root.querySelector<HTMLElement>('input:checked') ??
    root.querySelector<HTMLElement>('input:not([type=hidden]):not([disabled]), textarea, select, [role=combobox], [role=radio], [tabindex="0"]');
  target?.focus();
}

/** Page k of n: a bar filled k/n (full on the last page) and survey-core's "Page k of n" text. */
function RespondProgress({ model }: { model: Model }) {
  const [, redraw] = useState(0);
  useEffect(() => {
    const update = () => redraw((n) => n + 1);
    model.onCurrentPageChanged.add(update);
    model.onPageVisibleChanged.add(update);
    return () => {
      model.onCurrentPageChanged.remove(update);
      model.onPageVisibleChanged.remove(update);
    };
  }, [model]);
  const total = model.visiblePageCount;
  const current = model.currentPage ? model.visiblePages.indexOf(model.currentPage) + 1 : 0;
  if (total < 2 || current < 1) return null;
  const text = model.progressText;
  return (
    <div className="respond-progress">
      <div className="respond-progress__bar" role="progressbar" aria-valuemin={1} aria-valuemax={total} aria-valuenow={current} aria-valuetext={text}>
        <div className="respond-progress__fill" style={{ width: `${(current / total) * 100}%` }} />
      </div>
      <p className="respond-progress__text" aria-hidden="true">
        {text}
      </p>
    </div>
  );
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
  // The questionnaire's own title ("Life in Kazakhstan"), once and small, in the page's language.
  const title = model.locTitle.getLocaleText(locale) || model.locTitle.getLocaleText('default') || session.waveTitle[locale] || t('brand');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [sending, setSending] = useState<'idle' | 'sending' | 'failed' | 'limited'>('idle');
  const latest = useRef({ locale, onFinished, onStopped, introMore: t('introMore') });
  useEffect(() => {
    latest.current = { locale, onFinished, onStopped, introMore: t('introMore') };
  });
  // Local copies and partial saves as the respondent goes (use-save-queue.ts).
  const saves = useSaveQueue(model, session, locale, onStopped);

  // Phone layout (issue 12): the introduction folded after its first paragraph; after Next the focus
  // goes to the new page's first question (survey-core leaves it on the Next button at the bottom).
  useEffect(() => {
    const onProcessHtml = (_: Model, options: { html: string; reason: string }) => {
      if (options.reason === 'html-question') options.html = collapseIntroHtml(options.html, latest.current.introMore);
    };
    const onPageChanged = () => {
      setTimeout(() => focusQuestion(model.currentPage?.questions.find((q: Question) => q.isVisible && q.hasInput && !q.isReadOnly)), 0);
    };
    // A failed Next shows the errors but leaves the focus on the button; move it to the first
    // error. Only when the focus is on the navigation: validation also runs as answers change, and
    // must not pull the focus away from the question being answered.
    const onValidatePage = (_: Model, options: { questions: Question[] }) => {
      if (options.questions.length === 0) return;
      setTimeout(() => {
        if (document.activeElement?.closest('.sd-body__navigation')) focusQuestion(model.currentPage?.questions.find((q: Question) => q.isVisible && q.errors.length > 0));
      }, 0);
    };
    model.onProcessHtml.add(onProcessHtml);
    model.onCurrentPageChanged.add(onPageChanged);
    model.onValidatePage.add(onValidatePage);
    return () => {
      model.onProcessHtml.remove(onProcessHtml);
      model.onCurrentPageChanged.remove(onPageChanged);
      model.onValidatePage.remove(onValidatePage);
    };
  }, [model]);

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
        setTimeout(() => focusQuestion(first), 0);
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
        finalStatus = finalStatusOf(result);
        rememberTakingPart(session.waveId);
        writeStoredResponse(session.storeKey, { id: session.responseId, startedAt: stored?.startedAt ?? session.startedAt, status: finalStatus });
        saves.finish();
        options.allow = true;
      } catch (error) {
        submitting = false;
        options.allow = false;
        setSending(error instanceof ApiError && error.status === 429 ? 'limited' : isTransient(error) ? 'failed' : 'idle');
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
      <div className="respond-head">
        <h1 className="respond-title">{title}</h1>
        <RespondProgress model={model} />
      </div>
      <Survey model={model} />
      {/* Right under the Complete button, where the respondent is looking. */}
      <div role="status" className="form-status">
        {sending === 'sending' && t('sending')}
      </div>
      {sending === 'limited' && (
        <div className="notice" role="alert">
          {t('tooManyBody')}
        </div>
      )}
      {sending === 'failed' && (
        <div className="notice" role="alert">
          {t('submitFailed')}
        </div>
      )}
    </>
  );
}
