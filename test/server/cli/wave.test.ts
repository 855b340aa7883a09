// `kelisim wave` as a real process against the database of a running app: what it changes is what
// respondents meet on their next request. On the engine KELISIM_TEST_DB names: the command opens
// KELISIM_DB or KELISIM_DATABASE_URL.
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, waveSecrets } from '../../../server/db/schema';
import { waveSecret } from '../../../server/antibot/secrets';
import { startTestApp, type TestApp } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';

let t: TestApp;
beforeEach(async () => { t = await startTestApp(); });
afterEach(async () => { await t.close(); });

const wave = (args: string[]) => runCli(['wave', ...args], { ...t.cliEnv, PORT: '4567' });

describe('kelisim wave', () => {
  it('lists the waves with their open link', async () => {
    const res = await wave(['list']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`${t.wave.id}\topen\t${t.wave.titleEn}`);
    expect(res.stdout).toContain(`http://localhost:4567/s/${t.wave.openSlug}`);
  });

  it('closes a wave: its open link then answers 409 wave_closed, its secret is gone; closing again says so', async () => {
    expect((await t.api('GET', `/api/links/${t.wave.openSlug}`)).status).toBe(200);
    expect(await waveSecret(t.store, t.wave.id)).toBeDefined();
    const res = await wave(['close', '--wave', String(t.wave.id)]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`closed wave ${t.wave.id}`);
    const link = await t.api('GET', `/api/links/${t.wave.openSlug}`);
    expect(link.status).toBe(409);
    expect(link.body.error.code).toBe('wave_closed');
    expect((await t.store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${waveSecrets} WHERE ${waveSecrets.waveId} = ${t.wave.id}`))!.n).toBe(0);
    const again = await wave(['close', '--wave', String(t.wave.id)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already closed');
  });

  it('opens a new wave only when none is open, with a working link', async () => {
    const refused = await wave(['open']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`wave ${t.wave.id} is still open; close it first`);

    expect((await wave(['close', '--wave', String(t.wave.id)])).code).toBe(0);
    const opened = await wave(['open']);
    expect(opened.code).toBe(0);
    const slug = /\/s\/([A-Za-z0-9_-]+)$/.exec(opened.stdout.trim())?.[1];
    expect(slug).toBeDefined();
    expect(slug).not.toBe(t.wave.openSlug);
    const link = await t.api('GET', `/api/links/${slug}`);
    expect(link.status).toBe(200);
    expect(link.body.wave.status).toBe('open');
  });

  it('creates a wave for a period: closed at once, or open only when none is; a taken period is refused; each audited', async () => {
    const closed = await wave(['create', '--period', '2023-Q2', '--closed']);
    expect(closed.stderr).toBe('');
    expect(closed.code).toBe(0);
    const id = Number(/^created wave (\d+) for 2023-Q2 \(closed\)/.exec(closed.stdout)?.[1]);
    expect(id).toBeGreaterThan(t.wave.id);
    expect(closed.stdout).toContain(`kelisim responses import --wave ${id}`);
    const taken = await wave(['create', '--period', '2023-Q2', '--closed']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`--period 2023-Q2: wave ${id} (closed) already has this period`);
    const open = await wave(['create', '--period', '2023-Q3']);
    expect(open.code).toBe(1);
    expect(open.stderr).toContain(`wave ${t.wave.id} is still open; close it first`);
    const bad = await wave(['create', '--period', '2023-Q5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('must be a quarter like 2023-Q2');
    const list = await wave(['list']);
    expect(list.stdout).toMatch(new RegExp(`\\n${id}\\tclosed\\t[^\\t]+\\t2023-Q2\\t`));
    const audits = await t.store.sql.all<{ subjectId: string; actor: string }>(sql`SELECT ${auditLog.subjectId} AS "subjectId", ${auditLog.actor} AS "actor" FROM ${auditLog} WHERE ${auditLog.action} = 'wave.create' ORDER BY ${auditLog.id}`);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ subjectId: String(id), actor: expect.stringMatching(/^cli:/) });
  });

  it('refuses bad input with one line naming what was wrong', async () => {
    for (const [args, message] of [
      [['close'], 'close needs --wave <id>'],
      [['close', '--wave', 'x'], 'close needs --wave <id>'],
      [['close', '--wave', '999'], 'wave 999 does not exist; existing waves: '],
      [['reopen'], 'unknown wave command "reopen"'],
      [[], 'usage: npm run -s kelisim -- wave list'],
    ] as const) {
      const res = await wave([...args]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toContain(message);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
