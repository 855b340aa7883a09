// `kelisim export --wave ID --run N` (a run's final weight and exclusion on every row, the quality
// flags as variables) and `kelisim export --run N` (a run's results as tables), on the R reference
// interviews with a stored run: the exported weights must reproduce the stored run's numbers
// (population total, Kish n, the indicator mean), the flags must be the planted speeders and the
// straightliners counted on the raw answers, a run the database no longer matches is refused,
// and the results tables read back (CSV, and XLSX with exceljs) equal the stored run document.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Z975 } from '../../../analysis/estimates';
import { writeExport, type DownloadRequest } from '../../../server/exports/download';
import { exportWave } from '../../../server/exports/service';
import { DomainError } from '../../../server/errors';
import { statusOf } from '../../../server/http/domain-status';
import { BREAKDOWNS, INDICATOR_IDS, QUALITY_FLAGS } from '../../../server/runs/result';
import { parseCsvText } from '../../../server/tables/read-table';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';
import { REFERENCE_DIR } from '../runs/reference-import';
import { parseCsvExact } from './csv-exact';
import { exportEngine, type ExportEngine } from './engine';
import { createRunFixture, type RunFixture } from './run-fixture';

let fx: RunFixture;
let on: ExportEngine;
beforeAll(async () => { fx = await createRunFixture(); on = await exportEngine(fx.file); }, 120_000);
afterAll(async () => { await on.close(); fs.rmSync(fx.dir, { recursive: true, force: true }); });

const env = () => on.env;

/** The reference interviews: ids in file order, and the ids of those with one identical answer to a1–a5 (c1–c5 there). */
function reference(): { ids: string[]; straightliners: Set<string> } {
  const file = path.join(REFERENCE_DIR, 'raking-a', 'responses.csv');
  const table = parseCsvText(fs.readFileSync(file, 'utf8'), file);
  const h = table.header;
  const cols = ['c1', 'c2', 'c3', 'c4', 'c5'].map((c) => h.indexOf(c));
  const ids = table.records.map((r) => r.cells[h.indexOf('id')]!);
  const straightliners = new Set(table.records.filter((r) => { const v = cols.map((c) => r.cells[c]!); return v[0] !== '' && v.every((x) => x === v[0]); }).map((r) => r.cells[h.indexOf('id')]!));
  return { ids, straightliners };
}

function table(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...rest] = parseCsvExact(text);
  return { header: header!, rows: rest.map((r) => Object.fromEntries(header!.map((c, k) => [c, r[k]!]))) };
}

const close = (a: number, b: number, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

describe('export --wave --run: the run\'s weight and exclusion on every row', () => {
  it('writes weights that reproduce the stored run, and the flags that excluded each row', async () => {
    const out = path.join(fx.dir, 'run.csv');
    const r = await runCli(['export', '--wave', String(fx.waveId), '--run', String(fx.run.row.id), '--format', 'csv', '--lang', 'ru', '--out', out], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`with run ${fx.run.row.id}: 1500 responses`);
    const { header, rows } = table(fs.readFileSync(out, 'utf8'));
    for (const f of QUALITY_FLAGS) expect(header).toContain(`flag_${f}`);
    expect(header.slice(-3)).toEqual(['run_weight', 'run_excluded', 'run_excluded_by']);
    const s = fx.run.result.sample;
    const used = rows.filter((x) => x.run_excluded === '0');
    const excluded = rows.filter((x) => x.run_excluded === '1');
    expect(used.length).toBe(s.used);
    expect(excluded.length).toBe(s.excluded);
    expect(s.excluded).toBeGreaterThan(fx.speeders);
    // Excluded rows have no weight and say why; used rows have a weight and no reason.
    for (const x of excluded) { expect(x.run_weight).toBe(''); expect(x.run_excluded_by).not.toBe(''); }
    for (const x of used) { expect(Number(x.run_weight)).toBeGreaterThan(0); expect(x.run_excluded_by).toBe(''); }
    for (const f of fx.run.result.options.exclude) {
      expect(rows.filter((x) => x.run_excluded_by.split(' ').includes(f)).length, f).toBe(s.excludedBy[f]);
      expect(rows.filter((x) => x[`flag_${f}`] === '1').length, f).toBe(s.excludedBy[f]);
    }
    // The flags are the planted speeders and the straightliners counted on the raw answers.
    const ref = reference();
    const plantedSpeeders = ref.ids.filter((_, i) => i % 50 === 0).sort();
    expect(rows.filter((x) => x.flag_speeder === '1').map((x) => x.response_id).sort()).toEqual(plantedSpeeders);
    expect(new Set(rows.filter((x) => x.flag_straightliner === '1').map((x) => x.response_id))).toEqual(ref.straightliners);
    // The weights are the run's: they sum to the population, give its Kish n, extremes and indicator mean.
    const a = fx.run.result.analysis;
    const w = used.map((x) => Number(x.run_weight));
    const sum = w.reduce((p, q) => p + q, 0);
    expect(close(sum, a.populationTotal)).toBe(true);
    expect(close(sum * sum / w.reduce((p, q) => p + q * q, 0), a.weights.kishEffectiveN)).toBe(true);
    expect(Math.min(...w)).toBe(a.weights.min);
    expect(Math.max(...w)).toBe(a.weights.max);
    for (const id of INDICATOR_IDS) {
      const scored = used.filter((x) => x[id] !== '');
      const mean = scored.reduce((p, x) => p + Number(x.run_weight) * Number(x[id]), 0) / scored.reduce((p, x) => p + Number(x.run_weight), 0);
      expect(close(mean, a.indicators[id]!.mean!), id).toBe(true);
    }
    // The codebook carries the run's provenance.
    const cb = table(fs.readFileSync(out.replace(/\.csv$/, '.codebook.csv'), 'utf8')).rows.filter((x) => x.section === 'export');
    const prov = Object.fromEntries(cb.map((x) => [x.variable, x.label]));
    expect(prov.run).toBe(String(fx.run.row.id));
    expect(prov['run computed by']).toBe('researcher@test');
    expect(prov['run computed at']).toBe(fx.run.row.createdAt);
    expect(prov['run frame hash']).toBe(fx.run.row.frameHash);
    expect(prov['run frame']).toContain('ref (id ');
    // The run was computed in this process (TypeScript), the export by the compiled command, whose
    // engine version differs (it hashes other files): accepted because the result recomputes equal.
    expect(prov['run engine version']).toMatch(new RegExp(`^${fx.run.row.engineVersion.replace(/[.+]/g, '\\$&')}( \\(weights recomputed by \\S+, which gives the same result\\))?$`));
    expect(prov['run options']).toBe(`min cell size 20; weight bounds 0.3–5; excluded flags ${fx.run.result.options.exclude.join(', ')}`);
    expect(prov['run input hash']).toContain(fx.run.row.inputHash);
    // Variable labels in the chosen language.
    const labels = Object.fromEntries(table(fs.readFileSync(out.replace(/\.csv$/, '.codebook.csv'), 'utf8')).rows.filter((x) => x.section === 'variable').map((x) => [x.variable, x.label]));
    expect(labels.run_weight).toBe(`Итоговый вес (расчёт №${fx.run.row.id})`);
    expect(labels.flag_speeder).toMatch(/^Признак качества: /);
  });

  it('computes the same flags without --run (as runs do), empty for responses that are not complete', async () => {
    const out = path.join(fx.dir, 'flags.csv');
    const withRun = path.join(fx.dir, 'flags-run.csv');
    await exportWave(on.db, { waveId: fx.waveId, format: 'csv', lang: 'en', status: 'all', labels: false, out });
    await exportWave(on.db, { waveId: fx.waveId, format: 'csv', lang: 'en', status: 'all', labels: false, out: withRun, runId: fx.run.row.id });
    const plain = table(fs.readFileSync(out, 'utf8'));
    const run = table(fs.readFileSync(withRun, 'utf8'));
    expect(plain.header).not.toContain('run_weight');
    for (const f of QUALITY_FLAGS) expect(plain.rows.map((x) => x[`flag_${f}`])).toEqual(run.rows.map((x) => x[`flag_${f}`]));
    expect(plain.rows.filter((x) => x.flag_speeder === '1').length).toBe(fx.speeders);
  });

  it('refuses a run of another wave (exit 2) and an unknown run (exit 2)', async () => {
    const out = path.join(fx.dir, 'other.csv');
    const other = await runCli(['export', '--wave', String(fx.otherWaveId), '--run', String(fx.run.row.id), '--format', 'csv', '--out', out], env());
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`--run ${fx.run.row.id} is a run of wave ${fx.waveId} (2024-Q2), not of --wave ${fx.otherWaveId} (2024-Q3)`);
    const unknown = await runCli(['export', '--wave', String(fx.waveId), '--run', '999', '--format', 'sav', '--out', out], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--run 999: no such estimate run');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses (exit 1, nothing written) once a response the run read has changed', async () => {
    const dir = fs.mkdtempSync(path.join(fx.dir, 'tampered-'));
    const file = path.join(dir, 'kelisim.db');
    fs.copyFileSync(fx.file, file);
    const raw = new Database(file);
    raw.prepare("UPDATE responses SET mood = 0, item_scores = json_set(item_scores, '$.c1', 0, '$.c2', 0, '$.c3', 0, '$.c4', 0, '$.c5', 0) WHERE id = 'r00777'").run();
    raw.close();
    // The tampered copy on this run's engine (on PostgreSQL: copied there after the change).
    const tampered = await exportEngine(file);
    const out = path.join(dir, 'w.sav');
    const r = await runCli(['export', '--wave', String(fx.waveId), '--run', String(fx.run.row.id), '--format', 'sav', '--out', out], tampered.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`run ${fx.run.row.id} no longer matches the database: its input rows changed since ${fx.run.row.createdAt}`);
    expect(r.stderr).toMatch(/from "r\d+" to "r\d+" \(id order\) changed/);
    expect(r.stderr).toContain(`compute a new run (kelisim estimate --wave ${fx.waveId} --frame ref)`);
    expect(fs.readdirSync(dir).filter((f) => f.includes('w.sav'))).toEqual([]);
    // Without --run the same wave still exports.
    const plain = await runCli(['export', '--wave', String(fx.waveId), '--format', 'sav', '--out', out], tampered.env);
    await tampered.close();
    expect(plain.code).toBe(0);
  });

  it('refuses a run whose stored result the same rows no longer give (another engine): in-process, nothing written', async () => {
    const dir = fs.mkdtempSync(path.join(fx.dir, 'engine-'));
    const file = path.join(dir, 'kelisim.db');
    fs.copyFileSync(fx.file, file);
    // Simulates a run computed by an engine that weighted differently: its stored Kish n differs
    // (the immutability trigger is dropped in this copy only, to write it).
    const raw = new Database(file);
    raw.exec('DROP TRIGGER estimate_runs_immutable_update');
    raw.prepare("UPDATE estimate_runs SET result = json_set(result, '$.analysis.weights.kishEffectiveN', 1234.5) WHERE id = ?").run(fx.run.row.id);
    raw.close();
    const other = await exportEngine(file);
    const out = path.join(dir, 'w.xlsx');
    try {
      const err = await exportWave(other.db, { waveId: fx.waveId, format: 'xlsx', lang: 'kk', status: 'complete', labels: false, out, runId: fx.run.row.id }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('run_outdated');
      expect((err as DomainError).message).toContain('the same rows now give another result under engine');
      expect((err as DomainError).message).toContain('analysis.weights.kishEffectiveN: stored 1234.5');
    } finally { await other.close(); }
    expect(fs.readdirSync(dir).filter((f) => f.includes('w.xlsx'))).toEqual([]);
  });
});

describe('export --run: the run\'s results as tables', () => {
  const surveyRegion = (): Map<string, Record<string, string>> => {
    const json = JSON.parse(fs.readFileSync(path.join(OFFICIAL_SURVEYS_DIR, 'official/survey.json'), 'utf8')) as unknown;
    const out = new Map<string, Record<string, string>>();
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) { x.forEach(walk); return; }
      if (!x || typeof x !== 'object') return;
      const o = x as Record<string, unknown>;
      if (o.name === 'region' && Array.isArray(o.choices)) for (const c of o.choices as { value: string; text: Record<string, string> }[]) out.set(c.value, { kk: c.text.default!, ru: c.text.ru!, en: c.text.en! });
      Object.values(o).forEach(walk);
    };
    walk(json);
    return out;
  };

  function expectEstimates(rows: Record<string, string | number | boolean | null>[], lang: 'kk' | 'ru' | 'en'): void {
    const r = fx.run.result;
    const num = (x: unknown) => (x === '' || x === null || x === undefined ? null : Number(x));
    const regions = surveyRegion();
    let k = 0;
    for (const id of INDICATOR_IDS) {
      const ind = r.analysis.indicators[id]!;
      const total = rows[k++]!;
      expect([total.indicator, total.domain, total.level]).toEqual([id, 'total', 'total']);
      expect(num(total.estimate)).toBe(ind.mean);
      expect([num(total.ci95_low), num(total.ci95_high)]).toEqual(ind.ci95);
      expect(num(total.se)).toBe(ind.se);
      expect(num(total.n)).toBe(ind.nScored);
      expect(num(total.kish_n)).toBe(r.analysis.weights.kishEffectiveN);
      expect(num(total.deff)).toBe(ind.deff);
      for (const by of BREAKDOWNS) {
        for (const d of ind.domains[by]!) {
          const row = rows[k++]!;
          expect([row.indicator, row.domain, row.level, String(row.suppressed)]).toEqual([id, by, d.level, String(d.suppressed)]);
          expect(String(row.run_id)).toBe(String(fx.run.row.id));
          if (d.suppressed) {
            for (const c of ['estimate', 'ci95_low', 'ci95_high', 'se', 'n'] as const) expect(num(row[c]), `${id} ${by} ${d.level} ${c}`).toBeNull();
          } else {
            expect(num(row.estimate)).toBe(d.mean);
            expect(num(row.se)).toBe(d.se);
            expect(num(row.n)).toBe(d.n);
            expect(num(row.ci95_low)).toBe(d.mean - Z975 * d.se);
            expect(num(row.ci95_high)).toBe(d.mean + Z975 * d.se);
            expect(String(row.low_precision)).toBe(String(d.lowPrecision));
          }
          if (by === 'region') expect(row.level_label).toBe(regions.get(d.level)![lang]);
        }
      }
    }
    expect(rows.length).toBe(k);
    expect(rows.some((x) => String(x.suppressed) === 'true')).toBe(true);
  }

  it('writes the estimates and diagnostics as CSV (UTF-8 with BOM) equal to the stored run', async () => {
    const out = path.join(fx.dir, 'results.csv');
    const r = await runCli(['export', '--run', String(fx.run.row.id), '--format', 'csv', '--lang', 'kk', '--out', out], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expectEstimates(table(text).rows, 'kk');
    const diag = table(fs.readFileSync(path.join(fx.dir, 'results.diagnostics.csv'), 'utf8')).rows;
    const get = (section: string, statistic: string, subject = '') => diag.find((x) => x.section === section && x.statistic === statistic && x.subject === subject)?.value;
    const res = fx.run.result;
    expect(Number(get('weights', 'kish_effective_n'))).toBe(res.analysis.weights.kishEffectiveN);
    expect(Number(get('weights', 'design_effect'))).toBe(res.analysis.weights.designEffect);
    expect(Number(get('sample', 'excluded'))).toBe(res.sample.excluded);
    for (const [f, c] of Object.entries(res.sample.excludedBy)) expect(Number(get('sample', 'excluded_by', f))).toBe(c);
    expect(get('run', 'frame_hash')).toBe(fx.run.row.frameHash);
    expect(get('run', 'computed_by')).toBe('researcher@test');
    expect(get('run', 'engine_version')).toBe(res.engineVersion);
    expect(Number(get('indicator', 'cronbach_alpha', 'consensus'))).toBe(res.analysis.indicators.consensus!.cronbachAlpha);
    expect(diag.filter((x) => x.section === 'margin_cell' && x.statistic === 'weighted_share').length).toBe(res.marginCells.length);
  });

  it('writes them as XLSX (two sheets, typed cells) equal to the stored run, in ru and en', async () => {
    for (const lang of ['ru', 'en'] as const) {
      const out = path.join(fx.dir, `results-${lang}.xlsx`);
      const r = await runCli(['export', '--run', String(fx.run.row.id), '--format', 'xlsx', '--lang', lang, '--out', out], env());
      expect(r.code, r.stderr).toBe(0);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(out);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['estimates', 'diagnostics']);
      const ws = wb.getWorksheet('estimates')!;
      const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
      const rows: Record<string, string | number | boolean | null>[] = [];
      for (let i = 2; i <= ws.rowCount; i++) {
        const values = ws.getRow(i).values as unknown[];
        rows.push(Object.fromEntries(header.map((h, k) => [h, (values[k + 1] ?? null) as string | number | boolean | null])));
      }
      expect(typeof rows[0]!.estimate).toBe('number');
      expectEstimates(rows, lang);
    }
  });

  it('refuses --status with a run\'s results and sav as their format (exit 2)', async () => {
    const out = path.join(fx.dir, 'bad.sav');
    const sav = await runCli(['export', '--run', String(fx.run.row.id), '--format', 'sav', '--out', out], env());
    expect(sav.code).toBe(2);
    expect(sav.stderr).toContain("--format must be one of csv, xlsx for a run's results");
    const status = await runCli(['export', '--run', String(fx.run.row.id), '--format', 'csv', '--status', 'all', '--out', out], env());
    expect(status.code).toBe(2);
  });
});

describe('writeExport: a download over real HTTP', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const request = JSON.parse(decodeURIComponent(req.url!.slice(1))) as DownloadRequest;
      writeExport(on.db, request, res).catch((err: unknown) => {
        if (err instanceof DomainError && !res.headersSent) { res.statusCode = statusOf(err); res.end(JSON.stringify({ code: err.code, message: err.message })); return; }
        res.destroy(err as Error);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (req: DownloadRequest) => fetch(base + encodeURIComponent(JSON.stringify(req)));

  it('sends the microdata with the run, byte for byte as the command writes it, with name and media type', async () => {
    const res = await get({ kind: 'wave', waveId: fx.waveId, format: 'csv', lang: 'ru', runId: fx.run.row.id });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="kelisim-wave-${fx.waveId}-2024-Q2-run-${fx.run.row.id}-ru.csv"; filename*=UTF-8''kelisim-wave-${fx.waveId}-2024-Q2-run-${fx.run.row.id}-ru.csv`);
    const body = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    const out = path.join(fx.dir, 'same.csv');
    await exportWave(on.db, { waveId: fx.waveId, format: 'csv', lang: 'ru', status: 'complete', labels: false, out, runId: fx.run.row.id });
    expect(body.equals(fs.readFileSync(out))).toBe(true);
  });

  it('sends a run\'s results as XLSX and an SPSS file with their media types', async () => {
    const x = await get({ kind: 'run', runId: fx.run.row.id, format: 'xlsx', lang: 'en' });
    expect(x.status).toBe(200);
    expect(x.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(x.headers.get('content-disposition')).toContain(`kelisim-run-${fx.run.row.id}-2024-Q2-results-en.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['estimates', 'diagnostics']);
    const s = await get({ kind: 'wave', waveId: fx.waveId, format: 'sav', lang: 'kk' });
    expect(s.headers.get('content-type')).toBe('application/x-spss-sav');
    expect(Buffer.from(await s.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('$FL2');
  });

  it('serves two downloads at once on one server connection (each export reads on its own)', async () => {
    const [a, b] = await Promise.all([
      get({ kind: 'wave', waveId: fx.waveId, format: 'xlsx', lang: 'kk', runId: fx.run.row.id }),
      get({ kind: 'wave', waveId: fx.waveId, format: 'xlsx', lang: 'ru', status: 'all' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const sheets: ExcelJS.Worksheet[] = [];
    for (const res of [a, b]) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(await res.arrayBuffer());
      sheets.push(wb.getWorksheet('data')!);
      expect(sheets[sheets.length - 1]!.rowCount).toBe(1501);
    }
    // The run's weights are typed numbers in the XLSX, one per used row.
    const header = (sheets[0]!.getRow(1).values as unknown[]).slice(1);
    const w = header.indexOf('run_weight') + 1;
    expect(w).toBeGreaterThan(0);
    const weights = Array.from({ length: 1500 }, (_, i) => sheets[0]!.getRow(i + 2).getCell(w).value).filter((x) => x !== null);
    expect(weights.length).toBe(fx.run.result.sample.used);
    expect(weights.every((x) => typeof x === 'number' && x > 0)).toBe(true);
    expect((sheets[1]!.getRow(1).values as unknown[]).includes('run_weight')).toBe(false);
  });

  it('refuses before the first byte, so the route can answer with an error status', async () => {
    const res = await get({ kind: 'wave', waveId: fx.otherWaveId, format: 'csv', lang: 'en', runId: fx.run.row.id });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-disposition')).toBeNull();
    const body = await res.json() as { code: string; message: string };
    expect(body.code).toBe('run_of_other_wave');
    const sav = await get({ kind: 'run', runId: fx.run.row.id, format: 'sav', lang: 'en' } as unknown as DownloadRequest);
    expect(sav.status).toBe(400);
    expect((await sav.json() as { message: string }).message).toBe('format must be one of csv, xlsx for a run export, got "sav"');
    const stale = await get({ kind: 'run', runId: 999, format: 'csv', lang: 'en' });
    expect(stale.status).toBe(404);
  });
});
