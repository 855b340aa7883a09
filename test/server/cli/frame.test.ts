// `kelisim frame import | list` as a real process: a good frame (CSV and XLSX) is stored once,
// and each refusal the issue names is one line naming file, line and column, with nothing stored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCensusFrame, listFrames, storeFrame } from '../../../server/frames/service';
import { DomainError } from '../../../server/errors';
import { parseCsvText } from '../../../server/tables/read-table';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';
import { cliEnvOf, createTestStore, type TestStore } from '../../helpers/store';

// The database on the engine KELISIM_TEST_DB names; the command is pointed at it as a server would be.
let t: TestStore;
let dir: string;
beforeAll(async () => {
  t = await createTestStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-frame-'));
  await loadOfficialSurvey(t.store, OFFICIAL_SURVEYS_DIR);
});
afterAll(async () => {
  await t?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(['frame', ...args], cliEnvOf(t.location));
const write = (name: string, text: string) => { const p = path.join(dir, name); fs.writeFileSync(p, text); return p; };
const importArgs = (f: string, name: string) => ['import', '--file', f, '--name', name, '--source', 'BNS 2021 census tables', '--reference-date', '2021-10-01'];
const frameCount = async () => (await listFrames(t.store.sql)).length;

const GOOD = 'margin,level,population\nsex,m,480\nsex,f,520\nsex:age,m:18-29,100\nsex:age,m:30+,380\nsex:age,f:18-29,110\nsex:age,f:30+,410\nsettlement,urban,602\nsettlement,rural,400\n';

describe('kelisim frame', () => {
  it('stores a CSV frame (margins within 0.5 % scaled to the first total), an XLSX one, and lists them; the census frame loads', async () => {
    const csv = write('good.csv', GOOD);
    const ok = await cli([...importArgs(csv, 'survey-frame'), '--illustrative']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('stored frame');
    expect(ok.stdout).toContain('(ILLUSTRATIVE)');
    expect(ok.stdout).toContain('margin settlement (total 1002) scaled');

    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('frame');
    sheet.addRow(['margin', 'level', 'population', 'note']);
    sheet.addRow(['sex', 'm', 9324840, 'census']);
    sheet.addRow(['sex', 'f', 9861175, 'census']);
    sheet.addRow(['ethnicity', 'kazakh', 13479995, '']);
    sheet.addRow(['ethnicity', 'other', 5706020, '']);
    const xlsx = path.join(dir, 'frame.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const fromXlsx = await cli(importArgs(xlsx, 'from-xlsx'));
    expect(fromXlsx.stderr).toBe('');
    expect(fromXlsx.stdout).toMatch(/stored frame \d+ "from-xlsx": 4 cells/);

    const again = await cli(importArgs(csv, 'survey-frame'));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--name survey-frame: a frame with this name already exists');

    const census = (await ensureCensusFrame(t.store, OFFICIAL_SURVEYS_DIR))!;
    expect(census.created).toBe(true);
    expect(new Set(census.frame.margins.map((m) => m.margin))).toEqual(new Set(['sex', 'settlement', 'ethnicity']));
    expect((await ensureCensusFrame(t.store, OFFICIAL_SURVEYS_DIR))?.created).toBe(false);
    const scaled = (await listFrames(t.store.sql)).find((f) => f.name === 'survey-frame')!;
    const urban = scaled.margins.find((m) => m.level === 'urban')!.population;
    expect(urban).toBeCloseTo(602 * 1000 / 1002, 9);
    const list = await cli(['list']);
    expect(list.stdout).toMatch(/\tsurvey-frame\tILLUSTRATIVE\t2021-10-01\tsex, sex:age, settlement\t/);
    expect(list.stdout).toMatch(/\tkz-census-2021\tcited\t2021-10-01\tsex, settlement, ethnicity\t/);
  }, 60_000);

  it('refuses bad frames with one line naming file, line and column, storing nothing', async () => {
    const before = await frameCount();
    const cases: [string, string, RegExp][] = [
      ['totals.csv', 'margin,level,population\nsex,m,480\nsex,f,520\nsettlement,urban,700\nsettlement,rural,310\n', /totals\.csv line 4, column population: margin "settlement" sums to 1010 but margin "sex" sums to 1000 \(1\.00 % apart; at most 0\.5 % is allowed\)/],
      ['unknown.csv', 'margin,level,population\nsex,m,480\nsex,x,520\n', /unknown\.csv line 3, column level: unknown level "x" of sex; the survey's levels are m, f/],
      ['region.csv', 'margin,level,population\nregion,KZ-99,480\n', /region\.csv line 2, column level: unknown level "KZ-99" of region/],
      ['variable.csv', 'margin,level,population\nincome,high,480\n', /variable\.csv line 2, column margin: unknown variable "income"/],
      ['band.csv', 'margin,level,population\nsex:age,m:young,480\n', /band\.csv line 2, column level: age band "young" of margin "sex:age" must be LO-HI or LO\+/],
      ['dup.csv', 'margin,level,population\nsex,m,480\nsex,f,520\nsex,m,480\n', /dup\.csv line 4, column level: level "m" of margin "sex" appears twice/],
      ['zero.csv', 'margin,level,population\nsex,m,0\nsex,f,520\n', /zero\.csv line 2, column population: population "0" of sex=m must be a number greater than 0/],
      ['negative.csv', 'margin,level,population\nsex,m,-5\n', /negative\.csv line 2, column population: population "-5"/],
      ['header.csv', 'margin,lvl,population\nsex,m,5\n', /header\.csv line 1: no column "level"/],
      ['ragged.csv', 'margin,level,population\nsex,m\n', /ragged\.csv line 2: has 2 fields but the header has 3/],
    ];
    const usage: [string[], RegExp][] = [
      [['import', '--file', path.join(dir, 'nope.csv'), '--name', 'x', '--source', 's', '--reference-date', '2021-10-01'], /--file .*nope\.csv: no such file/],
      [importArgs(write('g.csv', GOOD), 'Bad Name'), /--name "Bad Name": use 1–64 lower-case letters/],
      [['import', '--file', write('h.csv', GOOD), '--name', 'x', '--source', 's', '--reference-date', '2021-13-01'], /--reference-date "2021-13-01" must be a date YYYY-MM-DD/],
      [['export'], /usage: kelisim frame/],
    ];
    // The refusals through the service the command calls (in-process: 10 processes would take
    // half a minute on a loaded machine), then one of each exit code through the real process.
    for (const [name, text, message] of cases) {
      const err = await Promise.resolve().then(() => storeFrame(t.store, parseCsvText(text, name), { name: 'bad', source: 's', referenceDate: '2021-10-01', illustrative: false }, 'test'))
        .then(() => null, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(DomainError);
      expect((err as DomainError).kind, name).toBe('bad_data');
      expect((err as DomainError).message, name).toMatch(message);
      expect((err as DomainError).message).not.toContain('\n');
    }
    const [totals, ...u] = await Promise.all([
      cli(importArgs(write(cases[0]![0], cases[0]![1]), 'bad-totals')),
      ...usage.map(([args]) => cli(args)),
    ]);
    expect(totals!.code).toBe(1);
    expect(totals!.stderr).toMatch(cases[0]![2]);
    expect(totals!.stderr.trim().split('\n')).toHaveLength(1);
    u.forEach((r, i) => {
      expect(r.code, usage[i]![0].join(' ')).toBe(2);
      expect(r.stderr).toMatch(usage[i]![1]);
    });
    expect(await frameCount()).toBe(before);
  }, 120_000);
});
