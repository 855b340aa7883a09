// A run's results as tidy tables (issue 9): `kelisim export --run N --format csv|xlsx --out F`.
// "estimates": one row per indicator × domain × level (the whole sample first, domain "total"),
// with estimate, 95% CI, SE, n, Kish effective n and design effect; a domain level under 30
// respondents is suppressed exactly as the public API suppresses it (no numbers, `suppressed`
// true). "diagnostics": one row per statistic (run provenance, sample and exclusions, weights,
// raking, reliability, margin cells). Read from the stored run document only: nothing is recomputed.
// CSV: UTF-8 with BOM, the estimates in F and the diagnostics in `<F>.diagnostics.csv`; XLSX: two
// sheets. Labels (indicator names, level labels) in --lang.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { Z975 } from '../../analysis/estimates';
import type { Sql } from '../db/sql';
import { INDICATOR_IDS, BREAKDOWNS, type StoredRunResult } from '../runs/result';
import { requireRun, type StoredRun } from '../runs/service';
import { getSurveyVersion } from '../surveys/service';
import { inExportSnapshot, type ExportDatabase } from './snapshot';
import { csvField, neutralise } from './csv';
import { withSink } from './file-sink';
import { exportVariables, INDICATOR_LABELS, labelOf, type ExportVariable, type Lang } from './variables';

export type Cell = string | number | boolean | null;

export const ESTIMATE_COLUMNS = [
  'run_id', 'period', 'indicator', 'indicator_name', 'domain', 'level', 'level_label',
  'estimate', 'ci95_low', 'ci95_high', 'se', 'n', 'kish_n', 'deff', 'suppressed', 'low_precision',
] as const;

export const DIAGNOSTIC_COLUMNS = ['run_id', 'section', 'subject', 'level', 'statistic', 'value'] as const;

const TOTAL = { kk: 'Барлығы', ru: 'Всего', en: 'Total' } as const;

export const RESULT_FORMATS = ['csv', 'xlsx'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** The level labels of the domain questions (region, sex, settlement, ethnicity) in `lang`, from the run's questionnaire. */
async function levelLabeller(sql: Sql, run: StoredRun, lang: Lang): Promise<(by: string, level: string) => string> {
  const ids = [...run.row.surveyVersionIds].sort((a, b) => b - a);
  const version = ids.length > 0 ? await getSurveyVersion(sql, ids[0]!) : undefined;
  const vars = new Map<string, ExportVariable>();
  if (version) for (const v of exportVariables(version.row.json, version.spec, lang)) vars.set(v.name, v);
  return (by, level) => {
    const v = vars.get(by);
    const label = v ? labelOf(v, level) : undefined;
    return label ?? (by === 'age' ? level.replace('-', '–') : level);
  };
}

/** The estimates table of a stored run (cells typed: numbers as numbers, null = empty). */
export function estimateRows(run: StoredRun, lang: Lang, levelLabel: (by: string, level: string) => string): Cell[][] {
  const r = run.result;
  const rows: Cell[][] = [];
  const runId = run.row.id;
  const period = r.wave.period;
  for (const id of INDICATOR_IDS) {
    const ind = r.analysis.indicators[id];
    if (!ind) continue;
    const name = INDICATOR_LABELS[id]?.[lang] ?? id;
    rows.push([
      runId, period, id, name, 'total', 'total', TOTAL[lang],
      ind.mean, ind.ci95?.[0] ?? null, ind.ci95?.[1] ?? null, ind.se, ind.nScored, r.analysis.weights.kishEffectiveN, ind.deff, false, false,
    ]);
    for (const by of BREAKDOWNS) {
      for (const d of ind.domains[by] ?? []) {
        const label = levelLabel(by, d.level);
        if (d.suppressed) {
          rows.push([runId, period, id, name, by, d.level, label, null, null, null, null, null, null, null, true, false]);
        } else {
          rows.push([runId, period, id, name, by, d.level, label, d.mean, d.mean - Z975 * d.se, d.mean + Z975 * d.se, d.se, d.n, null, null, false, d.lowPrecision]);
        }
      }
    }
  }
  return rows;
}

/** The diagnostics table of a stored run: provenance, sample, weights, raking, reliability, margin cells. */
export function diagnosticRows(run: StoredRun): Cell[][] {
  const { row } = run;
  const r: StoredRunResult = run.result;
  const out: Cell[][] = [];
  const add = (section: string, subject: string | null, level: string | null, statistic: string, value: Cell) => out.push([row.id, section, subject, level, statistic, value]);
  add('run', null, null, 'wave', row.waveId);
  add('run', null, null, 'period', r.wave.period);
  add('run', null, null, 'survey', r.wave.surveyId);
  add('run', null, null, 'survey_versions', row.surveyVersionIds.join(' '));
  add('run', null, null, 'frame', r.frame.name);
  add('run', null, null, 'frame_id', r.frame.id);
  add('run', null, null, 'frame_source', r.frame.source);
  add('run', null, null, 'frame_reference_date', r.frame.referenceDate);
  add('run', null, null, 'frame_illustrative', r.frame.illustrative);
  add('run', null, null, 'frame_hash', row.frameHash);
  add('run', null, null, 'min_cell_size', r.options.minCellSize);
  add('run', null, null, 'weight_bounds', r.options.bounds ? r.options.bounds.join(',') : 'none');
  add('run', null, null, 'excluded_flags', r.options.exclude.join(' ') || 'none');
  add('run', null, null, 'engine_version', r.engineVersion);
  add('run', null, null, 'input_hash', row.inputHash);
  add('run', null, null, 'scoring_hash', row.scoringHash);
  add('run', null, null, 'computed_at', row.createdAt);
  add('run', null, null, 'computed_by', row.createdBy);
  add('sample', null, null, 'completes', r.sample.completes);
  add('sample', null, null, 'used', r.sample.used);
  add('sample', null, null, 'excluded', r.sample.excluded);
  for (const [flag, count] of Object.entries(r.sample.excludedBy)) add('sample', flag, null, 'excluded_by', count);
  add('sample', null, null, 'overruled', r.sample.overruled);
  const a = r.analysis;
  add('weights', null, null, 'n', a.n);
  add('weights', null, null, 'population_total', a.populationTotal);
  for (const [k, v] of Object.entries(a.weights)) add('weights', null, null, snake(k), v);
  add('raking', null, null, 'converged', a.raking.converged);
  add('raking', null, null, 'iterations', a.raking.iterations);
  add('raking', null, null, 'max_margin_error', a.raking.maxMarginError);
  for (const m of a.raking.merged) add('raking', m.margin, m.from, 'merged_into', m.into);
  for (const im of a.raking.imputed ?? []) add('raking', im.variable, im.value, 'imputed', im.count);
  for (const id of INDICATOR_IDS) {
    const ind = a.indicators[id];
    if (!ind) continue;
    add('indicator', id, null, 'n_scored', ind.nScored);
    add('indicator', id, null, 'unweighted_mean', ind.unweightedMean);
    add('indicator', id, null, 'cronbach_alpha', ind.cronbachAlpha);
    add('indicator', id, null, 'alpha_n', ind.alphaN);
    add('indicator', id, null, 'share_at_least_60', ind.shareAtLeast60?.share ?? null);
    add('indicator', id, null, 'share_at_least_60_se', ind.shareAtLeast60?.se ?? null);
  }
  for (const c of r.marginCells) {
    add('margin_cell', c.margin, c.level, 'members', c.members.join(' '));
    add('margin_cell', c.margin, c.level, 'n', c.n);
    add('margin_cell', c.margin, c.level, 'population', c.population);
    add('margin_cell', c.margin, c.level, 'weighted', c.weighted);
    add('margin_cell', c.margin, c.level, 'population_share', c.populationShare);
    add('margin_cell', c.margin, c.level, 'weighted_share', c.weightedShare);
  }
  return out;
}

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A typed cell as CSV text: numbers as JavaScript prints them (exact), booleans true/false, text neutralised against formulas. */
export function csvCell(x: Cell): string {
  if (x === null) return '';
  if (typeof x === 'number') return Number.isFinite(x) ? String(x) : '';
  if (typeof x === 'boolean') return x ? 'true' : 'false';
  return csvField(neutralise(x));
}

/** A whole table as CSV: BOM, header, CRLF lines (RFC 4180). */
export function csvTable(header: readonly string[], rows: readonly Cell[][]): string {
  return `\uFEFF${[header.map((h) => csvField(h)).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n')}\r\n`;
}

/** `<out>.diagnostics.csv` beside a results CSV. */
export function diagnosticsFileFor(out: string): string {
  const ext = path.extname(out);
  return `${ext ? out.slice(0, -ext.length) : out}.diagnostics.csv`;
}

export interface RunResultsOptions { runId: number; format: ResultFormat; lang: Lang; out: string }

export interface RunResultsSummary { format: ResultFormat; rows: number; files: string[] }

/**
 * Writes run `runId`'s results (nothing half-written on failure).
 * @throws DomainError not_found for an unknown run
 */
export async function exportRunResults(db: ExportDatabase, o: RunResultsOptions): Promise<RunResultsSummary> {
  // The stored run and its questionnaire only (small): read, then written outside the snapshot.
  const { run, labeller } = await inExportSnapshot(db, async (snap) => {
    const stored = await requireRun(snap.sql, o.runId);
    return { run: stored, labeller: await levelLabeller(snap.sql, stored, o.lang) };
  });
  const estimates = estimateRows(run, o.lang, labeller);
  const diagnostics = diagnosticRows(run);
  if (o.format === 'csv') {
    const second = diagnosticsFileFor(o.out);
    await withSink(o.out, (sink) => sink.write(csvTable(ESTIMATE_COLUMNS, estimates)));
    await withSink(second, (sink) => sink.write(csvTable(DIAGNOSTIC_COLUMNS, diagnostics)));
    return { format: 'csv', rows: estimates.length, files: [o.out, second] };
  }
  await writeXlsxTables(o.out, [
    { name: 'estimates', header: ESTIMATE_COLUMNS, rows: estimates },
    { name: 'diagnostics', header: DIAGNOSTIC_COLUMNS, rows: diagnostics },
  ]);
  return { format: 'xlsx', rows: estimates.length, files: [o.out] };
}

/** Small tables as an XLSX workbook, one sheet each, with exceljs's streaming writer as the microdata (typed cells: text is never a formula). */
export async function writeXlsxTables(out: string, sheets: { name: string; header: readonly string[]; rows: readonly Cell[][] }[]): Promise<void> {
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  const stream = fs.createWriteStream(tmp);
  const closed = new Promise<void>((resolve, reject) => { stream.on('finish', resolve); stream.on('error', reject); });
  try {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: false, useStyles: false });
    for (const s of sheets) {
      const ws = wb.addWorksheet(s.name);
      ws.addRow([...s.header]).commit();
      for (const r of s.rows) ws.addRow(r.map((x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x))).commit();
      await ws.commit();
    }
    await wb.commit();
    await closed;
    fs.renameSync(tmp, out);
  } catch (err) {
    stream.destroy();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
