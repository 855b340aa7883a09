// CSV downloads of `series` and `breakdowns` (docs/PUBLIC-API.md, `?format=csv`): the same rows as
// the JSON, one header row, UTF-8 with a byte-order mark so Excel reads Cyrillic and Kazakh letters,
// label columns in the language asked for. Numbers are written unrounded, as in the JSON.
import { LOCALES } from '../../contract/locales';
import type { BreakdownsBodyT, LocalizedT, SeriesBodyT } from './schemas';

export const CSV_LANGS = LOCALES;
export type CsvLang = (typeof CSV_LANGS)[number];

type Cell = string | number | boolean | null | undefined;

/** One field, quoted when it holds a comma, quote or line break (RFC 4180); null → empty. */
function field(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(header: readonly string[], rows: readonly Cell[][]): string {
  const lines = [header.join(','), ...rows.map((r) => r.map(field).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const SERIES_HEADER = [
  'demo', 'indicator', 'indicator_name', 'kind', 'period', 'run_id', 'published_at', 'n', 'value', 'se', 'ci95_low', 'ci95_high', 'deff',
  'change_from', 'change_delta', 'change_z', 'change_significant', 'revised', 'waves', 'provisional', 'target', 'gap', 'status',
] as const;

/** The series as CSV: one row per published wave, then one per year. */
export function seriesCsv(body: SeriesBodyT, lang: CsvLang): string {
  const name = body.indicator.name[lang];
  const rows: Cell[][] = body.waves.map((w) => [
    body.demo, body.indicator.id, name, 'wave', w.period, w.runId, w.publishedAt, w.n, w.value, w.se, w.ci95[0], w.ci95[1], w.deff,
    w.change?.from, w.change?.delta, w.change?.z, w.change?.significant, w.revised, null, null, null, null, null,
  ]);
  for (const y of body.years) {
    rows.push([
      body.demo, body.indicator.id, name, 'year', String(y.year), null, null, null, y.value, y.se, y.ci95[0], y.ci95[1], null,
      null, null, null, null, null, y.waves, y.provisional, y.target, y.gap, y.status,
    ]);
  }
  return toCsv(SERIES_HEADER, rows);
}

const BREAKDOWN_HEADER = [
  'demo', 'period', 'by', 'indicator', 'indicator_name', 'level', 'level_label', 'n', 'value', 'se', 'ci95_low', 'ci95_high', 'suppressed', 'low_precision',
] as const;

/** A breakdown as CSV: one row per indicator and level; a suppressed level has empty numbers. */
export function breakdownsCsv(body: BreakdownsBodyT, names: Readonly<Record<string, LocalizedT>>, lang: CsvLang): string {
  const rows: Cell[][] = [];
  for (const ind of body.indicators) {
    for (const l of ind.levels) {
      rows.push([
        body.demo, body.period, body.by, ind.id, names[ind.id]?.[lang], l.level, l.label[lang], l.n, l.value, l.se, l.ci95?.[0], l.ci95?.[1], l.suppressed, l.lowPrecision,
      ]);
    }
  }
  return toCsv(BREAKDOWN_HEADER, rows);
}
