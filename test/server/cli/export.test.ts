// `kelisim export` as a real process: CSV (BOM, RFC 4180, hostile text neutralised against formula
// injection, codes or labels in kk/ru/en, status filter, codebook beside it), XLSX sheets, and the
// usage errors (exit 2, one line, nothing written).
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExportFixture, HOSTILE, type ExportFixture } from '../exports/fixture';
import { parseCsvExact } from '../exports/csv-exact';
import { exportEngine, type ExportEngine } from '../exports/engine';
import { runCli } from '../../helpers/spawn';

let fx: ExportFixture;
let on: ExportEngine;
beforeAll(async () => { fx = createExportFixture(30); on = await exportEngine(fx.file); }, 60_000);
afterAll(async () => { await on.close(); fs.rmSync(fx.dir, { recursive: true, force: true }); });

const cli = (args: string[]) => runCli(['export', ...args], on.env);
const out = (name: string) => path.join(fx.dir, name);

function readCsv(file: string): { header: string[]; rows: Record<string, string>[]; raw: string } {
  const raw = fs.readFileSync(file, 'utf8');
  const [header, ...rows] = parseCsvExact(raw);
  return { header: header!, rows: rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!]))), raw };
}

describe('kelisim export', () => {
  it('writes a codes CSV with BOM and CRLF, hostile text intact and neutralised, complete responses only, with its codebook', async () => {
    const r = await cli(['--wave', String(fx.waveId), '--format', 'csv', '--out', out('codes.csv')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wave ${fx.waveId}: 30 responses`);
    const bytes = fs.readFileSync(out('codes.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const { header, rows, raw } = readCsv(out('codes.csv'));
    expect(raw.split('\r\n')[0]!.replace('\uFEFF', '')).toBe(header.join(','));
    expect(header.slice(0, 3)).toEqual(['response_id', 'wave', 'period']);
    expect(header).toEqual(expect.arrayContaining(['a1', 'c5', 'opinion', 'score_a1', 'consensus', 'tolerance', 'mood', 'mode', 'interviewer', 'locale', 'started_at', 'completed_at', 'duration_ms']));
    expect(rows.length).toBe(30);
    expect(rows.every((x) => x.status === 'complete')).toBe(true);
    // Every answer as stored (codes), `dk` included.
    for (const row of rows) {
      const answers = fx.answers.get(row.response_id!)!;
      for (const [q, v] of Object.entries(answers)) {
        if (q === 'opinion') continue;
        expect(row[q], `${row.response_id} ${q}`).toBe(String(v));
      }
    }
    expect(rows.some((x) => x.a4 === 'dk')).toBe(true);
    // Hostile text: quotes, newlines, RTL and emoji survive; a leading =, +, -, @ or tab gets an apostrophe.
    const opinions = new Map(rows.map((x) => [x.response_id!, x.opinion!]));
    HOSTILE.forEach((h, i) => {
      const got = opinions.get(`r${String(i + 1).padStart(4, '0')}`)!;
      expect(got).toBe(/^[=+\-@\t\r]/.test(h) ? `'${h}` : h);
    });
    // Numbers are never altered: numeric columns are plain numbers or empty.
    for (const row of rows) for (const c of ['wave', 'duration_ms', 'consensus', 'tolerance', 'mood', 'score_a1']) expect(row[c]).toMatch(/^(-?\d+(\.\d+)?(e[+-]\d+)?)?$/);
    // The codebook beside it.
    const cb = readCsv(out('codes.codebook.csv'));
    expect(cb.header).toEqual(['section', 'variable', 'label', 'type', 'measure', 'missing', 'scoring', 'value', 'value_label', 'value_missing', 'spss_value']);
    const a3 = cb.rows.find((x) => x.section === 'variable' && x.variable === 'a3')!;
    expect(a3.scoring).toContain('reversed');
    expect(a3.missing).toBe('dk');
    expect(a3.label).toContain('Қазақстанда'); // kk by default
    const dk = cb.rows.find((x) => x.section === 'value' && x.variable === 'a3' && x.value === 'dk')!;
    expect(dk).toMatchObject({ value_missing: 'yes', spss_value: '-1', value_label: 'Жауап беруге қиналамын' });
    expect(cb.rows.find((x) => x.section === 'export' && x.variable === 'rows')!.label).toBe('30');
  });

  it('writes labels in Russian with --labels --lang ru, and every status with --status all', async () => {
    const r = await cli(['--wave', String(fx.waveId), '--format', 'csv', '--labels', '--lang', 'ru', '--status', 'all', '--out', out('labels.csv')]);
    expect(r.code).toBe(0);
    const { rows } = readCsv(out('labels.csv'));
    expect(rows.length).toBe(32);
    expect(rows.map((x) => x.status).sort().slice(-2)).toEqual(['Не завершена', 'Отсеян']);
    const first = rows.find((x) => x.response_id === 'r0001')!;
    expect(first.a4).toBe('Затрудняюсь ответить');
    expect(first.adult).toBe('Да');
    expect(first.mode).toBe('Веб-анкета');
    // The partial response's '=1+1' is neutralised in label mode too.
    expect(rows.find((x) => x.response_id === 'z-partial')!.opinion).toBe("'=1+1");
  });

  it('writes an XLSX with data, codebook and value labels sheets', async () => {
    const r = await cli(['--wave', String(fx.waveId), '--format', 'xlsx', '--lang', 'en', '--out', out('wave.xlsx')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out('wave.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['data', 'codebook', 'value labels']);
    const data = wb.getWorksheet('data')!;
    expect(data.rowCount).toBe(31);
    const header = (data.getRow(1).values as unknown[]).slice(1);
    const op = header.indexOf('opinion') + 1;
    const cells = new Set<unknown>();
    for (let i = 2; i <= 31; i++) cells.add(data.getRow(i).getCell(op).value);
    // Typed cells: text is text (never a formula), so no apostrophe is needed.
    expect(cells.has('=HYPERLINK("http://evil.example","click")')).toBe(true);
    expect(cells.has('Керемет 🎉👍🏽 emoji')).toBe(true);
    const moodCol = header.indexOf('mood') + 1;
    expect(typeof data.getRow(2).getCell(moodCol).value).toBe('number');
    const labels = wb.getWorksheet('value labels')!;
    const rows = labels.getSheetValues().slice(2).map((x) => (x as unknown[]).slice(1));
    expect(rows).toContainEqual(['a4', 'dk', 'Hard to say', 'yes', '-1']);
  });

  it('refuses bad usage with exit 2 and one line, writing nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--wave', String(fx.waveId), '--format', 'csv'], /--out is required/],
      [['--wave', String(fx.waveId), '--format', 'pdf', '--out', out('x.pdf')], /--format must be one of csv, xlsx, sav/],
      [['--wave', '999', '--format', 'csv', '--out', out('x.csv')], /--wave 999: no such wave/],
      [['--wave', String(fx.waveId), '--format', 'sav', '--labels', '--out', out('x.sav')], /--labels applies to csv and xlsx/],
      [['--wave', String(fx.waveId), '--format', 'csv', '--run', '1', '--out', out('x.csv')], /--run 1: no such estimate run/],
      [['--run', '1', '--format', 'csv', '--out', out('x.csv')], /--run 1: no such estimate run/],
      [['--run', 'x', '--format', 'csv', '--out', out('x.csv')], /--run must be a whole number/],
      [['--format', 'csv', '--out', out('x.csv')], /--wave ID \(a wave's microdata\) or --run N \(a run's results\) is required/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBe(1);
    }
    expect(fs.readdirSync(fx.dir).filter((f) => f.startsWith('x.') || f.includes('.tmp'))).toEqual([]);
  });
});
