// `kelisim invite --wave <id> --count <n> [--out file.csv] [--base-url URL]`: creates n single-use
// invitations for a wave and writes their links as CSV. The clear tokens exist only in this
// output; the database keeps their SHA-256. On the configured store: KELISIM_DB (SQLite) or
// KELISIM_DATABASE_URL (PostgreSQL).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { cliActor } from '../audit/service';
import { createInvitationsAudited, MAX_INVITATIONS_PER_BATCH } from '../invitations/service';
import { findWave, listWaves } from '../waves/service';
import { runCommand, UsageError } from './database-command';
import { withConfiguredStore } from './domain-command';

const USAGE = 'usage: npm run -s kelisim -- invite --wave <id> --count <n> [--out links.csv] [--base-url http://localhost:3000]';

function positiveInt(name: string, raw: string | undefined, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} is required\n${USAGE}`);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`--${name} "${raw}" must be a whole number from 1 to ${max}`);
  }
  return Number(raw);
}

export async function run(argv: string[]): Promise<number> {
  return runCommand('invite', async () => {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { wave: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' }, 'base-url': { type: 'string' } },
        strict: true, allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n${USAGE}`);
    }
    const waveId = positiveInt('wave', values.wave, Number.MAX_SAFE_INTEGER);
    const count = positiveInt('count', values.count, MAX_INVITATIONS_PER_BATCH);
    const config = loadConfig();
    let baseUrl = values['base-url'] ?? config.baseUrl ?? `http://localhost:${config.port}`;
    if (!/^https?:\/\/[^\s/]+/.test(baseUrl)) throw new UsageError(`--base-url "${baseUrl}" is not an http(s) URL`);
    baseUrl = baseUrl.replace(/\/+$/, '');

    await withConfiguredStore(async (store) => {
      const wave = await findWave(store.sql, waveId);
      if (!wave) {
        const known = (await listWaves(store.sql)).map((w) => `${w.id} (${w.titleEn}, ${w.status})`).join(', ') || 'none';
        const where = config.databaseUrl === undefined ? config.dbFile : 'the PostgreSQL database (KELISIM_DATABASE_URL)';
        throw new UsageError(`wave ${waveId} does not exist in ${where}; existing waves: ${known}`);
      }
      if (wave.status !== 'open') throw new UsageError(`wave ${waveId} (${wave.titleEn}) is closed; invitations to it could not be answered`);
      const out = values.out ? path.resolve(values.out) : undefined;
      // The file is written inside the transaction: if it cannot be written, no invitation is
      // created (an invitation whose token nobody has would be useless).
      // Audited like the console's invitations (the same service: action and fields; never the tokens).
      let csv = '';
      await createInvitationsAudited(store, wave.id, count, cliActor(), new Date(), (created) => {
        csv = ['wave_id,invitation_id,link', ...created.map((c) => `${wave.id},${c.id},${baseUrl}/s/${c.token}`)].join('\n') + '\n';
        if (out) fs.writeFileSync(out, csv, { mode: 0o600 });
      });
      if (out) process.stderr.write(`kelisim: wrote ${count} invitation links for wave ${wave.id} to ${out}\n`);
      else process.stdout.write(csv);
    });
  });
}
