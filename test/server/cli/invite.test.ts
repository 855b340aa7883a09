// `kelisim invite` as a real process against a real database: on the engine KELISIM_TEST_DB names
// (the command opens KELISIM_DB or KELISIM_DATABASE_URL).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAudit } from '../../../server/audit/service';
import { invitations } from '../../../server/db/schema';
import { startTestApp, type TestApp } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';

let t: TestApp;
let dir: string;
beforeEach(async () => {
  t = await startTestApp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-invite-cli-'));
});
afterEach(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const invitationRows = () => t.store.sql.all<{ id: number; waveId: number; tokenHash: string }>(sql`SELECT ${invitations.id} AS "id", ${invitations.waveId} AS "waveId", ${invitations.tokenHash} AS "tokenHash" FROM ${invitations} ORDER BY ${invitations.id}`);

describe('kelisim invite', () => {
  it('writes N unique links whose token hashes (and only those) are stored, and the links work', async () => {
    const out = path.join(dir, 'links.csv');
    const res = await runCli(['invite', '--wave', String(t.wave.id), '--count', '25', '--out', out, '--base-url', 'https://survey.example.kz/'], t.cliEnv);
    expect(res.stderr).toContain(`wrote 25 invitation links for wave ${t.wave.id}`);
    expect(res.code).toBe(0);

    const [header, ...lines] = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(header).toBe('wave_id,invitation_id,link');
    expect(lines).toHaveLength(25);
    const tokens = lines.map((line) => {
      const m = /^(\d+),(\d+),https:\/\/survey\.example\.kz\/s\/([A-Za-z0-9_-]{43})$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(Number(m![1])).toBe(t.wave.id);
      return { id: Number(m![2]), token: m![3]! };
    });
    expect(new Set(tokens.map((x) => x.token)).size).toBe(25);

    const rows = (await invitationRows()).filter((r) => r.waveId === t.wave.id);
    expect(rows).toHaveLength(25);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const { id, token } of tokens) {
      expect(byId.get(id)!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    }
    // The clear token is nowhere in the database file or its WAL (SQLite: the file can be read here).
    if (t.engine === 'sqlite') {
      const bytes = Buffer.concat([fs.readFileSync(t.dbFile), fs.existsSync(`${t.dbFile}-wal`) ? fs.readFileSync(`${t.dbFile}-wal`) : Buffer.alloc(0)]).toString('latin1');
      for (const { token } of tokens) expect(bytes.includes(token)).toBe(false);
    }

    // Audited as the console's invitations are: who, how many, which ids — never a token.
    const audit = (await queryAudit(t.store.sql, { subjectType: 'wave' }, 100)).rows.filter((r) => r.action === 'invitations.create');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: expect.stringMatching(/^cli:/), subjectType: 'wave', subjectId: String(t.wave.id) });
    expect(audit[0]!.after).toEqual({ count: 25, firstId: Math.min(...tokens.map((x) => x.id)), lastId: Math.max(...tokens.map((x) => x.id)) });

    const link = await t.api('GET', `/api/links/${tokens[0]!.token}`);
    expect(link.status).toBe(200);
    expect(link.body.link.kind).toBe('invitation');
  });

  it('creates no invitation (and audits none) when the links file cannot be written', async () => {
    const res = await runCli(['invite', '--wave', String(t.wave.id), '--count', '4', '--out', path.join(dir, 'missing-folder', 'links.csv')], t.cliEnv);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('ENOENT');
    expect(await invitationRows()).toHaveLength(0);
    expect((await queryAudit(t.store.sql, { subjectType: 'wave' }, 100)).rows.filter((r) => r.action === 'invitations.create')).toHaveLength(0);
  });

  it('prints the CSV on stdout without --out', async () => {
    const res = await runCli(['invite', '--wave', String(t.wave.id), '--count', '2'], { ...t.cliEnv, PORT: '4567' });
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\d+,\d+,http:\/\/localhost:4567\/s\/[A-Za-z0-9_-]{43}$/);
  });

  it('refuses an unknown wave, a closed wave and a bad count with a clear message and creates nothing', async () => {
    const unknown = await runCli(['invite', '--wave', '999', '--count', '3'], t.cliEnv);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('wave 999 does not exist');
    expect(unknown.stderr).toContain(`${t.wave.id} (`);

    for (const count of ['0', '-1', 'ten', '2.5', '100001']) {
      const bad = await runCli(['invite', '--wave', String(t.wave.id), `--count=${count}`], t.cliEnv);
      expect(bad.code, count).toBe(2);
      expect(bad.stderr).toMatch(/--count .* must be a whole number from 1 to 100000/);
    }
    const missing = await runCli(['invite', '--count', '3'], t.cliEnv);
    expect(missing.stderr).toContain('--wave is required');

    await t.closeWave();
    const closed = await runCli(['invite', '--wave', String(t.wave.id), '--count', '3'], t.cliEnv);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('is closed');
    expect(await invitationRows()).toHaveLength(0);
  });
});
