// One response: every answered question's text and the answer's label in the page language, the
// indicator scores, and each quality flag with its reason; a researcher can overrule a flag with a
// written reason (audited; the next run keeps the response).
import { useState, type FormEvent } from 'react';
import { overruleBody, type FlagState, type OverruleBody, type ResponseDetail as Detail } from '../../../contract/admin-api';
import { followLink } from '../../router';
import { formatDateTime, useAdminText } from '../admin-text';
import { adminHref } from '../admin-routes';
import { getResponse, overruleFlag } from '../endpoints';
import { useSubmit } from '../forms';
import { REGIONS } from '../regions';
import { useSession } from '../session';
import { AdminPage, ErrorNotice, Field, fieldAria, Loading, problemFor } from '../ui';
import { useQuery } from '../use-query';
import { FlagsAsOf, flagKey, statusKey } from './responses-page';

export function ResponseDetail({ id }: { id: string }) {
  const text = useAdminText();
  const { t, locale, num, pick } = text;
  const detail = useQuery(`response:${id}:${locale}`, (signal) => getResponse(id, locale, signal));
  if (detail.state === 'loading') return <Loading />;
  if (detail.state === 'error') return <ErrorNotice error={detail.error} onRetry={detail.reload} />;
  const r = detail.data;
  const region = REGIONS.find((x) => x.code === r.region);
  return (
    <AdminPage title={t('responseTitle', { id: r.id.slice(0, 8) })}>
      <p>
        <a href={adminHref('responses')} onClick={followLink}>{t('backToResponses')}</a>
      </p>
      <section className="admin-card" aria-labelledby="resp-facts">
        <h2 id="resp-facts">{t('responseFacts')}</h2>
        <dl className="admin-facts">
          <div><dt>{t('colResponse')}</dt><dd className="admin-mono">{r.id}</dd></div>
          <div><dt>{t('colWave')}</dt><dd>{r.waveId}</dd></div>
          <div><dt>{t('colStatus')}</dt><dd>{t(statusKey(r.status))}</dd></div>
          <div><dt>{t('colMode')}</dt><dd>{t(`mode_${r.mode}`)}</dd></div>
          <div><dt>{t('colRegion')}</dt><dd>{region ? pick(region.name) : (r.region ?? '—')}</dd></div>
          <div><dt>{t('colLanguage')}</dt><dd>{r.locale}</dd></div>
          <div><dt>{t('colInterviewer')}</dt><dd>{r.interviewer ?? '—'}</dd></div>
          <div><dt>{t('colStartedAt')}</dt><dd>{formatDateTime(r.startedAt)}</dd></div>
          <div><dt>{t('colCompletedAt')}</dt><dd>{formatDateTime(r.completedAt)}</dd></div>
          <div><dt>{t('colDuration')}</dt><dd>{r.durationMs === null ? '—' : t('minutes', { n: num(r.durationMs / 60000, 1) })}</dd></div>
          {(['consensus', 'tolerance', 'mood'] as const).map((k) => (
            <div key={k}><dt>{t(`indicator_${k}`)}</dt><dd>{r.scores[k] === null ? '—' : num(r.scores[k]!, 1)}</dd></div>
          ))}
        </dl>
      </section>
      <Flags response={r} onChanged={detail.reload} />
      <section className="admin-card" aria-labelledby="resp-answers">
        <h2 id="resp-answers">{t('answersTitle')}</h2>
        {r.answers.length === 0 ? <p>{t('noAnswers')}</p> : (
          <dl className="admin-answers">
            {r.answers.map((a) => (
              <div key={a.name}>
                <dt>{a.question} <span className="admin-mono admin-hint">({a.name})</span></dt>
                <dd>{a.answer}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </AdminPage>
  );
}

function Flags({ response, onChanged }: { response: Detail; onChanged: () => void }) {
  const { t } = useAdminText();
  return (
    <section className="admin-card" aria-labelledby="resp-flags">
      <h2 id="resp-flags">{t('flagsTitle')}</h2>
      <FlagsAsOf run={response.flagsRun} />
      {response.flagStates.length === 0 ? <p>{t('noFlags')}</p> : (
        <ul className="admin-flags">
          {response.flagStates.map((f) => <FlagItem key={f.flag} responseId={response.id} flag={f} onChanged={onChanged} />)}
        </ul>
      )}
    </section>
  );
}

function FlagItem({ responseId, flag, onChanged }: { responseId: string; flag: FlagState; onChanged: () => void }) {
  const text = useAdminText();
  const { t, num } = text;
  const { canChange } = useSession();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { submit, run, problems } = useSubmit(text);
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const done = await run<OverruleBody, Detail>(overruleBody, { reason }, (body) => overruleFlag(responseId, flag.flag, body.reason));
    if (done) {
      setOpen(false);
      onChanged();
    }
  }
  const id = `overrule-${flag.flag}`;
  const problem = problemFor(problems, 'reason');
  return (
    <li>
      <p>
        <strong>{t(flagKey(flag.flag))}</strong>: {t(`flagWhy_${flag.flag}`)}
      </p>
      <p className="admin-hint">
        {flag.runId !== null ? t('flagByRun', { run: flag.runId }) : flag.flag === 'incomplete' ? t('flagFromAnswers') : t('flagNotInLatestRun')}
        {flag.speeder && ' ' + t('flagSpeederDetail', {
          duration: flag.speeder.durationMs === null ? '—' : t('minutes', { n: num(flag.speeder.durationMs / 60000, 1) }),
          median: t('minutes', { n: num(flag.speeder.medianMs / 60000, 1) }),
          threshold: t('minutes', { n: num(flag.speeder.thresholdMs / 60000, 1) }),
        })}
      </p>
      {flag.overruled ? (
        <p className="admin-ok">{t('flagOverruled', { by: flag.overruled.by, at: formatDateTime(flag.overruled.at), reason: flag.overruled.reason })}</p>
      ) : canChange && !open ? (
        <button type="button" className="admin-button admin-button--secondary" onClick={() => setOpen(true)}>{t('overrule')}</button>
      ) : null}
      {open && (
        <form className="admin-form" onSubmit={onSubmit} noValidate>
          <Field id={id} label={t('fieldOverruleReason')} hint={t('reasonHint')} problem={problem}>
            <textarea id={id} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} {...fieldAria(id, true, problem)} />
          </Field>
          {submit.state === 'failed' && <ErrorNotice error={submit.error} problems={problems} />}
          <button type="submit" className="admin-button" disabled={submit.state === 'sending'}>{t('overruleSave')}</button>{' '}
          <button type="button" className="admin-button admin-button--secondary" onClick={() => setOpen(false)}>{t('cancel')}</button>
        </form>
      )}
    </li>
  );
}
