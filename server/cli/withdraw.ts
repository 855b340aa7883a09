// `kelisim withdraw --run N --reason TEXT`: takes a published run back (its period then shows no
// published value until another run is published). Audited with the reason.
import { cliActor } from '../audit/service';
import { withdrawRun } from '../publications/service';
import { UsageError } from './database-command';
import { parseOptions, positiveInt, runDomainCommand, withConfiguredStore } from './domain-command';

const USAGE = 'usage: kelisim withdraw --run N --reason TEXT';

export async function run(argv: string[]): Promise<number> {
  return runDomainCommand('withdraw', async () => {
    const { values, positionals } = parseOptions(argv, { run: { type: 'string' }, reason: { type: 'string' } }, USAGE);
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}". ${USAGE}`);
    const id = positiveInt('run', values.run);
    if (values.reason === undefined || values.reason.trim() === '') throw new UsageError(`--reason is required and must say why. ${USAGE}`);
    const { event } = await withConfiguredStore((store) => withdrawRun(store, id, values.reason!, cliActor()));
    process.stdout.write(`withdrew run ${id} for ${event.period}: ${event.reason}\n`);
  });
}
