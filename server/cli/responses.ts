// `kelisim responses import --wave ID --file F.csv`: field interviews into a wave
// (server/responses/import.ts). On any invalid row nothing is written; stderr lists line, column
// and reason of the first 50 errors, then the count of the rest; exit code 1.
import { cliActor } from '../audit/service';
import { importResponsesFile, type ImportFailureDetails } from '../responses/import';
import { DomainError } from '../errors';
import { UsageError, withStoreFromEnv } from './database-command';
import { oneLine, parseOptions, positiveInt, runDomainCommand } from './domain-command';

const USAGE = 'usage: kelisim responses import --wave ID --file F.csv';

export async function run(argv: string[]): Promise<number> {
  return runDomainCommand('responses', async () => {
    const { values, positionals } = parseOptions(argv, { wave: { type: 'string' }, file: { type: 'string' } }, USAGE);
    if (positionals.length !== 1 || positionals[0] !== 'import') throw new UsageError(USAGE);
    const wave = positiveInt('wave', values.wave);
    if (values.file === undefined) throw new UsageError(`--file is required. ${USAGE}`);
    try {
      const s = await withStoreFromEnv((store) => importResponsesFile(store, wave, values.file!, cliActor()));
      process.stdout.write(`wave ${s.waveId}: ${s.inserted} interview${s.inserted === 1 ? '' : 's'} imported from ${s.file} (survey version ${s.surveyVersionId}), ${s.unchanged} already stored unchanged, ${s.screenedOut} screened out\n`);
    } catch (err) {
      // The full report: one line per error (line, column, reason), then the count of the rest.
      const details = err instanceof DomainError && err.code === 'invalid_import' ? err.details as Partial<ImportFailureDetails> : undefined;
      if (details?.errors) {
        const { file, errors, total = errors.length } = details;
        const lines = errors.map((e) => `${file} line ${e.line}, column ${e.column}: ${oneLine(e.reason)}`);
        if (total > errors.length) lines.push(`… and ${total - errors.length} more error${total - errors.length === 1 ? '' : 's'}`);
        process.stderr.write(`${lines.join('\n')}\n`);
      }
      throw err;
    }
  });
}
