// `kelisim wave open|close` as real processes against the database of a running console: audited
// under the command line's actor, shown by the console's audit view. On the engine KELISIM_TEST_DB
// names (the command opens KELISIM_DB or KELISIM_DATABASE_URL).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOf } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';
import { startAdminApp, type AdminTestApp } from './helpers';

let t: AdminTestApp;
beforeEach(async () => { t = await startAdminApp(); });
afterEach(async () => { await t.close(); });

describe('kelisim wave, through the console\'s service', () => {
  it('audits a close and an open from the command line; the console\'s audit view shows them', async () => {
    const env = t.cliEnv;
    expect((await runCli(['wave', 'close', '--wave', String(t.wave.id)], env)).code).toBe(0);
    const opened = await runCli(['wave', 'open'], env);
    expect(opened.code).toBe(0);
    const refused = await runCli(['wave', 'open'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is still open; close it first \(wave close --wave \d+\)/);
    const s = await t.signIn('viewer');
    const log = listOf<{ action: string; actor: string }>((await t.call('GET', '/audit?subjectType=wave', { session: s })).body.items);
    expect(log.map((e) => e.action)).toEqual(['wave.open', 'wave.close']);
    expect(log[1]).toMatchObject({ subjectId: String(t.wave.id), before: { status: 'open' }, after: { status: 'closed' } });
    expect(log[0].actor).toMatch(/^cli:/);
  });
});
