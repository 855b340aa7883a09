// `kelisim quota set | show` as a real process: a CSV of targets is set (audited) and its fill
// shown; each refusal is one line naming file, line and column, exit code 1, nothing changed. On
// the engine KELISIM_TEST_DB names: the command opens KELISIM_DB or KELISIM_DATABASE_URL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../../server/db/schema';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { seedSurveyAndWave } from '../../helpers/seed';
import { runCli } from '../../helpers/spawn';
import { createTestStore, type TestStore } from '../../helpers/store';

let t: TestStore;
let dir: string;
let waveId: number;
beforeAll(async () => {
  t = await createTestStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-quota-cli-'));
  ({ waveId } = await seedSurveyAndWave(t.store, OFFICIAL_SURVEYS_DIR, { closed: true, period: '2026-Q3' }));
});
afterAll(async () => {
  await t.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(['quota', ...args], t.location.url ? { KELISIM_DATABASE_URL: t.location.url } : { KELISIM_DB: t.location.file! });
const write = (name: string, lines: string[]) => { const p = path.join(dir, name); fs.writeFileSync(p, lines.join('\n') + '\n'); return p; };
const HEAD = 'region,sex,age_band,target';
const audits = async () => (await t.store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${auditLog} WHERE ${auditLog.action} = 'quota.set'`))!.n;

describe('kelisim quota', () => {
  it('sets targets from a CSV and shows the fill of every cell', async () => {
    const csv = write('quotas.csv', [HEAD, 'KZ-75,f,18-29,40', 'KZ-75,m,18-29,38', 'KZ-11,f,60+,12']);
    const set = await cli(['set', '--wave', String(waveId), '--file', csv]);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`wave ${waveId}: quotas set from ${csv} (3 cells)`);
    const show = await cli(['show', '--wave', String(waveId)]);
    expect(show.code).toBe(0);
    const lines = show.stdout.trim().split('\n');
    expect(lines[0]).toBe('region\tsex\tage_band\ttarget\treserved\tcompleted\timported\trefused\tovershoot');
    expect(lines.slice(1, 4).sort()).toEqual(['KZ-11\tf\t60+\t12\t0\t0\t0\t0\t0', 'KZ-75\tf\t18-29\t40\t0\t0\t0\t0\t0', 'KZ-75\tm\t18-29\t38\t0\t0\t0\t0\t0']);
    expect(lines[4]).toMatch(new RegExp(`^wave ${waveId} as of .*: 3 cells, target 90, reserved 0, completed 0; outside any cell: 0 reserved, 0 completed$`));
    expect(await audits()).toBe(1);
  });

  it('refuses a bad file with one line naming line and column, exit 1, and changes nothing', async () => {
    const cases: [string[], string][] = [
      [[HEAD, 'KZ-75,f,18-29,40', 'KZ-XX,m,18-29,38'], 'line 3, column region: unknown region code "KZ-XX"'],
      [[HEAD, 'KZ-75,f,18-29,40', 'KZ-75,m,18_29,38'], 'line 3, column age_band: age band "18_29" must be LO-HI or LO+'],
      [[HEAD, 'KZ-75,f,18-29,-1'], 'line 2, column target: target "-1" must be a whole number of 0 or more'],
      [[HEAD, 'KZ-75,f,18-29,4', 'KZ-75,f,18-29,5'], 'line 3, column region: the cell KZ-75 × f × 18-29 appears twice (also line 2)'],
    ];
    for (const [lines, message] of cases) {
      const f = write('bad.csv', lines);
      const res = await cli(['set', '--wave', String(waveId), '--file', f]);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr.startsWith(`kelisim quota: ${f} ${message}`), res.stderr).toBe(true);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await audits()).toBe(1);
  });

  it('says what is wrong with the options (exit 2)', async () => {
    expect(await cli(['show'])).toMatchObject({ code: 2, stderr: 'kelisim quota: --wave must be a whole number of 1 or more, got ""\n' });
    expect((await cli(['show', '--wave', '99'])).stderr).toContain('--wave 99: no such wave; existing waves:');
    expect((await cli(['set', '--wave', String(waveId)])).stderr).toContain('--file is required');
    expect((await cli(['list'])).code).toBe(2);
  });
});
