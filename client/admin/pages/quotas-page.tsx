// Quotas of a wave over region × sex × age band: each cell's target (edited here or imported as
// CSV `region,sex,age_band,target`), its live fill, and an overshoot imported interviews caused.
import { useMemo, useState, type FormEvent } from 'react';
import { putQuotasBody, type PutQuotasBody, type QuotaState } from '../../../contract/admin-api';
import { setQuery, useSearch } from '../../router';
import { useAdminText } from '../admin-text';
import { getQuotas, importQuotas, putQuotas } from '../endpoints';
import { useSubmit } from '../forms';
import { AGE_BANDS, REGIONS, SEXES } from '../regions';
import { useSession } from '../session';
import { AdminPage, ErrorNotice, Loading, StatusLine } from '../ui';
import { useQuery } from '../use-query';
import { defaultWave, useWaves, WavePicker, WavesState } from './wave-picker';
import { LIVE_REFRESH_MS } from './waves-page';

type Cell = QuotaState['cells'][number];
const keyOf = (region: string, sex: string, ageBand: string) => `${region}|${sex}|${ageBand}`;

export function QuotasPage() {
  const { t } = useAdminText();
  const waves = useWaves();
  const wanted = new URLSearchParams(useSearch()).get('wave') ?? '';
  const items = waves.state === 'ready' ? waves.data.items : [];
  const wave = items.find((w) => String(w.id) === wanted) ?? defaultWave(items);
  return (
    <AdminPage title={t('quotasTitle')}>
      <p>{t('quotasLead')}</p>
      <WavesState waves={waves} />
      {waves.state === 'ready' && wave === null && <p>{t('wavesEmpty')}</p>}
      {wave && (
        <>
          <WavePicker waves={items} value={String(wave.id)} onChange={(id) => setQuery(new URLSearchParams({ wave: id }))} />
          <QuotaGrid key={wave.id} waveId={wave.id} />
        </>
      )}
    </AdminPage>
  );
}

function QuotaGrid({ waveId }: { waveId: number }) {
  const text = useAdminText();
  const { t, count, pick } = text;
  const { canChange } = useSession();
  const state = useQuery(`quotas:${waveId}`, (signal) => getQuotas(waveId, signal), { refreshMs: LIVE_REFRESH_MS });
  const cells = useMemo(() => new Map<string, Cell>((state.state === 'ready' ? state.data.cells : []).map((c) => [keyOf(c.region, c.sex, c.ageBand), c])), [state]);
  // The targets being edited (text, so a half-typed number is kept); the server's until the first edit.
  const [edited, setDraft] = useState<Record<string, string> | null>(null);
  const serverTargets = useMemo(() => Object.fromEntries([...cells.values()].map((c) => [keyOf(c.region, c.sex, c.ageBand), String(c.target)])), [cells]);
  const draft = edited ?? serverTargets;
  const [saved, setSaved] = useState(false);
  const { submit, run, problems } = useSubmit(text);

  // Regions: the questionnaire's, plus any other code a quota names.
  const regions = useMemo(() => {
    const known = REGIONS.map((r) => ({ code: r.code, name: pick(r.name) }));
    for (const c of cells.values()) if (!known.some((r) => r.code === c.region)) known.push({ code: c.region, name: c.region });
    return known;
  }, [cells, pick]);
  const columns = SEXES.flatMap((sex) => AGE_BANDS.map((band) => ({ sex, band })));

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const list = Object.entries(draft)
      .filter(([, v]) => v.trim() !== '')
      .map(([key, v]) => {
        const [region, sex, ageBand] = key.split('|');
        return { region, sex, ageBand, target: Number(v.trim()) };
      });
    const result = await run<PutQuotasBody, QuotaState>(putQuotasBody, { cells: list }, (body) => putQuotas(waveId, body));
    if (result) {
      setSaved(true);
      setDraft(null);
      state.reload();
    }
  }

  if (state.state === 'loading') return <Loading />;
  if (state.state === 'error') return <ErrorNotice error={state.error} onRetry={state.reload} />;
  const totalTarget = state.data.cells.reduce((s, c) => s + c.target, 0);
  const totalFilled = state.data.cells.reduce((s, c) => s + c.filled, 0);
  const overshoots = state.data.cells.filter((c) => c.overshoot > 0);
  return (
    <form onSubmit={onSave} noValidate>
      <p>{t('quotaTotals', { filled: count(totalFilled), target: count(totalTarget), cells: count(state.data.cells.length) })}</p>
      {overshoots.length > 0 && <p className="admin-warning">{t('quotaOvershoots', { n: overshoots.length })}</p>}
      <div className="admin-table-wrap" role="region" aria-label={t('quotaGridCaption')} tabIndex={0}>
        <table className="admin-table admin-quota">
          <caption>{t('quotaGridCaption')}</caption>
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>{t('colRegion')}</th>
              {SEXES.map((sex) => (
                <th key={sex} scope="colgroup" colSpan={AGE_BANDS.length}>{t(sex === 'm' ? 'sexMale' : 'sexFemale')}</th>
              ))}
            </tr>
            <tr>
              {columns.map(({ sex, band }) => (
                <th key={`${sex}${band}`} scope="col">{band}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {regions.map((region) => (
              <tr key={region.code}>
                <th scope="row">{region.name}</th>
                {columns.map(({ sex, band }) => {
                  const key = keyOf(region.code, sex, band);
                  const cell = cells.get(key);
                  const label = t('quotaCellLabel', { region: region.name, sex: t(sex === 'm' ? 'sexMale' : 'sexFemale'), band });
                  return (
                    <td key={key} className={cell && cell.overshoot > 0 ? 'num admin-quota--over' : cell && cell.filled >= cell.target && cell.target > 0 ? 'num admin-quota--full' : 'num'}>
                      {canChange ? (
                        <input
                          className="admin-quota__input"
                          inputMode="numeric"
                          aria-label={label}
                          value={draft[key] ?? ''}
                          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
                        />
                      ) : null}
                      <span className="admin-quota__fill">
                        {cell ? t('quotaFill', { filled: count(cell.filled), target: count(cell.target) }) : canChange ? '' : '—'}
                        {cell && cell.overshoot > 0 ? ` ${t('quotaOver', { n: count(cell.overshoot) })}` : ''}
                      </span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {submit.state === 'invalid' && <ErrorNotice error={null} problems={problems.map((p) => ({ ...p, path: describeCellPath(p.path, draft) }))} />}
      {submit.state === 'failed' && <ErrorNotice error={submit.error} problems={problems} />}
      {saved && <StatusLine>{t('quotasSaved')}</StatusLine>}
      {canChange && (
        <>
          <button type="submit" className="admin-button" disabled={submit.state === 'sending'}>{t('saveQuotas')}</button>
          <QuotaImport waveId={waveId} onImported={() => { setDraft(null); state.reload(); }} />
        </>
      )}
    </form>
  );
}

/** 'cells.3.target' → the cell's region, sex and band, so the problem names the cell. */
function describeCellPath(path: string, draft: Record<string, string>): string {
  const m = /^cells\.(\d+)/.exec(path);
  if (!m) return path;
  const key = Object.entries(draft).filter(([, v]) => v.trim() !== '')[Number(m[1])]?.[0];
  return key ? key.split('|').join(' · ') : path;
}

function QuotaImport({ waveId, onImported }: { waveId: number; onImported: () => void }) {
  const { t } = useAdminText();
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<{ s: 'idle' } | { s: 'sending' } | { s: 'done' } | { s: 'failed'; error: unknown }>({ s: 'idle' });
  async function onImport() {
    if (!file) return;
    setState({ s: 'sending' });
    try {
      await importQuotas(waveId, file);
      setState({ s: 'done' });
      onImported();
    } catch (error) {
      setState({ s: 'failed', error });
    }
  }
  return (
    <div className="admin-card">
      <h2>{t('quotaImportTitle')}</h2>
      <p className="admin-hint" id="quota-file-hint">{t('quotaImportHint')}</p>
      <div className="admin-field">
        <label htmlFor="quota-file">{t('fieldCsvFile')}</label>
        <input id="quota-file" type="file" accept=".csv,text/csv" aria-describedby="quota-file-hint" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <button type="button" className="admin-button admin-button--secondary" disabled={!file || state.s === 'sending'} onClick={onImport}>
        {t('importQuotas')}
      </button>
      {state.s === 'done' && <StatusLine>{t('quotasImported')}</StatusLine>}
      {state.s === 'failed' && <ErrorNotice error={state.error} />}
    </div>
  );
}
