// `kelisim publish --run N`: makes a run the published one for its wave's period (a second run for
// the same period replaces the first: the period is then marked revised). Audited.
import { cliActor } from '../audit/service';
import { publishRun } from '../publications/service';
import { UsageError } from './database-command';
import { parseOptions, positiveInt, runDomainCommand, withConfiguredStore } from './domain-command';

const USAGE = 'usage: kelisim publish --run N';

export async function run(argv: string[]): Promise<number> {
  return runDomainCommand('publish', async () => {
    const { values, positionals } = parseOptions(argv, { run: { type: 'string' } }, USAGE);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}". ${USAGE}`);
    const id = positiveInt('run', values.run);
    const { event, replaced } = await withConfiguredStore((store) => publishRun(store, id, cliActor()));
    process.stdout.write(`published run ${id} for ${event.period}${replaced !== null ? ` (replaces run ${replaced}; the period is marked revised)` : ''}\n`);
  });
}
