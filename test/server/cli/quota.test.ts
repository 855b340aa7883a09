// `kelisim quota set | show` as a real process: a CSV of targets is set (audited) and its fill
// shown; each refusal is one line naming file, line and column, exit code 1, nothing changed.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../server/db/open';
import { loadOfficialSurvey } from '../../../server/surveys/sqlite-sync';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/sqlite-sync';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDbFile } from '../../helpers/db';
import { runCli } from '../../helpers/spawn';

let file: string;
let dir: string;
let waveId: number;
beforeAll(() => {
  ({ file, dir } = createTestDbFile());
  const db = openDb(file);
  loadOfficialSurvey(db, OFFICIAL_SURVEYS_DIR);
  waveId = createWave(db, OFFICIAL_SURVEY_ID, '2026-Q3', { closed: true, actor: 'test' }).id;
  db.$client.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(['quota', ...args], { KELISIM_DB: file });
const write = (name: string, lines: string[]) => { const p = path.join(dir, name); fs.writeFileSync(p, lines.join('\n') + '\n'); return p; };
const HEAD = 'region,sex,age_band,target';
const audits = () => { const db = openDb(file); try { return db.$client.prepare("SELECT count(*) FROM audit_log WHERE action = 'quota.set'").pluck().get() as number; } finally { db.$client.close(); } };

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
    expect(audits()).toBe(1);
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
    expect(audits()).toBe(1);
  });

  it('says what is wrong with the options (exit 2)', async () => {
    expect(await cli(['show'])).toMatchObject({ code: 2, stderr: 'kelisim quota: --wave must be a whole number of 1 or more, got ""\n' });
    expect((await cli(['show', '--wave', '99'])).stderr).toContain('--wave 99: no such wave; existing waves:');
    expect((await cli(['set', '--wave', String(waveId)])).stderr).toContain('--file is required');
    expect((await cli(['list'])).code).toBe(2);
  });
});
