// `kelisim wave` as a real process against the database of a running app: what it changes is what
// respondents meet on their next request.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';

let t: TestApp;
beforeEach(async () => { t = await startTestApp(); });
afterEach(async () => { await t.close(); });

const wave = (args: string[]) => runCli(['wave', ...args], { KELISIM_DB: t.dbFile, PORT: '4567' });

describe('kelisim wave', () => {
  it('lists the waves with their open link', async () => {
    const res = await wave(['list']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`${t.wave.id}\topen\t${t.wave.titleEn}`);
    expect(res.stdout).toContain(`http://localhost:4567/s/${t.wave.openSlug}`);
  });

  it('closes a wave: its open link then answers 409 wave_closed; closing again says so', async () => {
    expect((await t.api('GET', `/api/links/${t.wave.openSlug}`)).status).toBe(200);
    const res = await wave(['close', '--wave', String(t.wave.id)]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`closed wave ${t.wave.id}`);
    const link = await t.api('GET', `/api/links/${t.wave.openSlug}`);
    expect(link.status).toBe(409);
    expect(link.body.error.code).toBe('wave_closed');
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
