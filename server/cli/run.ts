// `kelisim run show --run N` prints a stored estimate run (inputs and result, one JSON document);
// `kelisim run verify --run N` recomputes it from the database and reports "identical" or every
// difference (exit 0 when identical, 1 when not).
import { requireRun, runDocument, verifyRun } from '../runs/service';
import { UsageError } from './database-command';
import { parseOptions, positiveInt, runDomainCommand, withConfiguredStore } from './domain-command';

const USAGE = 'usage: kelisim run show --run N | kelisim run verify --run N';

export async function run(argv: string[]): Promise<number> {
  let exit = 0;
  const code = await runDomainCommand('run', async () => {
    const { values, positionals } = parseOptions(argv, { run: { type: 'string' } }, USAGE);
    const sub = positionals[0];
    if (positionals.length !== 1 || (sub !== 'show' && sub !== 'verify')) throw new UsageError(USAGE);
    const id = positiveInt('run', values.run);
    if (sub === 'show') {
      const doc = await withConfiguredStore(async (store) => runDocument(await requireRun(store.sql, id)));
      process.stdout.write(JSON.stringify(doc) + '\n');
      return;
    }
    const v = await withConfiguredStore((store, db) => verifyRun(store, db, id, 2));
    if (v.identical) {
      process.stdout.write(`run ${id}: identical (recomputed from the database: same inputs, same result)\n`);
      return;
    }
    const lines = v.differences.map((d) => `  ${d.what}: stored ${JSON.stringify(d.stored)}, now ${JSON.stringify(d.now)}`);
    process.stdout.write(`run ${id}: DIFFERS in ${v.differences.length} place${v.differences.length === 1 ? '' : 's'}${v.differences.length >= 200 ? ' (first 200 shown)' : ''}\n${lines.join('\n')}\n`);
    exit = 1;
  });
  return code === 0 ? exit : code;
}
