// Runs: compute a run (wave × frame; the server works in the background and reports progress, so
// the page can be left and the job is still shown on return), the jobs in progress, and every run,
// paginated, with its publication state.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { computeRunBody, JOB_STAGES, QUALITY_FLAGS, type ComputeRunBody, type Job, type JobStage } from '../../../contract/admin-api';
import { followLink, navigate } from '../../router';
import { formatDateTime, useAdminText } from '../admin-text';
import { adminHref } from '../admin-routes';
import { DataTable } from '../data-table';
import { computeRun, getJob, listFrames, listJobs, listRuns } from '../endpoints';
import { useSubmit } from '../forms';
import { useSession } from '../session';
import { AdminPage, ErrorNotice, Field, fieldAria, Loading, problemFor } from '../ui';
import { useList } from '../use-list';
import { useQuery } from '../use-query';
import { flagKey } from './responses-page';
import { defaultWave, useWaves } from './wave-picker';
import { waveName } from './waves-page';

const JOB_POLL_MS = 1500;

export function RunsPage() {
  const { t, count } = useAdminText();
  const { canChange } = useSession();
  const runs = useList(['wave'], listRuns, { limit: 25 });
  const jobs = useQuery('jobs', listJobs, { refreshMs: JOB_POLL_MS });
  const active = jobs.state === 'ready' ? jobs.data.items.filter((j) => j.status === 'queued' || j.status === 'running') : [];
  const recent = jobs.state === 'ready' ? jobs.data.items.filter((j) => j.status === 'failed').slice(0, 3) : [];
  // A job that finished while the page was open adds a run: read the list again.
  const activeCount = useRef(0);
  const reloadRuns = runs.loaded.reload;
  useEffect(() => {
    if (active.length < activeCount.current) reloadRuns();
    activeCount.current = active.length;
  }, [active.length, reloadRuns]);
  return (
    <AdminPage title={t('runsTitle')}>
      {canChange && <ComputeForm onStarted={jobs.reload} />}
      {(active.length > 0 || recent.length > 0) && (
        <section className="admin-card" aria-labelledby="jobs-title">
          <h2 id="jobs-title">{t('jobsTitle')}</h2>
          <ul className="admin-jobs">
            {[...active, ...recent].map((job) => <JobLine key={job.id} job={job} />)}
          </ul>
        </section>
      )}
      {runs.loaded.state === 'loading' && <Loading />}
      {runs.loaded.state === 'error' && <ErrorNotice error={runs.loaded.error} onRetry={runs.loaded.reload} />}
      {runs.loaded.state === 'ready' && (
        <DataTable
          caption={t('runsCaption')}
          rows={runs.loaded.data.items}
          rowKey={(r) => String(r.id)}
          empty={t('runsEmpty')}
          pager={runs.pager}
          columns={[
            { key: 'id', header: t('colRun'), render: (r) => <a href={adminHref(`runs/${r.id}`)} onClick={followLink}>{t('runName', { id: r.id })}</a> },
            { key: 'period', header: t('colPeriod'), render: (r) => r.period ?? '—' },
            { key: 'frame', header: t('colFrame'), render: (r) => r.frameName },
            { key: 'used', header: t('colUsed'), numeric: true, render: (r) => t('usedOf', { used: count(r.used), total: count(r.completes) }) },
            { key: 'state', header: t('colPublication'), render: (r) => (r.published ? <span className="admin-badge admin-badge--open">{t('published')}</span> : r.everPublished ? t('withdrawnOrReplaced') : t('draft')) },
            { key: 'created', header: t('colCreated'), render: (r) => `${formatDateTime(r.createdAt)} · ${r.createdBy}` },
          ]}
        />
      )}
    </AdminPage>
  );
}

function JobLine({ job }: { job: Job }) {
  const { t, percent } = useAdminText();
  // The server's stages (JOB_STAGES) said in the page language; one it does not know yet as "working".
  const stageText = (j: Job) => (j.status === 'queued' ? t('jobQueued')
    : (JOB_STAGES as readonly string[]).includes(j.stage ?? '') ? t(`jobStage_${j.stage as JobStage}`) : t('jobWorking'));
  if (job.status === 'failed')
    return (
      <li className="admin-error">
        {t('jobFailed', { id: job.id, wave: job.waveId })}: {job.error?.message}
      </li>
    );
  return (
    <li>
      <label htmlFor={`job-${job.id}`}>
        {t('jobRunning', { id: job.id, wave: job.waveId, stage: stageText(job) })}
        {job.progress !== null ? ` · ${percent(job.progress)}` : ''}
      </label>
      <progress id={`job-${job.id}`} max={1} value={job.progress ?? undefined} />
    </li>
  );
}

function ComputeForm({ onStarted }: { onStarted: () => void }) {
  const text = useAdminText();
  const { t, pick } = text;
  const waves = useWaves();
  const frames = useQuery('frames', listFrames);
  const [waveId, setWaveId] = useState('');
  const [frameId, setFrameId] = useState('');
  const [minCellSize, setMinCellSize] = useState('20');
  const [exclude, setExclude] = useState<string[]>([...QUALITY_FLAGS]);
  const [job, setJob] = useState<Job | null>(null);
  const { submit, run, problems } = useSubmit(text);
  const waveItems = waves.state === 'ready' ? waves.data.items : [];
  const frameItems = frames.state === 'ready' ? frames.data.items : [];
  const chosenWave = waveId || String(defaultWave(waveItems)?.id ?? '');
  const chosenFrame = frameId || String(frameItems[0]?.id ?? '');
  // The job of this form, followed until it finishes, then its review opens.
  const followed = useQuery(job ? `job:${job.id}` : null, (signal) => getJob(job!.id, signal), { refreshMs: JOB_POLL_MS });
  const finishedRun = followed.state === 'ready' && followed.data.status === 'done' ? followed.data.runId : null;
  useEffect(() => {
    if (finishedRun !== null) navigate(adminHref(`runs/${finishedRun}`));
  }, [finishedRun]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const body = { waveId: Number(chosenWave), frameId: Number(chosenFrame), minCellSize: Number(minCellSize), exclude };
    const started = await run<ComputeRunBody, Job>(computeRunBody, body, computeRun);
    if (started) {
      setJob(started);
      onStarted();
    }
  }
  const minProblem = problemFor(problems, 'minCellSize');
  return (
    <form className="admin-form admin-card" onSubmit={onSubmit} noValidate aria-labelledby="compute-title">
      <h2 id="compute-title">{t('computeTitle')}</h2>
      <p className="admin-hint">{t('computeLead')}</p>
      <div className="admin-field">
        <label htmlFor="compute-wave">{t('fieldWave')}</label>
        <select id="compute-wave" value={chosenWave} onChange={(e) => setWaveId(e.target.value)}>
          {waveItems.map((w) => <option key={w.id} value={String(w.id)}>{waveName(w, pick)}</option>)}
        </select>
      </div>
      <div className="admin-field">
        <label htmlFor="compute-frame">{t('fieldFrame')}</label>
        <select id="compute-frame" value={chosenFrame} onChange={(e) => setFrameId(e.target.value)}>
          {frameItems.map((f) => <option key={f.id} value={String(f.id)}>{f.name}{f.illustrative ? ` (${t('illustrative')})` : ''}</option>)}
        </select>
      </div>
      <Field id="compute-min" label={t('fieldMinCellSize')} hint={t('fieldMinCellSizeHint')} problem={minProblem}>
        <input id="compute-min" inputMode="numeric" value={minCellSize} onChange={(e) => setMinCellSize(e.target.value)} {...fieldAria('compute-min', true, minProblem)} />
      </Field>
      <fieldset className="admin-fieldset">
        <legend>{t('fieldExclude')}</legend>
        {QUALITY_FLAGS.map((f) => (
          <div className="admin-check" key={f}>
            <input id={`ex-${f}`} type="checkbox" checked={exclude.includes(f)} onChange={(e) => setExclude(e.target.checked ? [...exclude, f] : exclude.filter((x) => x !== f))} />
            <label htmlFor={`ex-${f}`}>{t(flagKey(f))}</label>
          </div>
        ))}
      </fieldset>
      {(submit.state === 'failed' || submit.state === 'invalid') && <ErrorNotice error={submit.state === 'failed' ? submit.error : null} problems={problems} />}
      {followed.state === 'ready' && followed.data.status === 'failed' && <ErrorNotice error={null} problems={[{ path: '', message: followed.data.error?.message ?? '' }]} />}
      {job && followed.state === 'ready' && (followed.data.status === 'queued' || followed.data.status === 'running') && (
        <p role="status">{t('computeStarted')}</p>
      )}
      <button type="submit" className="admin-button" disabled={submit.state === 'sending' || !chosenWave || !chosenFrame}>{t('compute')}</button>
    </form>
  );
}
