// The wave a page is about, chosen in a select and kept in the URL (?wave=3); without one, the open
// wave (or the newest).
import type { Wave } from '../../../contract/admin-api';
import { useAdminText } from '../admin-text';
import { listWaves } from '../endpoints';
import { ErrorNotice, Loading } from '../ui';
import { useQuery } from '../use-query';
import { waveName } from './waves-page';

export function useWaves() {
  return useQuery('waves', listWaves);
}

export function defaultWave(waves: Wave[]): Wave | null {
  return waves.find((w) => w.status === 'open') ?? [...waves].sort((a, b) => b.id - a.id)[0] ?? null;
}

export function WavePicker({ waves, value, onChange, id = 'wave-picker', allowAll = false }: { waves: Wave[]; value: string; onChange: (id: string) => void; id?: string; allowAll?: boolean }) {
  const { t, pick } = useAdminText();
  return (
    <div className="admin-field admin-field--inline">
      <label htmlFor={id}>{t('fieldWave')}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {allowAll && <option value="">{t('allWaves')}</option>}
        {waves.map((w) => (
          <option key={w.id} value={String(w.id)}>
            {waveName(w, pick)}
            {w.status === 'open' ? ` (${t('waveOpen')})` : ''}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Loading and error states of the wave list, or null when it is ready. */
export function WavesState({ waves }: { waves: ReturnType<typeof useWaves> }) {
  if (waves.state === 'loading') return <Loading />;
  if (waves.state === 'error') return <ErrorNotice error={waves.error} onRetry={waves.reload} />;
  return null;
}
