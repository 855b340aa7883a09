// Responses: a server-paginated table (filters wave, status, mode, region, flag; newest or oldest
// first), all of it in the URL so a filtered view can be shared. Nothing loads a whole wave.
import { QUALITY_FLAGS, RESPONSE_MODES, RESPONSE_STATUSES, type FlagsRun, type ResponseSummary } from '../../../contract/admin-api';
import { followLink } from '../../router';
import { formatDateTime, useAdminText, type AdminMessageKey } from '../admin-text';
import { adminHref } from '../admin-routes';
import { DataTable } from '../data-table';
import { listResponses } from '../endpoints';
import { REGIONS } from '../regions';
import { AdminPage, ErrorNotice, Loading } from '../ui';
import { useList } from '../use-list';
import { defaultWave, useWaves, WavesState } from './wave-picker';
import { waveName } from './waves-page';

const FILTERS = ['wave', 'status', 'mode', 'region', 'flag', 'sort'] as const;

export const statusKey = (s: ResponseSummary['status']): AdminMessageKey => `status_${s}`;
export const flagKey = (f: string): AdminMessageKey => (f === 'overruled' ? 'flag_overruled' : (`flag_${f}` as AdminMessageKey));

export function ResponsesPage() {
  const text = useAdminText();
  const { t, pick } = text;
  const waves = useWaves();
  // The API lists one wave's responses at a time: without ?wave=, the open (or newest) wave.
  const fallback = waves.state === 'ready' ? defaultWave(waves.data.items) : null;
  const list = useList(FILTERS, listResponses, { defaults: fallback ? { wave: String(fallback.id) } : null });
  const f: Record<string, string> = { ...(fallback ? { wave: String(fallback.id) } : {}), ...list.query.filters };
  const regionName = (code: string | null) => (code === null ? '—' : (REGIONS.find((r) => r.code === code) ? pick(REGIONS.find((r) => r.code === code)!.name) : code));

  const select = (key: (typeof FILTERS)[number], label: string, options: { value: string; label: string }[], all: string | null) => (
    <div className="admin-field admin-field--inline">
      <label htmlFor={`filter-${key}`}>{label}</label>
      <select id={`filter-${key}`} value={f[key] ?? ''} onChange={(e) => list.setFilter(key, e.target.value)}>
        {all !== null && <option value="">{all}</option>}
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </div>
  );

  return (
    <AdminPage title={t('responsesTitle')}>
      <div className="admin-filters" role="group" aria-label={t('filtersLabel')}>
        {select('wave', t('fieldWave'), waves.state === 'ready' ? waves.data.items.map((w) => ({ value: String(w.id), label: waveName(w, pick) })) : [], null)}
        {select('status', t('colStatus'), RESPONSE_STATUSES.map((s) => ({ value: s, label: t(statusKey(s)) })), t('any'))}
        {select('mode', t('colMode'), RESPONSE_MODES.map((m) => ({ value: m, label: t(`mode_${m}`) })), t('any'))}
        {select('region', t('colRegion'), REGIONS.map((r) => ({ value: r.code, label: pick(r.name) })), t('any'))}
        {select('flag', t('colFlags'), [...QUALITY_FLAGS, 'overruled'].map((fl) => ({ value: fl, label: t(flagKey(fl)) })), t('any'))}
        <div className="admin-field admin-field--inline">
          <label htmlFor="filter-sort">{t('sortLabel')}</label>
          <select id="filter-sort" value={f.sort ?? 'newest'} onChange={(e) => list.setFilter('sort', e.target.value === 'newest' ? '' : e.target.value)}>
            <option value="newest">{t('sortNewest')}</option>
            <option value="oldest">{t('sortOldest')}</option>
          </select>
        </div>
      </div>
      <WavesState waves={waves} />
      {waves.state === 'ready' && fallback === null && <p>{t('wavesEmpty')}</p>}
      {list.loaded.state === 'loading' && fallback !== null && <Loading />}
      {list.loaded.state === 'error' && <ErrorNotice error={list.loaded.error} onRetry={list.loaded.reload} />}
      {list.loaded.state === 'ready' && <FlagsAsOf run={list.loaded.data.flagsRun} />}
      {list.loaded.state === 'ready' && (
        <DataTable
          caption={t('responsesCaption')}
          rows={list.loaded.data.items}
          rowKey={(r) => r.id}
          empty={t('responsesEmpty')}
          pager={list.pager}
          columns={[
            { key: 'id', header: t('colResponse'), render: (r) => <a href={adminHref(`responses/${encodeURIComponent(r.id)}`)} onClick={followLink}>{r.id.slice(0, 8)}</a> },
            { key: 'updated', header: t('colUpdated'), render: (r) => formatDateTime(r.updatedAt) },
            { key: 'status', header: t('colStatus'), render: (r) => t(statusKey(r.status)) },
            { key: 'mode', header: t('colMode'), render: (r) => t(`mode_${r.mode}`) },
            { key: 'region', header: t('colRegion'), render: (r) => regionName(r.region) },
            { key: 'wave', header: t('colWave'), numeric: true, render: (r) => String(r.waveId) },
            { key: 'flags', header: t('colFlags'), render: (r) => (r.flags.length ? r.flags.map((fl) => t(flagKey(fl))).join(', ') : '—') },
          ]}
        />
      )}
    </AdminPage>
  );
}

/** Which run the run-time flags come from (docs/decisions/024), or that no run has computed them yet. */
export function FlagsAsOf({ run }: { run: FlagsRun }) {
  const { t } = useAdminText();
  // The flags' own names, so the sentence uses the words of the filter and the table.
  const names = { speeder: t('flag_speeder'), straightliner: t('flag_straightliner'), incomplete: t('flag_incomplete') };
  return (
    <p className="admin-hint" data-testid="flags-as-of">
      {run === null ? t('flagsNoRun', names) : (
        <>
          {t('flagsAsOfRun', { ...names, run: run.runId, at: formatDateTime(run.createdAt) })}{' '}
          <a href={adminHref(`runs/${run.runId}`)} onClick={followLink}>{t('flagsRunLink', { run: run.runId })}</a>
        </>
      )}
    </p>
  );
}
