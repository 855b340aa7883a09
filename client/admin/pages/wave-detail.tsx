// One wave: its live counts, close, the open link with a QR code to print, invitations (created
// here and downloaded once as CSV: the tokens are never shown again) and the data exports.
import { useState, type FormEvent } from 'react';
import { createInvitationsBody, type CreateInvitationsBody, type Wave } from '../../../contract/admin-api';
import { followLink } from '../../router';
import { useAdminText } from '../admin-text';
import { adminHref } from '../admin-routes';
import { saveFile } from '../api';
import { closeWave, createInvitations, exportHref, getWave, invitationCountsOf, waveLink } from '../endpoints';
import { noBody, useSubmit } from '../forms';
import { useSession } from '../session';
import { AdminPage, ErrorNotice, Field, fieldAria, Loading, problemFor, StatusLine } from '../ui';
import { useQuery } from '../use-query';
import { LIVE_REFRESH_MS, waveName } from './waves-page';

export function WaveDetail({ id }: { id: string }) {
  const text = useAdminText();
  const { t, pick } = text;
  const wave = useQuery(`wave:${id}`, (signal) => getWave(id, signal), { refreshMs: LIVE_REFRESH_MS });
  if (wave.state === 'loading') return <Loading />;
  if (wave.state === 'error') return <ErrorNotice error={wave.error} onRetry={wave.reload} />;
  const w = wave.data;
  return (
    <AdminPage title={t('waveTitle', { name: waveName(w, pick) })}>
      <p>
        <a href={adminHref('waves')} onClick={followLink}>{t('backToWaves')}</a>
      </p>
      <WaveCounts wave={w} onChanged={wave.reload} />
      <OpenLink wave={w} />
      <Invitations wave={w} />
      <Exports wave={w} />
    </AdminPage>
  );
}

function WaveCounts({ wave, onChanged }: { wave: Wave; onChanged: () => void }) {
  const text = useAdminText();
  const { t, count } = text;
  const { canChange } = useSession();
  const closing = useSubmit(text);
  const [confirming, setConfirming] = useState(false);
  async function onClose() {
    const done = await closing.run<unknown, Wave>(noBody, null, () => closeWave(wave.id));
    if (done) {
      setConfirming(false);
      onChanged();
    }
  }
  const c = wave.counts;
  return (
    <section className="admin-card" aria-labelledby="wave-counts-title">
      <h2 id="wave-counts-title">{t('waveCountsTitle')}</h2>
      <dl className="admin-facts">
        <div><dt>{t('colStatus')}</dt><dd><span className={`admin-badge admin-badge--${wave.status}`}>{t(wave.status === 'open' ? 'waveOpen' : 'waveClosed')}</span></dd></div>
        <div><dt>{t('colPeriod')}</dt><dd>{wave.period ?? '—'}</dd></div>
        <div><dt>{t('colStarted')}</dt><dd>{count(c.started)}</dd></div>
        <div><dt>{t('colPartial')}</dt><dd>{count(c.partial)}</dd></div>
        <div><dt>{t('colCompleted')}</dt><dd>{count(c.completed)}</dd></div>
        <div><dt>{t('colScreenedOut')}</dt><dd>{count(c.screenedOut)}</dd></div>
        {Object.entries(c.byMode).map(([mode, n]) => (
          <div key={mode}><dt>{t('modeCount', { mode })}</dt><dd>{count(n)}</dd></div>
        ))}
      </dl>
      <p className="admin-hint">{t('liveNote')}</p>
      <p>
        <a href={`${adminHref('quotas')}?wave=${wave.id}`} onClick={followLink}>{t('navQuotas')}</a>
        {' · '}
        <a href={`${adminHref('responses')}?wave=${wave.id}`} onClick={followLink}>{t('navResponses')}</a>
        {' · '}
        <a href={`${adminHref('imports')}?wave=${wave.id}`} onClick={followLink}>{t('navImports')}</a>
        {' · '}
        <a href={`${adminHref('runs')}?wave=${wave.id}`} onClick={followLink}>{t('navRuns')}</a>
      </p>
      {canChange && wave.status === 'open' && !confirming && (
        <button type="button" className="admin-button admin-button--danger" onClick={() => setConfirming(true)}>
          {t('closeWave')}
        </button>
      )}
      {confirming && (
        <div className="admin-confirm" role="group" aria-label={t('closeWave')}>
          <p>{t('closeWaveConfirm')}</p>
          <button type="button" className="admin-button admin-button--danger" onClick={onClose} disabled={closing.submit.state === 'sending'}>
            {t('closeWaveYes')}
          </button>{' '}
          <button type="button" className="admin-button admin-button--secondary" onClick={() => setConfirming(false)}>
            {t('cancel')}
          </button>
        </div>
      )}
      {closing.submit.state === 'failed' && <ErrorNotice error={closing.submit.error} />}
    </section>
  );
}

function OpenLink({ wave }: { wave: Wave }) {
  const { t, pick } = useAdminText();
  const link = useQuery(`link:${wave.id}`, (signal) => waveLink(wave.id, signal));
  return (
    <section className="admin-card" aria-labelledby="wave-link-title">
      <h2 id="wave-link-title">{t('openLinkTitle')}</h2>
      {wave.status === 'closed' && <p>{t('openLinkClosed')}</p>}
      {link.state === 'loading' && <Loading />}
      {link.state === 'error' && <ErrorNotice error={link.error} onRetry={link.reload} />}
      {link.state === 'ready' && (
        <div className="admin-link">
          <p>
            <a href={link.data.url} className="admin-url">{link.data.url}</a>
          </p>
          <img className="admin-qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.data.qrSvg)}`} alt={t('qrAlt', { wave: waveName(wave, pick) })} width={200} height={200} />
          <p>
            <a href={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.data.qrSvg)}`} download={`kelisim-wave-${wave.id}-qr.svg`}>{t('qrDownload')}</a>
          </p>
        </div>
      )}
    </section>
  );
}

function Invitations({ wave }: { wave: Wave }) {
  const text = useAdminText();
  const { t, count } = text;
  const { canChange } = useSession();
  const counts = useQuery(`inv:${wave.id}`, (signal) => invitationCountsOf(wave.id, signal), { refreshMs: LIVE_REFRESH_MS });
  const [n, setN] = useState('100');
  const [made, setMade] = useState<{ count: number; fileName: string } | null>(null);
  const { submit, run, problems } = useSubmit(text);
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setMade(null);
    const wanted = Number(n.trim());
    const result = await run<CreateInvitationsBody, { csv: string; fileName: string }>(createInvitationsBody, { count: n.trim() === '' ? undefined : wanted }, (body) => createInvitations(wave.id, body.count));
    if (result) {
      saveFile(result.fileName, result.csv);
      setMade({ count: wanted, fileName: result.fileName });
      counts.reload();
    }
  }
  const problem = problemFor(problems, 'count');
  return (
    <section className="admin-card" aria-labelledby="inv-title">
      <h2 id="inv-title">{t('invitationsTitle')}</h2>
      {counts.state === 'ready' && (
        <p>{t('invitationCounts', { total: count(counts.data.total), used: count(counts.data.used), completed: count(counts.data.completed), unused: count(counts.data.unused) })}</p>
      )}
      {counts.state === 'error' && <ErrorNotice error={counts.error} onRetry={counts.reload} />}
      {canChange && wave.status === 'open' && (
        <form className="admin-form" onSubmit={onSubmit} noValidate>
          <p className="admin-warning">{t('invitationsWarning')}</p>
          <Field id="inv-count" label={t('fieldInvitationCount')} problem={problem}>
            <input id="inv-count" inputMode="numeric" value={n} onChange={(e) => setN(e.target.value)} {...fieldAria('inv-count', false, problem)} />
          </Field>
          {submit.state === 'failed' && <ErrorNotice error={submit.error} problems={problems} />}
          <button type="submit" className="admin-button" disabled={submit.state === 'sending'}>
            {submit.state === 'sending' ? t('creating') : t('createInvitations')}
          </button>
        </form>
      )}
      {made && <StatusLine>{t('invitationsMade', { n: count(made.count), file: made.fileName })}</StatusLine>}
    </section>
  );
}

function Exports({ wave }: { wave: Wave }) {
  const { t, locale } = useAdminText();
  return (
    <section className="admin-card" aria-labelledby="exports-title">
      <h2 id="exports-title">{t('exportsTitle')}</h2>
      <ul className="admin-inline-list">
        <li><a href={exportHref(wave.id, 'csv', locale)} download>{t('exportCsv')}</a></li>
        <li><a href={exportHref(wave.id, 'xlsx', locale)} download>{t('exportXlsx')}</a></li>
        <li><a href={exportHref(wave.id, 'sav', locale)} download>{t('exportSav')}</a></li>
        <li><a href={exportHref(wave.id, 'csv', locale, 'codebook')} download>{t('exportCodebook')}</a></li>
      </ul>
    </section>
  );
}
