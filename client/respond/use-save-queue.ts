// Saving as the respondent goes, as one hook: a local copy of the answers on every change (so
// answers given offline survive a closed tab), and partial saves to the server through a SaveQueue
// (debounced typing, at once on a page change, a keepalive request when the page is hidden).
// survey-view.tsx uses it and deals only with the questionnaire and its completion.
import { useEffect, useMemo, useRef } from 'react';
import type { Model } from 'survey-core';
import type { Locale } from '../i18n/locale';
import { ApiError, isTransient, saveResponse, type SaveBody } from './api';
import { screenFor, type ScreenName, type Session } from './load-session';
import { acknowledgeLocalAnswers, clearLocalAnswers, readStoredResponse, writeLocalAnswers, writeStoredResponse } from './response-store';
import { SaveQueue } from './save-queue';

export interface SaveControls {
  /** Something the model does not report changed (the language): keep a local copy and save soon. */
  changed(): void;
  /** While a completion is being sent: partial saves would race it (and get 409 after it). */
  pause(): void;
  resume(): void;
  /** The response is stored for good: no more local copies or saves, and the local copy goes. */
  finish(): void;
}

/**
 * Saves `model`'s answers for `session` until the component unmounts or `finish()` is called.
 * `locale` is sent with every save; `onStopped` is called when the server refuses the response for
 * good (409: closed wave, used invitation, completed elsewhere).
 */
export function useSaveQueue(model: Model, session: Session, locale: Locale, onStopped: (screen: ScreenName) => void): SaveControls {
  const latest = useRef({ locale, onStopped });
  useEffect(() => {
    latest.current = { locale, onStopped };
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
    // The local copy (response-store): written on every change before any save is tried. Only
    // real changes are written: a copy made merely by opening the page would count as unsaved and
    // could overwrite newer answers given on another device (an invitation resumes anywhere).
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
      // Started from the server's state or afresh: that state is not sent again (nor an empty
      // response created) until the respondent changes something. Started from this device's
      // unconfirmed copy: sent at once (below).
      alreadySaved: session.unsaved ? undefined : snapshot(),
      send: async (body, keepalive) => {
        // The body was snapshotted just now, so it holds at least the local copy of this moment.
        const copy = localSavedAt;
        const result = await saveResponse(session.link, session.responseId, body, keepalive);
        acknowledgeLocalAnswers(session.storeKey, session.responseId, copy);
        // The save ended the response: the respondent's group (quota cell) was already complete.
        if (result.status !== 'partial') {
          queue.stop();
          keepLocalRef.current = () => {};
          clearLocalAnswers(session.storeKey);
          const stored = readStoredResponse(session.storeKey);
          writeStoredResponse(session.storeKey, { id: session.responseId, startedAt: stored?.startedAt ?? session.startedAt, status: result.screenReason === 'quota_full' ? 'quota_full' : result.status });
          latest.current.onStopped(result.screenReason === 'quota_full' ? 'quotaFull' : 'alreadyCompleted');
        }
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

    const onValueChanged = () => {
      keepLocalRef.current();
      queue.schedule();
    };
    const onPageChanged = () => {
      keepLocalRef.current();
      void queue.flush();
    };
    const onHidden = () => {
      if (document.visibilityState === 'hidden') queue.flushOnExit();
    };
    const onPageHide = () => queue.flushOnExit();

    model.onValueChanged.add(onValueChanged);
    model.onCurrentPageChanged.add(onPageChanged);
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('pagehide', onPageHide);
    // Resumed from the local copy: the server lacks those answers, send them now.
    if (session.unsaved) void queue.flush();
    return () => {
      model.onValueChanged.remove(onValueChanged);
      model.onCurrentPageChanged.remove(onPageChanged);
      document.removeEventListener('visibilitychange', onHidden);
      window.removeEventListener('pagehide', onPageHide);
      queue.stop();
      queueRef.current = null;
      keepLocalRef.current = () => {};
    };
  }, [model, session]);

  return useMemo<SaveControls>(() => ({
    changed: () => {
      keepLocalRef.current();
      queueRef.current?.schedule();
    },
    pause: () => queueRef.current?.pause(),
    resume: () => queueRef.current?.resume(),
    finish: () => {
      // survey-core may still clear hidden answers after this: that must not make a new copy.
      keepLocalRef.current = () => {};
      queueRef.current?.stop();
      clearLocalAnswers(session.storeKey);
    },
  }), [session.storeKey]);
}
