// `kelisim export --wave ID --format csv|xlsx|sav [--run N] [--lang kk|ru|en] [--status complete|all]
// [--labels] --out FILE`: a wave's microdata with its codebook and the quality flags (server/exports/);
// with --run, that run's final weight and exclusion per row (recomputed and checked against the run).
// `kelisim export --run N --format csv|xlsx [--lang kk|ru|en] --out FILE`: the run's results as tidy
// tables. Prints one line naming the files written. Exit 2 for bad usage, an unknown wave or run, or
// a run of another wave; 1 for data the format cannot hold or a run the database no longer matches.
import { RESULT_FORMATS, exportRunResults, type ResultFormat } from '../exports/run-results';
import { EXPORT_FORMATS, exportWave, type ExportFormat } from '../exports/service';
import { exportDatabaseOf } from '../exports/snapshot';
import { LANGS, type Lang } from '../exports/variables';
import { UsageError } from './database-command';
import { parseOptions, positiveInt, runDomainCommand, withConfiguredStore } from './domain-command';

const USAGE = 'usage: kelisim export --wave ID --format csv|xlsx|sav [--run N] [--lang kk|ru|en] [--status complete|all] [--labels] --out FILE'
  + ' | kelisim export --run N --format csv|xlsx [--lang kk|ru|en] --out FILE';

export async function run(argv: string[]): Promise<number> {
  return runDomainCommand('export', async () => {
    const { values, positionals } = parseOptions(argv, {
      wave: { type: 'string' }, format: { type: 'string' }, lang: { type: 'string' }, status: { type: 'string' },
      labels: { type: 'boolean' }, out: { type: 'string' }, run: { type: 'string' },
    }, USAGE);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}". ${USAGE}`);
    const lang = values.lang ?? 'kk';
    if (!(LANGS as readonly string[]).includes(lang)) throw new UsageError(`--lang must be one of ${LANGS.join(', ')}, got "${lang}"`);
    if (!values.out) throw new UsageError(`--out is required. ${USAGE}`);
    const out = values.out;
    const runId = values.run === undefined ? undefined : positiveInt('run', values.run);
    const format = values.format;

    if (values.wave === undefined && runId !== undefined) {
      // A run's results as tables.
      if (!format || !(RESULT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${RESULT_FORMATS.join(', ')} for a run's results, got "${format ?? ''}". ${USAGE}`);
      if (values.status !== undefined || values.labels !== undefined) throw new UsageError(`--status and --labels apply to a wave's microdata (--wave ID); a run's results have neither. ${USAGE}`);
      const s = await withConfiguredStore((store, db) => exportRunResults(exportDatabaseOf(store, db), { runId, format: format as ResultFormat, lang: lang as Lang, out }));
      process.stdout.write(`run ${runId}: ${s.rows} estimate row${s.rows === 1 ? '' : 's'} written to ${s.files.join(' and ')}\n`);
      return;
    }

    if (values.wave === undefined) throw new UsageError(`--wave ID (a wave's microdata) or --run N (a run's results) is required. ${USAGE}`);
    const waveId = positiveInt('wave', values.wave);
    if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${format ?? ''}". ${USAGE}`);
    const status = values.status ?? 'complete';
    if (status !== 'complete' && status !== 'all') throw new UsageError(`--status must be complete or all, got "${status}"`);
    const s = await withConfiguredStore((store, db) => exportWave(exportDatabaseOf(store, db), { waveId, format: format as ExportFormat, lang: lang as Lang, status, labels: values.labels ?? false, out, runId }));
    process.stdout.write(`wave ${waveId}${runId === undefined ? '' : ` with run ${runId}`}: ${s.rows} response${s.rows === 1 ? '' : 's'} × ${s.variables} variables written to ${s.files.join(' and ')}\n`);
  });
}
