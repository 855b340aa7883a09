// `kelisim quota set --wave ID --file quotas.csv | show --wave ID`: a wave's quota targets over
// region × sex × age band and their live fill (server/quotas/service.ts, docs/decisions/022).
import type { QuotaFill } from '../../contract/quotas';
import { cliActor } from '../audit/service';
import { importQuotasCsv, quotaFill } from '../quotas/service';
import { UsageError, withStoreFromEnv } from './database-command';
import { parseOptions, positiveInt, runDomainCommand } from './domain-command';

const USAGE = 'usage: kelisim quota set --wave ID --file quotas.csv (columns region,sex,age_band,target) | kelisim quota show --wave ID';

/** The fill as a tab-separated table, one line per cell, then the totals. */
export function formatFill(fill: QuotaFill): string {
  if (fill.cells.length === 0) return `wave ${fill.waveId}: no quotas set\n`;
  const head = ['region', 'sex', 'age_band', 'target', 'reserved', 'completed', 'imported', 'refused', 'overshoot'].join('\t');
  const lines = fill.cells.map((c) => [c.region, c.sex, c.ageBand, c.target, c.reserved, c.completed, c.imported, c.refused, c.overshoot > 0 ? `+${c.overshoot}` : '0'].join('\t'));
  const sum = (k: 'target' | 'reserved' | 'completed' | 'overshoot') => fill.cells.reduce((a, c) => a + c[k], 0);
  const over = fill.cells.filter((c) => c.overshoot > 0).length;
  const footer = `wave ${fill.waveId} as of ${fill.asOf}: ${fill.cells.length} cells, target ${sum('target')}, reserved ${sum('reserved')}, completed ${sum('completed')}` +
    `${over > 0 ? `; ${over} cell${over === 1 ? '' : 's'} over target by ${sum('overshoot')} in all` : ''}` +
    `; outside any cell: ${fill.outside.reserved} reserved, ${fill.outside.completed} completed`;
  return [head, ...lines, footer].join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  return runDomainCommand('quota', async () => {
    const { values, positionals } = parseOptions(argv, { wave: { type: 'string' }, file: { type: 'string' } }, USAGE);
    const sub = positionals[0];
    if (positionals.length !== 1 || (sub !== 'set' && sub !== 'show')) throw new UsageError(USAGE);
    const wave = positiveInt('wave', values.wave);
    if (sub === 'show') {
      process.stdout.write(formatFill(await withStoreFromEnv((store) => quotaFill(store.sql, wave))));
      return;
    }
    if (values.file === undefined) throw new UsageError(`--file is required. ${USAGE}`);
    const fill = await withStoreFromEnv((store) => importQuotasCsv(store, wave, values.file!, cliActor()));
    process.stdout.write(`wave ${wave}: quotas set from ${values.file} (${fill.cells.length} cells)\n${formatFill(fill)}`);
  });
}
