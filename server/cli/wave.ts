// `kelisim wave list | open | close --wave <id>`: a researcher's fieldwork periods from the command
// line until the console exists. The running server reads a wave's status on every request, so a
// close takes effect at once: its open link and invitations then answer 409 wave_closed. On the
// configured store: KELISIM_DB (SQLite) or KELISIM_DATABASE_URL (PostgreSQL).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import type { Store } from '../db/store';
import type { WaveRow } from '../db/schema';
import { OFFICIAL_SURVEY_ID } from '../surveys/service';
import { cliActor } from '../audit/service';
import { DomainError } from '../errors';
import { closeWaveAudited, createWave, findWave, listWaves, openNextWave } from '../waves/service';
import { runCommand, UsageError } from './database-command';
import { exitCodeOf, withConfiguredStore } from './domain-command';

const USAGE = [
  'usage: npm run -s kelisim -- wave list',
  '       npm run -s kelisim -- wave open      opens a new wave of the official survey for the current quarter (none may be open)',
  '       npm run -s kelisim -- wave create --period 2023-Q2 [--closed]   records a wave for a period (e.g. past fieldwork to import)',
  '       npm run -s kelisim -- wave close --wave <id>',
].join('\n');

function describeWave(w: WaveRow, baseUrl: string): string {
  const dates = `opened ${w.openedAt}${w.closedAt ? `, closed ${w.closedAt}` : ''}`;
  return `${w.id}\t${w.status}\t${w.titleEn}\t${w.period ?? '-'}\t${dates}\t${w.status === 'open' ? `${baseUrl}/s/${w.openSlug}` : '-'}`;
}

async function subcommand(store: Store, name: string, waveArg: string | undefined, baseUrl: string, create: { period?: string | undefined; closed?: boolean | undefined } = {}): Promise<string> {
  switch (name) {
    case 'list': {
      const rows = await listWaves(store.sql);
      return rows.length === 0 ? 'no waves yet (npm start opens one)' : ['id\tstatus\ttitle\tperiod\tdates\topen link', ...rows.map((w) => describeWave(w, baseUrl))].join('\n');
    }
    case 'open': {
      // The console's code path too (server/waves/service.ts), audited.
      let wave;
      try {
        wave = await openNextWave(store, OFFICIAL_SURVEY_ID, cliActor());
      } catch (err) {
        if (err instanceof DomainError && err.code === 'wave_open') {
          const open = (await listWaves(store.sql)).find((w) => w.surveyId === OFFICIAL_SURVEY_ID && w.status === 'open')!;
          throw new UsageError(`${err.message} (wave close --wave ${open.id})`);
        }
        throw err;
      }
      return `opened wave ${wave.id} (${wave.titleEn}${wave.period ? `, period ${wave.period}` : ', no period: the current quarter already has a wave'}); respondent link: ${baseUrl}/s/${wave.openSlug}`;
    }
    case 'create': {
      if (create.period === undefined) throw new UsageError(`create needs --period YYYY-Qn\n${USAGE}`);
      let wave;
      try {
        wave = await createWave(store, OFFICIAL_SURVEY_ID, create.period, { closed: create.closed === true, actor: cliActor() });
      } catch (err) {
        if (err instanceof DomainError) throw new WaveCommandError(err.message, exitCodeOf(err));
        throw err;
      }
      return `created wave ${wave.id} for ${wave.period} (${wave.status})${wave.status === 'open' ? `; respondent link: ${baseUrl}/s/${wave.openSlug}` : '; import interviews with: kelisim responses import --wave ' + wave.id + ' --file F.csv'}`;
    }
    case 'close': {
      if (waveArg === undefined || !/^\d+$/.test(waveArg)) throw new UsageError(`close needs --wave <id> (a whole number)\n${USAGE}`);
      const before = await findWave(store.sql, Number(waveArg));
      if (!before) {
        const known = (await listWaves(store.sql)).map((w) => `${w.id} (${w.status})`).join(', ') || 'none';
        throw new UsageError(`wave ${waveArg} does not exist; existing waves: ${known}`);
      }
      if (before.status === 'closed') return `wave ${before.id} (${before.titleEn}) was already closed on ${before.closedAt}`;
      const after = await closeWaveAudited(store, before.id, cliActor());
      return `closed wave ${after.id} (${after.titleEn}); its open link and invitations now answer "survey closed"`;
    }
    default:
      throw new UsageError(`unknown wave command "${name}"\n${USAGE}`);
  }
}

class WaveCommandError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) { super(message); }
}

export async function run(argv: string[]): Promise<number> {
  let exit = 0;
  return runCommand('wave', async () => {
    let values;
    let positionals;
    try {
      ({ values, positionals } = parseArgs({ args: argv, options: { wave: { type: 'string' }, period: { type: 'string' }, closed: { type: 'boolean' } }, strict: true, allowPositionals: true }));
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n${USAGE}`);
    }
    if (positionals.length !== 1) throw new UsageError(USAGE);
    const config = loadConfig();
    const baseUrl = (config.baseUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
    let said;
    try {
      said = await withConfiguredStore((store) => subcommand(store, positionals[0]!, values.wave, baseUrl, { period: values.period, closed: values.closed }));
    } catch (err) {
      // A refused `create` (period taken: bad data, exit 1; bad period: usage, exit 2).
      if (!(err instanceof WaveCommandError)) throw err;
      process.stderr.write(`kelisim wave: ${err.message}\n`);
      exit = err.exitCode;
      return;
    }
    process.stdout.write(said + '\n');
  }).then((code) => (code === 0 ? exit : code));
}
