// A run's review: the three indicators with their confidence intervals; the diagnostics
// (convergence, Kish n, design effect, weight range, merged cells); weighted vs population share of
// every margin cell; exclusions; domains, suppressed ones said so. Then publish it, or withdraw it
// with a written reason. A published run is what the public dashboard shows.
import { useState, type FormEvent } from 'react';
import { withdrawBody, type RunDetail, type WithdrawBody } from '../../../contract/admin-api';
import { followLink } from '../../router';
import { formatDateTime, useAdminText, type AdminText } from '../admin-text';
import { adminHref } from '../admin-routes';
import { DataTable } from '../data-table';
import { exportHref, getRun, runExportHref, publishRun, withdrawRun } from '../endpoints';
import { noBody, useSubmit } from '../forms';
import { REGIONS } from '../regions';
import { useSession } from '../session';
import { AdminPage, ErrorNotice, Field, fieldAria, Loading, problemFor, StatusLine } from '../ui';
import { useQuery } from '../use-query';
import { flagKey } from './responses-page';

/** Margin cells whose weighted share is off the population's by more than this (in points) are marked. */
const SHARE_GAP_MARK = 0.005;

export function RunReview({ id }: { id: string }) {
  const { t } = useAdminText();
  const run = useQuery(`run:${id}`, (signal) => getRun(id, signal));
  if (run.state === 'loading') return <Loading />;
  if (run.state === 'error') return <ErrorNotice error={run.error} onRetry={run.reload} />;
  const r = run.data;
  return (
    <AdminPage title={t('runTitle', { id: r.id, period: r.period ?? '—' })}>
      <p>
        <a href={adminHref('runs')} onClick={followLink}>{t('backToRuns')}</a>
      </p>
      <Publication run={r} onChanged={run.reload} />
      <Indicators run={r} />
      <Diagnostics run={r} />
      <Exclusions run={r} />
      <MarginCells run={r} />
      <Domains run={r} />
    </AdminPage>
  );
}

function Publication({ run, onChanged }: { run: RunDetail; onChanged: () => void }) {
  const text = useAdminText();
  const { t, locale } = text;
  const { canChange } = useSession();
  const [mode, setMode] = useState<'idle' | 'publish' | 'withdraw'>('idle');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const publishing = useSubmit(text);
  const withdrawing = useSubmit(text);
  async function onPublish() {
    const ok = await publishing.run(noBody, null, () => publishRun(run.id));
    if (ok) {
      setMode('idle');
      setDone(t('publishedNow'));
      onChanged();
    }
  }
  async function onWithdraw(event: FormEvent) {
    event.preventDefault();
    const ok = await withdrawing.run<WithdrawBody, unknown>(withdrawBody, { reason }, (body) => withdrawRun(run.id, body.reason));
    if (ok) {
      setMode('idle');
      setReason('');
      setDone(t('withdrawnNow'));
      onChanged();
    }
  }
  const problem = problemFor(withdrawing.problems, 'reason');
  return (
    <section className="admin-card" aria-labelledby="pub-title">
      <h2 id="pub-title">{t('publicationTitle')}</h2>
      <p>
        {run.published ? <span className="admin-badge admin-badge--open">{t('published')}</span> : <span className="admin-badge">{run.everPublished ? t('withdrawnOrReplaced') : t('draft')}</span>}{' '}
        {t('runMade', { by: run.createdBy, at: formatDateTime(run.createdAt), frame: run.frame.name })}
        {run.frame.illustrative && <strong> {t('illustrativeFrameNote')}</strong>}
      </p>
      {run.publications.length > 0 && (
        <ul>
          {run.publications.map((p, i) => (
            <li key={i}>{t(p.action === 'publish' ? 'eventPublish' : 'eventWithdraw', { by: p.actor, at: formatDateTime(p.at) })}{p.reason ? ` — ${p.reason}` : ''}</li>
          ))}
        </ul>
      )}
      {done && <StatusLine>{done}</StatusLine>}
      {canChange && mode === 'idle' && (
        <p className="admin-actions">
          {!run.published && run.period !== null && <button type="button" className="admin-button" onClick={() => setMode('publish')}>{t('publish')}</button>}
          {run.published && <button type="button" className="admin-button admin-button--danger" onClick={() => setMode('withdraw')}>{t('withdraw')}</button>}
        </p>
      )}
      {run.period === null && <p className="admin-hint">{t('noPeriodNoPublish')}</p>}
      {mode === 'publish' && (
        <div className="admin-confirm" role="group" aria-label={t('publish')}>
          <p>{t('publishConfirm', { period: run.period ?? '' })}</p>
          <button type="button" className="admin-button" onClick={onPublish} disabled={publishing.submit.state === 'sending'}>{t('publishYes')}</button>{' '}
          <button type="button" className="admin-button admin-button--secondary" onClick={() => setMode('idle')}>{t('cancel')}</button>
          {publishing.submit.state === 'failed' && <ErrorNotice error={publishing.submit.error} />}
        </div>
      )}
      {mode === 'withdraw' && (
        <form className="admin-form admin-confirm" onSubmit={onWithdraw} noValidate>
          <Field id="withdraw-reason" label={t('fieldWithdrawReason')} hint={t('reasonHint')} problem={problem}>
            <textarea id="withdraw-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} {...fieldAria('withdraw-reason', true, problem)} />
          </Field>
          {withdrawing.submit.state === 'failed' && <ErrorNotice error={withdrawing.submit.error} problems={withdrawing.problems} />}
          <button type="submit" className="admin-button admin-button--danger" disabled={withdrawing.submit.state === 'sending'}>{t('withdrawYes')}</button>{' '}
          <button type="button" className="admin-button admin-button--secondary" onClick={() => setMode('idle')}>{t('cancel')}</button>
        </form>
      )}
      <p>
        {t('exportRunData')}:{' '}
        <a href={exportHref(run.waveId, 'csv', locale, 'data', run.id)} download>CSV</a>{' · '}
        <a href={exportHref(run.waveId, 'xlsx', locale, 'data', run.id)} download>XLSX</a>{' · '}
        <a href={exportHref(run.waveId, 'sav', locale, 'data', run.id)} download>SPSS</a>
      </p>
      <p>
        {t('exportRunResults')}:{' '}
        <a href={runExportHref(run.id, 'csv', locale, 'estimates')} download>{t('exportRunEstimates')}</a>{' · '}
        <a href={runExportHref(run.id, 'csv', locale, 'diagnostics')} download>{t('exportRunDiagnostics')}</a>{' · '}
        <a href={runExportHref(run.id, 'xlsx', locale)} download>{t('exportRunXlsx')}</a>
      </p>
    </section>
  );
}

function Indicators({ run }: { run: RunDetail }) {
  const { t, num, count } = useAdminText();
  const f = (x: number | null, d = 1) => (x === null ? '—' : num(x, d));
  return (
    <section className="admin-card" aria-labelledby="ind-title">
      <h2 id="ind-title">{t('indicatorsTitle')}</h2>
      <DataTable
        caption={t('indicatorsCaption')}
        rows={run.indicators}
        rowKey={(i) => i.id}
        columns={[
          { key: 'name', header: t('colIndicator'), render: (i) => t(`indicator_${i.id}`) },
          { key: 'est', header: t('colEstimate'), numeric: true, render: (i) => f(i.estimate) },
          { key: 'ci', header: t('colCi'), numeric: true, render: (i) => (i.lower === null || i.upper === null ? '—' : `${num(i.lower, 2)}–${num(i.upper, 2)}`) },
          { key: 'se', header: t('colSe'), numeric: true, render: (i) => f(i.se, 2) },
          { key: 'n', header: t('colN'), numeric: true, render: (i) => count(i.n) },
        ]}
      />
    </section>
  );
}

function Diagnostics({ run }: { run: RunDetail }) {
  const { t, num, count } = useAdminText();
  const d = run.diagnostics;
  // Weights are expansion weights (people per respondent) or factors near 1: decimals only for the latter.
  const weight = (w: number) => (Math.abs(w) >= 100 ? count(w) : num(w, 2));
  return (
    <section className="admin-card" aria-labelledby="diag-title">
      <h2 id="diag-title">{t('diagnosticsTitle')}</h2>
      <dl className="admin-facts">
        <div><dt>{t('diagConvergence')}</dt><dd className={d.converged ? undefined : 'admin-bad'}>{d.converged ? t('diagConverged', { n: d.iterations }) : t('diagNotConverged', { n: d.iterations })}</dd></div>
        <div><dt>{t('diagMaxError')}</dt><dd>{d.maxMarginError.toExponential(1)}</dd></div>
        <div><dt>{t('diagKish')}</dt><dd>{count(Math.round(d.kishN))}</dd></div>
        <div><dt>{t('diagDeff')}</dt><dd>{num(d.designEffect, 2)}</dd></div>
        <div><dt>{t('diagWeights')}</dt><dd>{weight(d.weightMin)} – {weight(d.weightMax)}</dd></div>
        <div><dt>{t('diagMerged')}</dt><dd>{d.merged.length === 0 ? t('none') : count(d.merged.length)}</dd></div>
        <div><dt>{t('diagOptions')}</dt><dd>{t('diagOptionsText', { min: run.options.minCellSize, bounds: run.options.bounds ? `${num(run.options.bounds[0], 1)}–${num(run.options.bounds[1], 1)}` : t('none') })}</dd></div>
      </dl>
      {d.merged.length > 0 && (
        <ul className="admin-merged">
          {d.merged.map((m, i) => <li key={i} className="admin-mono">{describeMerge(m)}</li>)}
        </ul>
      )}
    </section>
  );
}

/** A merge as the run records it ({ margin, from: [...], into } or similar), shown compactly. */
function describeMerge(m: unknown): string {
  if (typeof m !== 'object' || m === null) return String(m);
  const o = m as Record<string, unknown>;
  const margin = typeof o.margin === 'string' ? `${o.margin}: ` : '';
  const list = (v: unknown) => (Array.isArray(v) ? v.join(' + ') : typeof v === 'string' ? v : '');
  const from = list(o.from) || list(o.members) || list(o.levels);
  const into = typeof o.into === 'string' ? ` → ${o.into}` : typeof o.level === 'string' ? ` → ${o.level}` : '';
  return from ? `${margin}${from}${into}` : JSON.stringify(m);
}

function Exclusions({ run }: { run: RunDetail }) {
  const { t, count } = useAdminText();
  const e = run.exclusions;
  return (
    <section className="admin-card" aria-labelledby="excl-title">
      <h2 id="excl-title">{t('exclusionsTitle')}</h2>
      <p>{t('exclusionsLine', { completes: count(e.completes), used: count(e.used), excluded: count(e.excluded), overruled: count(e.overruled) })}</p>
      <ul>
        {Object.entries(e.excludedBy).map(([flag, n]) => <li key={flag}>{t(flagKey(flag))}: {count(n)}{run.options.exclude.includes(flag as never) ? '' : ` (${t('notExcluded')})`}</li>)}
      </ul>
    </section>
  );
}

function levelName(margin: string, level: string, text: AdminText): string {
  if (margin === 'region') {
    const r = REGIONS.find((x) => x.code === level);
    if (r) return text.pick(r.name);
  }
  if (margin === 'sex' && (level === 'm' || level === 'f')) return text.t(level === 'm' ? 'sexMale' : 'sexFemale');
  return level;
}

function MarginCells({ run }: { run: RunDetail }) {
  const text = useAdminText();
  const { t, percent, count, num } = text;
  return (
    <section className="admin-card" aria-labelledby="cells-title">
      <h2 id="cells-title">{t('marginCellsTitle')}</h2>
      <DataTable
        caption={t('marginCellsCaption')}
        rows={run.marginCells}
        rowKey={(c) => `${c.margin}|${c.level}`}
        columns={[
          { key: 'margin', header: t('colMargin'), render: (c) => c.margin },
          { key: 'level', header: t('colLevel'), render: (c) => <>{levelName(c.margin, c.level, text)}{c.members.length > 1 && <span className="admin-hint"> ({t('mergedFrom', { members: c.members.join(' + ') })})</span>}</> },
          { key: 'n', header: t('colN'), numeric: true, render: (c) => count(c.n) },
          { key: 'pop', header: t('colPopulationShare'), numeric: true, render: (c) => percent(c.populationShare) },
          { key: 'w', header: t('colWeightedShare'), numeric: true, render: (c) => percent(c.weightedShare) },
          { key: 'gap', header: t('colShareGap'), numeric: true, render: (c) => {
            const gap = c.weightedShare - c.populationShare;
            // A gap that rounds to zero is shown as 0.00, not −0.00.
            return <span className={Math.abs(gap) > SHARE_GAP_MARK ? 'admin-bad' : undefined}>{Math.abs(gap * 100) < 0.005 ? num(0, 2) : num(gap * 100, 2)}</span>;
          } },
        ]}
      />
    </section>
  );
}

function Domains({ run }: { run: RunDetail }) {
  const text = useAdminText();
  const { t, num, count } = text;
  const [by, setBy] = useState(run.domains[0]?.by ?? 'region');
  const bys = [...new Set(run.domains.map((d) => d.by))];
  const rows = run.domains.filter((d) => d.by === by);
  return (
    <section className="admin-card" aria-labelledby="dom-title">
      <h2 id="dom-title">{t('domainsTitle')}</h2>
      <div className="admin-field admin-field--inline">
        <label htmlFor="dom-by">{t('fieldBreakdown')}</label>
        <select id="dom-by" value={by} onChange={(e) => setBy(e.target.value)}>
          {bys.map((b) => <option key={b} value={b}>{b}</option>)}
        </select>
      </div>
      <DataTable
        caption={t('domainsCaption', { by })}
        rows={rows}
        rowKey={(d) => `${d.indicator}|${d.level}`}
        columns={[
          { key: 'ind', header: t('colIndicator'), render: (d) => t(`indicator_${d.indicator}`) },
          { key: 'level', header: t('colLevel'), render: (d) => levelName(d.by, d.level, text) },
          { key: 'n', header: t('colN'), numeric: true, render: (d) => count(d.n) },
          { key: 'est', header: t('colEstimate'), numeric: true, render: (d) => (d.suppressed ? t('suppressed') : d.estimate === null ? '—' : num(d.estimate, 1)) },
          { key: 'ci', header: t('colCi'), numeric: true, render: (d) => (d.suppressed || d.lower === null || d.upper === null ? '—' : `${num(d.lower, 2)}–${num(d.upper, 2)}`) },
        ]}
      />
    </section>
  );
}
