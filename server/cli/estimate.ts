// `kelisim estimate (--wave ID | --period 2026-Q3) --frame NAME [--min-cell-size N]
// [--bounds LO,HI | --no-bounds] [--exclude speeder,straightliner | --exclude none]`: computes and
// stores one estimate run (server/runs/service.ts, the same code the server runs in a worker
// thread) and prints it as one JSON document whose `runId` is the new run's id.
import { cliActor } from '../audit/service';
import type { QualityFlag } from '../runs/result';
import { createEstimateRun, runDocument, type EstimateRequest } from '../runs/service';
import type { RunOptions } from '../runs/compute';
import { UsageError } from './database-command';
import { parseOptions, positiveInt, runDomainCommand, withConfiguredStore } from './domain-command';

const USAGE = 'usage: kelisim estimate (--wave ID | --period 2026-Q3) --frame NAME [--min-cell-size N] [--bounds LO,HI | --no-bounds] [--exclude speeder,straightliner,incomplete | --exclude none]';

export async function run(argv: string[]): Promise<number> {
  return runDomainCommand('estimate', async () => {
    const { values, positionals } = parseOptions(argv, {
      wave: { type: 'string' }, period: { type: 'string' }, frame: { type: 'string' },
      'min-cell-size': { type: 'string' }, bounds: { type: 'string' }, 'no-bounds': { type: 'boolean' }, exclude: { type: 'string' },
    }, USAGE);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}". ${USAGE}`);
    if ((values.wave === undefined) === (values.period === undefined)) throw new UsageError(`give exactly one of --wave or --period. ${USAGE}`);
    if (values.frame === undefined) throw new UsageError(`--frame is required. ${USAGE}`);
    const options: Partial<RunOptions> = {};
    if (values['min-cell-size'] !== undefined) options.minCellSize = positiveInt('min-cell-size', values['min-cell-size']);
    if (values['no-bounds'] && values.bounds !== undefined) throw new UsageError('give either --bounds or --no-bounds, not both');
    if (values['no-bounds']) options.bounds = null;
    if (values.bounds !== undefined) {
      const parts = values.bounds.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s.trim())));
      if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0]! > 0) || !(parts[1]! > parts[0]!)) {
        throw new UsageError(`--bounds must be LO,HI with 0 < LO < HI, got "${values.bounds}"`);
      }
      options.bounds = [parts[0]!, parts[1]!];
    }
    if (values.exclude !== undefined) {
      const list = values.exclude.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (list.length === 0) throw new UsageError('--exclude needs a list of flags or "none"');
      options.exclude = list.length === 1 && list[0] === 'none' ? [] : (list as QualityFlag[]);
    }
    const wave: EstimateRequest['wave'] = values.wave !== undefined ? { id: positiveInt('wave', values.wave) } : { period: values.period! };
    const doc = await withConfiguredStore(async (store, db) => runDocument(await createEstimateRun(store, db, { wave, frame: { name: values.frame! }, options, readThreads: 2 }, cliActor())));
    process.stdout.write(JSON.stringify(doc) + '\n');
  });
}
