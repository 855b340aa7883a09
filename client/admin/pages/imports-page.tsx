// Imports and frames: field interviews (CSV) into a wave, and population frames (CSV or XLSX),
// with the same validation as the commands: all or nothing, and when refused, every row at fault
// with its column and reason. Upload progress is shown (files up to 64 MB).
import { useState, type FormEvent } from 'react';
import { frameUploadQuery, MAX_UPLOAD_BYTES, type FrameUploadQuery, type ImportSummary } from '../../../contract/admin-api';
import { setQuery, useSearch } from '../../router';
import { formatDateTime, useAdminText } from '../admin-text';
import { ApiError } from '../api';
import { DataTable } from '../data-table';
import { importResponses, listFrames, uploadFrame } from '../endpoints';
import { validate } from '../forms';
import type { FieldProblem } from '../errors';
import { useSession } from '../session';
import { AdminPage, ErrorNotice, Field, fieldAria, Loading, problemFor, StatusLine } from '../ui';
import { useQuery } from '../use-query';
import { defaultWave, useWaves, WavePicker, WavesState } from './wave-picker';

type Upload<T> = { s: 'idle' } | { s: 'sending'; progress: number | null } | { s: 'done'; result: T } | { s: 'failed'; error: unknown };

/** The rows an all-or-nothing import refused (422 invalid_import details), or null. */
export function importErrors(err: unknown): { errors: { line: number | null; column: string | null; reason: string }[]; total: number } | null {
  if (!(err instanceof ApiError) || typeof err.details !== 'object' || err.details === null) return null;
  const d = err.details as { errors?: unknown; total?: unknown };
  if (!Array.isArray(d.errors)) return null;
  const errors = d.errors.map((e: { line?: unknown; column?: unknown; reason?: unknown; message?: unknown }) => ({
    line: typeof e.line === 'number' ? e.line : null,
    column: typeof e.column === 'string' ? e.column : null,
    reason: String(e.reason ?? e.message ?? ''),
  }));
  return { errors, total: typeof d.total === 'number' ? d.total : errors.length };
}

function UploadState<T>({ upload, done }: { upload: Upload<T>; done: (result: T) => string }) {
  const { t, percent, count } = useAdminText();
  if (upload.s === 'sending')
    return (
      <div role="status">
        <label htmlFor="upload-progress">{upload.progress === null || upload.progress >= 1 ? t('uploadChecking') : t('uploadSending', { p: percent(upload.progress) })}</label>
        <progress id="upload-progress" max={1} value={upload.progress === null || upload.progress >= 1 ? undefined : upload.progress} />
      </div>
    );
  if (upload.s === 'done') return <StatusLine>{done(upload.result)}</StatusLine>;
  if (upload.s === 'failed') {
    const report = importErrors(upload.error);
    return (
      <>
        <ErrorNotice error={upload.error} />
        {report && (
          <DataTable
            caption={t('importRefused', { n: count(report.total) })}
            rows={report.errors.map((e, i) => ({ ...e, i }))}
            rowKey={(e) => String(e.i)}
            columns={[
              { key: 'line', header: t('colLine'), numeric: true, render: (e) => (e.line === null ? '—' : count(e.line)) },
              { key: 'column', header: t('colColumn'), render: (e) => e.column ?? '—' },
              { key: 'reason', header: t('colReason'), render: (e) => e.reason },
            ]}
          />
        )}
      </>
    );
  }
  return null;
}

export function ImportsPage() {
  const { t } = useAdminText();
  const { canChange } = useSession();
  return (
    <AdminPage title={t('importsTitle')}>
      {canChange ? <InterviewImport /> : <p>{t('viewerReadOnly')}</p>}
      <Frames />
    </AdminPage>
  );
}

function tooBig(file: File | null): boolean {
  return file !== null && file.size > MAX_UPLOAD_BYTES;
}

function InterviewImport() {
  const { t, count } = useAdminText();
  const waves = useWaves();
  const wanted = new URLSearchParams(useSearch()).get('wave') ?? '';
  const items = waves.state === 'ready' ? waves.data.items : [];
  const wave = items.find((w) => String(w.id) === wanted) ?? defaultWave(items);
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<Upload<ImportSummary>>({ s: 'idle' });
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!file || !wave || tooBig(file)) return;
    setUpload({ s: 'sending', progress: 0 });
    try {
      const result = await importResponses(wave.id, file, (progress) => setUpload({ s: 'sending', progress }));
      setUpload({ s: 'done', result });
    } catch (error) {
      setUpload({ s: 'failed', error });
    }
  }
  return (
    <form className="admin-form admin-card" onSubmit={onSubmit} noValidate aria-labelledby="imp-title">
      <h2 id="imp-title">{t('importInterviewsTitle')}</h2>
      <p>{t('importInterviewsLead')}</p>
      <WavesState waves={waves} />
      {wave && <WavePicker id="import-wave" waves={items} value={String(wave.id)} onChange={(id) => setQuery(new URLSearchParams({ wave: id }))} />}
      <Field id="imp-file" label={t('fieldCsvFile')} problem={tooBig(file) ? t('fileTooBig', { mb: MAX_UPLOAD_BYTES / 1024 / 1024 }) : undefined}>
        <input id="imp-file" type="file" accept=".csv,text/csv" onChange={(e) => { setFile(e.target.files?.[0] ?? null); setUpload({ s: 'idle' }); }} {...fieldAria('imp-file', false, tooBig(file) ? 'x' : undefined)} />
      </Field>
      <button type="submit" className="admin-button" disabled={!file || !wave || upload.s === 'sending'}>{t('importInterviews')}</button>
      <UploadState upload={upload} done={(r) => t('importDone', { rows: count(r.rows), inserted: count(r.inserted), unchanged: count(r.unchanged), screened: count(r.screenedOut) })} />
    </form>
  );
}

function Frames() {
  const text = useAdminText();
  const { t, count } = text;
  const { canChange } = useSession();
  const frames = useQuery('frames', listFrames);
  const [fields, setFields] = useState({ name: '', source: '', referenceDate: '', illustrative: false });
  const [file, setFile] = useState<File | null>(null);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [upload, setUpload] = useState<Upload<{ frame: { name: string; margins: number } }>>({ s: 'idle' });
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const checked = validate<FrameUploadQuery>(text, frameUploadQuery, { ...fields, illustrative: fields.illustrative ? 'true' : 'false' });
    const fileProblem = !file ? [{ path: 'file', message: t('issueRequired') }] : tooBig(file) ? [{ path: 'file', message: t('fileTooBig', { mb: MAX_UPLOAD_BYTES / 1024 / 1024 }) }] : [];
    setProblems([...(checked.ok ? [] : checked.problems), ...fileProblem]);
    if (!checked.ok || !file || fileProblem.length) return;
    setUpload({ s: 'sending', progress: 0 });
    try {
      const result = await uploadFrame(checked.data, file, (progress) => setUpload({ s: 'sending', progress }));
      setUpload({ s: 'done', result });
      frames.reload();
    } catch (error) {
      setUpload({ s: 'failed', error });
    }
  }
  const p = (k: string) => problemFor(problems, k);
  return (
    <section className="admin-card" aria-labelledby="frames-title">
      <h2 id="frames-title">{t('framesTitle')}</h2>
      {frames.state === 'loading' && <Loading />}
      {frames.state === 'error' && <ErrorNotice error={frames.error} onRetry={frames.reload} />}
      {frames.state === 'ready' && (
        <DataTable
          caption={t('framesCaption')}
          rows={frames.data.items}
          rowKey={(f) => String(f.id)}
          empty={t('framesEmpty')}
          columns={[
            { key: 'name', header: t('colName'), render: (f) => <>{f.name}{f.illustrative && <span className="admin-badge">{t('illustrative')}</span>}</> },
            { key: 'source', header: t('colSource'), render: (f) => f.source },
            { key: 'date', header: t('colReferenceDate'), render: (f) => f.referenceDate },
            { key: 'margins', header: t('colMargins'), numeric: true, render: (f) => count(f.margins) },
            { key: 'created', header: t('colCreated'), render: (f) => `${formatDateTime(f.createdAt)} · ${f.createdBy}` },
          ]}
        />
      )}
      {canChange && (
        <form className="admin-form" onSubmit={onSubmit} noValidate aria-labelledby="frame-up-title">
          <h3 id="frame-up-title">{t('frameUploadTitle')}</h3>
          <p className="admin-hint">{t('frameUploadLead')}</p>
          <Field id="fr-name" label={t('fieldFrameName')} hint={t('fieldFrameNameHint')} problem={p('name')}>
            <input id="fr-name" value={fields.name} onChange={(e) => setFields({ ...fields, name: e.target.value })} {...fieldAria('fr-name', true, p('name'))} />
          </Field>
          <Field id="fr-source" label={t('fieldSource')} problem={p('source')}>
            <input id="fr-source" value={fields.source} onChange={(e) => setFields({ ...fields, source: e.target.value })} {...fieldAria('fr-source', false, p('source'))} />
          </Field>
          <Field id="fr-date" label={t('fieldReferenceDate')} problem={p('referenceDate')}>
            <input id="fr-date" type="date" value={fields.referenceDate} onChange={(e) => setFields({ ...fields, referenceDate: e.target.value })} {...fieldAria('fr-date', false, p('referenceDate'))} />
          </Field>
          <div className="admin-check">
            <input id="fr-ill" type="checkbox" checked={fields.illustrative} onChange={(e) => setFields({ ...fields, illustrative: e.target.checked })} />
            <label htmlFor="fr-ill">{t('fieldIllustrative')}</label>
          </div>
          <Field id="fr-file" label={t('fieldFrameFile')} problem={p('file')}>
            <input id="fr-file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => { setFile(e.target.files?.[0] ?? null); setUpload({ s: 'idle' }); }} {...fieldAria('fr-file', false, p('file'))} />
          </Field>
          <button type="submit" className="admin-button" disabled={upload.s === 'sending'}>{t('uploadFrame')}</button>
          <UploadState upload={upload} done={(r) => t('frameDone', { name: r.frame.name, margins: count(r.frame.margins) })} />
        </form>
      )}
    </section>
  );
}
