// `kelisim invite --wave <id> --count <n> [--out file.csv] [--base-url URL]`: creates n single-use
// invitations for a wave and writes their links as CSV. The clear tokens exist only in this
// output; the database keeps their SHA-256.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { appendAudit, cliActor } from '../audit/service';
import { MAX_INVITATIONS_PER_BATCH } from '../invitations/service';
import { createInvitations } from '../invitations/sqlite-sync';
import { findWave, listWaves } from '../waves/sqlite-sync';
import { runCommand, UsageError, withDatabase } from './database-command';

const USAGE = 'usage: npm run -s kelisim -- invite --wave <id> --count <n> [--out links.csv] [--base-url http://localhost:3000]';

function positiveInt(name: string, raw: string | undefined, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} is required\n${USAGE}`);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`--${name} "${raw}" must be a whole number from 1 to ${max}`);
  }
  return Number(raw);
}

export async function run(argv: string[]): Promise<number> {
  return runCommand('invite', () => {
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

    withDatabase(config, (db) => {
      const wave = findWave(db, waveId);
      if (!wave) {
        const known = listWaves(db).map((w) => `${w.id} (${w.titleEn}, ${w.status})`).join(', ') || 'none';
        throw new UsageError(`wave ${waveId} does not exist in ${config.dbFile}; existing waves: ${known}`);
      }
      if (wave.status !== 'open') throw new UsageError(`wave ${waveId} (${wave.titleEn}) is closed; invitations to it could not be answered`);
      const out = values.out ? path.resolve(values.out) : undefined;
      // The file is written inside the transaction: if it cannot be written, no invitation is
      // created (an invitation whose token nobody has would be useless).
      const csv = db.transaction((tx) => {
        const created = createInvitations(tx, wave.id, count);
        // Audited like the console's invitations (the same action and fields; never the tokens).
        appendAudit(tx, { actor: cliActor(), action: 'invitations.create', subjectType: 'wave', subjectId: wave.id, after: { count: created.length, firstId: created[0]?.id, lastId: created.at(-1)?.id } });
        const text = ['wave_id,invitation_id,link', ...created.map((c) => `${wave.id},${c.id},${baseUrl}/s/${c.token}`)].join('\n') + '\n';
        if (out) fs.writeFileSync(out, text, { mode: 0o600 });
        return text;
      }, { behavior: 'immediate' });
      if (out) process.stderr.write(`kelisim: wrote ${count} invitation links for wave ${wave.id} to ${out}\n`);
      else process.stdout.write(csv);
    });
  });
}
