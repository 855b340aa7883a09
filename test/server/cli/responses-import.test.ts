// `kelisim responses import` as a real process: field interviews through the same validator and
// scoring as a web completion; one bad row → nothing written and a report of line, column and
// reason; a re-import changes nothing; mode and interviewer are kept.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../server/db/open';
import { deriveColumns } from '../../../server/responses/service';
import { loadOfficialSurvey } from '../../../server/surveys/sqlite-sync';
import { getSurveyVersion, OFFICIAL_SURVEY_ID } from '../../../server/surveys/sqlite-sync';
import { createWave } from '../../../server/waves/sqlite-sync';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDbFile } from '../../helpers/db';
import { runCli } from '../../helpers/spawn';

let file: string;
let dir: string;
let waveId: number;
let versionId: number;
beforeAll(() => {
  ({ file, dir } = createTestDbFile());
  const db = openDb(file);
  versionId = loadOfficialSurvey(db, OFFICIAL_SURVEYS_DIR).version.id;
  waveId = createWave(db, OFFICIAL_SURVEY_ID, '2023-Q2', { closed: true, actor: 'test' }).id;
  db.$client.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(['responses', ...args], { KELISIM_DB: file });
const write = (name: string, lines: string[]) => { const p = path.join(dir, name); fs.writeFileSync(p, lines.join('\n') + '\n'); return p; };
const HEADER = 'adult,resident,consent,region,settlement,sex,age,ethnicity,a1,a2,a3,a4,a5,b1,b2,b3,b4,b5,b6,c1,c2,c3,c4,c5,mode,interviewer,base_weight,duration_ms,completed_at';
const row = (over: Record<string, string> = {}) => {
  const base: Record<string, string> = {
    adult: 'true', resident: 'true', consent: 'true', region: 'KZ-71', settlement: 'urban', sex: 'f', age: '34', ethnicity: 'kazakh',
    a1: '5', a2: '4', a3: '2', a4: 'dk', a5: '5', b1: '1', b2: '1', b3: '0', b4: '1', b5: '', b6: '1', c1: '4', c2: '3', c3: '4', c4: '2', c5: '7',
    mode: 'capi', interviewer: 'INT-07', base_weight: '1.25', duration_ms: '840000', completed_at: '2023-05-14T09:30:00Z',
  };
  return HEADER.split(',').map((h) => over[h] ?? base[h]!).join(',');
};
const count = () => {
  const db = openDb(file);
  try {
    return {
      responses: db.$client.prepare('SELECT count(*) FROM responses').pluck().get() as number,
      audits: db.$client.prepare("SELECT count(*) FROM audit_log WHERE action = 'responses.import'").pluck().get() as number,
    };
  } finally { db.$client.close(); }
};

describe('kelisim responses import', () => {
  it('imports valid interviews scored exactly as a web completion, keeps mode and interviewer; a re-import changes nothing', async () => {
    const f = write('good.csv', [HEADER, row(), row({ sex: 'm', age: '61', mode: 'papi', interviewer: 'INT-02', base_weight: '', a1: '1' }), row({ adult: 'false', resident: '', consent: '', region: '', settlement: '', sex: '', age: '', ethnicity: '' })
      .split(',').map((c, i) => (i > 7 && i < 24 ? '' : c)).join(',')]);
    const first = await cli(['import', '--wave', String(waveId), '--file', f]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(`wave ${waveId}: 3 interviews imported from good.csv (survey version ${versionId}), 0 already stored unchanged, 1 screened out`);
    const again = await cli(['import', '--wave', String(waveId), '--file', f]);
    expect(again.stdout).toContain('0 interviews imported from good.csv');
    expect(again.stdout).toContain('3 already stored unchanged');
    expect(count()).toEqual({ responses: 3, audits: 1 });

    const db = openDb(file);
    try {
      const rows = db.$client.prepare("SELECT * FROM responses WHERE status = 'complete' ORDER BY age").all() as Record<string, unknown>[];
      expect(rows).toHaveLength(2);
      const [f34, m61] = rows as [Record<string, unknown>, Record<string, unknown>];
      expect([f34.mode, f34.interviewer, f34.base_weight, f34.duration_ms, f34.completed_at, f34.age_band]).toEqual(['capi', 'INT-07', 1.25, 840000, '2023-05-14T09:30:00.000Z', '30-44']);
      expect([m61.mode, m61.interviewer, m61.base_weight, m61.age_band]).toEqual(['papi', 'INT-02', null, '60+']);
      // The derived columns are exactly what a web completion of the same answers stores.
      const data = JSON.parse(f34.data as string) as Record<string, unknown>;
      expect(data).toMatchObject({ adult: true, age: 34, a1: 5, a4: 'dk', c5: 7, region: 'KZ-71' });
      expect(data).not.toHaveProperty('b5');
      const web = deriveColumns(getSurveyVersion(db, versionId)!.spec, data);
      expect(JSON.parse(f34.item_scores as string)).toEqual(web.itemScores);
      expect([f34.consensus, f34.tolerance, f34.mood]).toEqual([web.consensus, web.tolerance, web.mood]);
      const out = db.$client.prepare("SELECT status, region, consensus FROM responses WHERE status = 'screened_out'").get();
      expect(out).toEqual({ status: 'screened_out', region: null, consensus: null });
    } finally {
      db.$client.close();
    }
  }, 60_000);

  it('writes nothing when one row is bad, naming line, column and reason; lists 50 errors then a count', async () => {
    const before = count();
    const oneBad = write('one-bad.csv', [HEADER, row({ age: '41' }), row({ age: '42', a2: '7' }), row({ age: '43' })]);
    const r = await cli(['import', '--wave', String(waveId), '--file', oneBad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/one-bad\.csv line 3, column a2: /);
    expect(r.stderr).toContain('nothing was imported');
    expect(count()).toEqual(before);

    const many = write('many-bad.csv', [HEADER, ...Array.from({ length: 60 }, (_, i) => row({ age: String(20 + i), region: 'KZ-00', mode: i === 0 ? 'phone' : 'capi' }))]);
    const m = await cli(['import', '--wave', String(waveId), '--file', many]);
    expect(m.code).toBe(1);
    const lines = m.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/many-bad\.csv line 2, column mode: "phone" must be one of capi, papi, cati, web/);
    expect(lines[1]).toMatch(/many-bad\.csv line 2, column region: /);
    expect(lines.filter((l) => /^.*many-bad\.csv line \d+, column/.test(l))).toHaveLength(50);
    expect(m.stderr).toContain('… and 11 more errors');
    expect(count()).toEqual(before);

    const [header, usage, wave] = await Promise.all([
      cli(['import', '--wave', String(waveId), '--file', write('header.csv', ['adult,favourite_colour', 'true,blue'])]),
      cli(['import', '--wave', 'x', '--file', oneBad]),
      cli(['import', '--wave', '999', '--file', oneBad]),
    ]);
    expect(header.code).toBe(1);
    expect(header.stderr).toMatch(/header\.csv line 1, column favourite_colour: not a question of survey "official"/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--wave must be a whole number');
    expect(wave.code).toBe(2);
    expect(wave.stderr).toMatch(/--wave 999: no such wave; existing waves: \d+ \(2023-Q2\)/);
    expect(count()).toEqual(before);
  }, 60_000);
});
