// `kelisim frame import | list`: population frames an estimate run rakes to (server/frames/service.ts).
import { cliActor } from '../audit/service';
import { listFrames, importFrameFile } from '../frames/service';
import { UsageError } from './database-command';
import { parseOptions, runDomainCommand, withConfiguredStore } from './domain-command';

const USAGE = 'usage: kelisim frame import --file F.csv|F.xlsx --name NAME --source TEXT --reference-date YYYY-MM-DD [--illustrative] | kelisim frame list';

export async function run(argv: string[]): Promise<number> {
  return runDomainCommand('frame', async () => {
    const { values, positionals } = parseOptions(argv, {
      file: { type: 'string' }, name: { type: 'string' }, source: { type: 'string' },
      'reference-date': { type: 'string' }, illustrative: { type: 'boolean' },
    }, USAGE);
    const sub = positionals[0];
    if (positionals.length !== 1 || (sub !== 'import' && sub !== 'list')) throw new UsageError(USAGE);
    if (sub === 'list') {
      const rows = await withConfiguredStore((store) => listFrames(store.sql));
      const lines = rows.map((f) => {
        const vars = [...new Set(f.margins.map((m) => m.margin))].join(', ');
        return `${f.id}\t${f.name}\t${f.illustrative ? 'ILLUSTRATIVE' : 'cited'}\t${f.referenceDate}\t${vars}\t${f.source}`;
      });
      process.stdout.write((rows.length === 0 ? 'no frames yet' : ['id\tname\tkind\treference date\tmargins\tsource', ...lines].join('\n')) + '\n');
      return;
    }
    for (const k of ['file', 'name', 'source', 'reference-date'] as const) if (values[k] === undefined) throw new UsageError(`--${k} is required. ${USAGE}`);
    const { frame, scaled } = await withConfiguredStore((store) => importFrameFile(store, values.file!, {
      name: values.name!, source: values.source!, referenceDate: values['reference-date']!, illustrative: values.illustrative === true,
    }, cliActor()));
    const notes = scaled.map((s) => `margin ${s.margin} (total ${s.total}) scaled by ${s.factor} to the first margin's total`);
    process.stdout.write(`stored frame ${frame.id} "${frame.name}"${frame.illustrative ? ' (ILLUSTRATIVE)' : ''}: ${frame.margins.length} cells, content hash ${frame.contentHash}${notes.length ? `; ${notes.join('; ')}` : ''}\n`);
  });
}
