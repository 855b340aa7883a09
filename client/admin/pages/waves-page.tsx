// Waves: every wave with its live counts (refreshed while the page is open), a new wave for the
// current quarter, and a wave for a past quarter (to import field interviews into).
import { useState, type FormEvent } from 'react';
import { createWaveBody, openWaveBody, type CreateWaveBody, type Wave } from '../../../contract/admin-api';
import { followLink, navigate } from '../../router';
import { useAdminText } from '../admin-text';
import { adminHref } from '../admin-routes';
import { DataTable } from '../data-table';
import { createWave, listWaves, openWave } from '../endpoints';
import { useSubmit } from '../forms';
import { useSession } from '../session';
import { AdminPage, ErrorNotice, Field, fieldAria, Loading, problemFor } from '../ui';
import { useQuery } from '../use-query';

export const LIVE_REFRESH_MS = 10_000;

export function waveName(wave: Wave, pick: (t: Wave['title']) => string): string {
  return pick(wave.title) || wave.period || `#${wave.id}`;
}

export function WavesPage() {
  const text = useAdminText();
  const { t, count, pick } = text;
  const { canChange } = useSession();
  const waves = useQuery('waves', listWaves, { refreshMs: LIVE_REFRESH_MS });
  const opening = useSubmit(text);
  const anyOpen = waves.state === 'ready' && waves.data.items.some((w) => w.status === 'open');

  async function onOpen() {
    const wave = await opening.run<Record<string, never>, Wave>(openWaveBody, {}, () => openWave());
    if (wave) navigate(adminHref(`waves/${wave.id}`));
  }

  return (
    <AdminPage
      title={t('wavesTitle')}
      actions={canChange && (
        <button type="button" className="admin-button" onClick={onOpen} disabled={anyOpen || opening.submit.state === 'sending'} aria-describedby={anyOpen ? 'open-wave-why' : undefined}>
          {t('openWave')}
        </button>
      )}
    >
      {canChange && anyOpen && <p id="open-wave-why" className="admin-hint">{t('openWaveWhy')}</p>}
      {opening.submit.state === 'failed' && <ErrorNotice error={opening.submit.error} />}
      {waves.state === 'loading' && <Loading />}
      {waves.state === 'error' && <ErrorNotice error={waves.error} onRetry={waves.reload} />}
      {waves.state === 'ready' && (
        <DataTable
          caption={t('wavesCaption')}
          rows={waves.data.items}
          rowKey={(w) => String(w.id)}
          empty={t('wavesEmpty')}
          columns={[
            { key: 'wave', header: t('colWave'), render: (w) => <a href={adminHref(`waves/${w.id}`)} onClick={followLink}>{waveName(w, pick)}</a> },
            { key: 'period', header: t('colPeriod'), render: (w) => w.period ?? '—' },
            { key: 'status', header: t('colStatus'), render: (w) => <span className={`admin-badge admin-badge--${w.status}`}>{t(w.status === 'open' ? 'waveOpen' : 'waveClosed')}</span> },
            { key: 'started', header: t('colStarted'), numeric: true, render: (w) => count(w.counts.started) },
            { key: 'completed', header: t('colCompleted'), numeric: true, render: (w) => count(w.counts.completed) },
            { key: 'screened', header: t('colScreenedOut'), numeric: true, render: (w) => count(w.counts.screenedOut) },
            { key: 'modes', header: t('colByMode'), render: (w) => Object.entries(w.counts.byMode).filter(([, n]) => n > 0).map(([m, n]) => `${m} ${count(n)}`).join(', ') || '—' },
            { key: 'invitations', header: t('colInvitations'), numeric: true, render: (w) => t('usedOf', { used: count(w.invitations.used), total: count(w.invitations.total) }) },
          ]}
        />
      )}
      {waves.state === 'ready' && <p className="admin-hint">{t('liveNote')}</p>}
      {canChange && <PastWaveForm onCreated={waves.reload} />}
    </AdminPage>
  );
}

function PastWaveForm({ onCreated }: { onCreated: () => void }) {
  const text = useAdminText();
  const { t } = text;
  const [period, setPeriod] = useState('');
  const [closed, setClosed] = useState(true);
  const { submit, run, problems } = useSubmit(text);
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const wave = await run<CreateWaveBody, Wave>(createWaveBody, { period: period.trim(), closed }, createWave);
    if (wave) {
      setPeriod('');
      onCreated();
      navigate(adminHref(`waves/${wave.id}`));
    }
  }
  const problem = problemFor(problems, 'period');
  return (
    <form className="admin-form admin-card" onSubmit={onSubmit} noValidate aria-labelledby="past-wave-title">
      <h2 id="past-wave-title">{t('pastWaveTitle')}</h2>
      <p>{t('pastWaveLead')}</p>
      <Field id="past-period" label={t('fieldPeriod')} hint={t('fieldPeriodHint')} problem={problem}>
        <input id="past-period" value={period} onChange={(e) => setPeriod(e.target.value)} placeholder="2025-Q4" {...fieldAria('past-period', true, problem)} />
      </Field>
      <div className="admin-check">
        <input id="past-closed" type="checkbox" checked={closed} onChange={(e) => setClosed(e.target.checked)} />
        <label htmlFor="past-closed">{t('fieldCreateClosed')}</label>
      </div>
      {submit.state === 'failed' && <ErrorNotice error={submit.error} problems={problems} />}
      <button type="submit" className="admin-button" disabled={submit.state === 'sending'}>
        {t('createWave')}
      </button>
    </form>
  );
}
