// Population frames: the margins an estimate run rakes to (METHODOLOGY §3), stored once and never
// changed, in the format `kelisim analyze` reads (`margin,level,population`; crossed margins such
// as `sex:age` with levels `m:18-29`). A run records the frame's content hash.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { AnalysisError } from '../../analysis/errors';
import { parseMargins, type Margin } from '../../analysis/margins';
import { appendAudit } from '../audit/service';
import type { Db, Queryable } from '../db/open';
import { frames, type FrameRow } from '../db/schema';
import { DomainError } from '../errors';
import { surveyQuestions } from '../surveys/questions';
import { OFFICIAL_SURVEY_ID } from '../surveys/service';
import { latestSurveyVersion } from '../surveys/sqlite-sync';
import { parseCsvText, readTable, type Table } from '../tables/read-table';

/** The variables a frame may rake on: the weighting columns every complete response stores. */
export const FRAME_VARIABLES = ['region', 'settlement', 'sex', 'age', 'ethnicity'] as const;

/** Margins whose totals differ by more than this share are refused (the 0.5 %). */
export const MAX_TOTAL_DIFFERENCE = 0.005;

/** Name under which the cited 2021 census frame (surveys/population/) is loaded at start. */
export const CENSUS_FRAME_NAME = 'kz-census-2021';

export type FrameMarginRow = { margin: string; level: string; population: number };

const AGE_BAND = /^(\d+)-(\d+)$|^(\d+)\+$/;

/**
 * An age band label `LO-HI` or `LO+` in whole years (e.g. `18-29`, `60+`) as its bounds (`hi`
 * null: open-ended), or null when the label is not one (or LO > HI). Frames and quotas share it.
 * @example parseAgeBand('30-44') // { lo: 30, hi: 44 }
 */
export function parseAgeBand(label: string): { lo: number; hi: number | null } | null {
  const m = AGE_BAND.exec(label);
  if (!m) return null;
  if (m[3] !== undefined) return { lo: Number(m[3]), hi: null };
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  return lo > hi ? null : { lo, hi };
}

/** The choice values of question `name` in a SurveyJS JSON (any nesting of panels), or null when absent. */
export function questionChoices(json: Record<string, unknown>, name: string): string[] | null {
  for (const el of surveyQuestions(json, { panelTemplates: true })) {
    if (el.name !== name) continue;
    const choices = Array.isArray(el.choices) ? el.choices : [];
    return choices.map((c) => (c !== null && typeof c === 'object' ? String((c as { value: unknown }).value) : String(c)));
  }
  return null;
}

/** SHA-256 over the margins in their stored order: what a run records as the frame's content hash. */
export function framesContentHash(margins: readonly FrameMarginRow[]): string {
  const text = margins.map((m) => `${m.margin}\t${m.level}\t${m.population}`).join('\n');
  return createHash('sha256').update(text).digest('hex');
}

export interface FrameCheck {
  margins: FrameMarginRow[];
  /** Margins scaled to the first margin's total (within 0.5 %), with their factor. */
  scaled: { margin: string; total: number; factor: number }[];
}

/**
 * Checks the rows of a frame table (header margin, level, population; other columns ignored)
 * against the survey's variables and returns the margins to store. Refused, naming file and line:
 * a missing column, an empty or non-positive population, a duplicate level, a variable that is
 * not one of {@link FRAME_VARIABLES}, a level that is not a choice of the survey's question (age:
 * any `LO-HI` or `LO+` band), a margin whose total differs from the first margin's by more than
 * 0.5 %. Margins within 0.5 % are scaled to the first margin's total, because raking needs equal
 * totals (`analyze` itself allows 1e-9); the scaling is reported.
 * @throws DomainError bad_data
 */
export function checkFrameTable(table: Table, surveyJson: Record<string, unknown>): FrameCheck {
  const { file } = table;
  const col = (name: string): number => {
    const i = table.header.indexOf(name);
    if (i < 0) throw new DomainError('bad_data', 'invalid_frame', `${file} line 1: no column "${name}"; expected columns margin,level,population`, { file, line: 1 });
    return i;
  };
  const [ci, li, pi] = [col('margin'), col('level'), col('population')];
  if (table.records.length === 0) throw new DomainError('bad_data', 'invalid_frame', `${file}: no rows after the header`, { file });
  const known = new Map<string, string[] | null>();
  const rows: (FrameMarginRow & { line: number })[] = [];
  const seen = new Set<string>();
  const fail = (line: number, column: string, message: string): never => {
    throw new DomainError('bad_data', 'invalid_frame', `${file} line ${line}, column ${column}: ${message}`, { file, line, column });
  };
  for (const r of table.records) {
    const margin = r.cells[ci]!;
    const level = r.cells[li]!;
    const popText = r.cells[pi]!;
    if (margin === '') fail(r.line, 'margin', 'empty margin name');
    const variables = margin.split(':');
    for (const v of variables) {
      if (!(FRAME_VARIABLES as readonly string[]).includes(v)) {
        fail(r.line, 'margin', `unknown variable "${v}" in margin "${margin}"; a frame may use ${FRAME_VARIABLES.join(', ')}`);
      }
    }
    const parts = level.split(':');
    if (level === '' || parts.length !== variables.length || parts.some((p) => p === '')) {
      fail(r.line, 'level', `level "${level}" of margin "${margin}" must have ${variables.length} non-empty value(s) joined by ':'`);
    }
    variables.forEach((v, j) => {
      const part = parts[j]!;
      if (v === 'age') {
        if (!parseAgeBand(part)) fail(r.line, 'level', `age band "${part}" of margin "${margin}" must be LO-HI or LO+ in whole years (e.g. 18-29, 60+)`);
        return;
      }
      if (!known.has(v)) known.set(v, questionChoices(surveyJson, v));
      const choices = known.get(v);
      if (!choices) fail(r.line, 'margin', `the survey has no question "${v}"`);
      if (!choices!.includes(part)) fail(r.line, 'level', `unknown level "${part}" of ${v}; the survey's levels are ${choices!.join(', ')}`);
    });
    const population = popText === '' ? Number.NaN : Number(popText.replace(/[\s\u00a0]/g, ''));
    if (!Number.isFinite(population) || population <= 0) fail(r.line, 'population', `population "${popText}" of ${margin}=${level} must be a number greater than 0`);
    const key = `${margin}\u0000${level}`;
    if (seen.has(key)) fail(r.line, 'level', `level "${level}" of margin "${margin}" appears twice`);
    seen.add(key);
    rows.push({ margin, level, population, line: r.line });
  }
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.margin, (totals.get(r.margin) ?? 0) + r.population);
  const [firstName, firstTotal] = [...totals][0]!;
  const scaled: FrameCheck['scaled'] = [];
  for (const [name, total] of totals) {
    const diff = Math.abs(total - firstTotal) / firstTotal;
    if (diff > MAX_TOTAL_DIFFERENCE) {
      const line = rows.find((r) => r.margin === name)!.line;
      throw new DomainError('bad_data', 'invalid_frame',
        `${file} line ${line}, column population: margin "${name}" sums to ${total} but margin "${firstName}" sums to ${firstTotal} (${(diff * 100).toFixed(2)} % apart; at most 0.5 % is allowed)`,
        { file, line, margin: name });
    }
    if (total !== firstTotal) scaled.push({ margin: name, total, factor: firstTotal / total });
  }
  const factor = new Map(scaled.map((s) => [s.margin, s.factor]));
  const margins = rows.map((r) => ({ margin: r.margin, level: r.level, population: factor.has(r.margin) ? r.population * factor.get(r.margin)! : r.population }));
  try {
    parseMargins(margins);
  } catch (err) {
    if (err instanceof AnalysisError) throw new DomainError('bad_data', 'invalid_frame', `${file}: ${err.message}`, { file });
    throw err;
  }
  return { margins, scaled };
}

/** The frame's margins as the analysis engine takes them. */
export function frameMargins(frame: FrameRow): Margin[] {
  return parseMargins(frame.margins);
}

export interface FrameImport {
  name: string;
  source: string;
  referenceDate: string;
  illustrative: boolean;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function checkImportOptions(o: FrameImport): void {
  if (!NAME.test(o.name)) throw new DomainError('bad_usage', 'invalid_option', `--name "${o.name}": use 1–64 lower-case letters, digits, '.', '_' or '-' (e.g. kz-census-2021)`);
  if (o.source.trim() === '') throw new DomainError('bad_usage', 'invalid_option', '--source must say where the figures come from');
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(o.referenceDate);
  const date = d ? new Date(`${o.referenceDate}T00:00:00Z`) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== o.referenceDate) {
    throw new DomainError('bad_usage', 'invalid_option', `--reference-date "${o.referenceDate}" must be a date YYYY-MM-DD`);
  }
}

function officialSurveyJson(db: Queryable): Record<string, unknown> {
  const v = latestSurveyVersion(db, OFFICIAL_SURVEY_ID);
  if (!v) throw new DomainError('conflict', 'no_survey', 'no questionnaire is registered yet, so frame levels cannot be checked; start the server once (npm start)');
  return v.json;
}

export function findFrameByName(db: Queryable, name: string): FrameRow | undefined {
  return db.select().from(frames).where(eq(frames.name, name)).get();
}

export function findFrame(db: Queryable, id: number): FrameRow | undefined {
  return db.select().from(frames).where(eq(frames.id, id)).get();
}

export function listFrames(db: Queryable): FrameRow[] {
  return db.select().from(frames).orderBy(asc(frames.id)).all();
}

/**
 * Stores a checked frame under a new name (names are unique; a stored frame never changes), with
 * an audit entry 'frame.import', in one transaction.
 * @throws DomainError bad_usage (options), bad_data (content), conflict (name taken)
 */
export function storeFrame(db: Db, table: Table, o: FrameImport, actor: string, now = new Date()): { frame: FrameRow; scaled: FrameCheck['scaled'] } {
  checkImportOptions(o);
  return db.transaction((tx) => {
    const check = checkFrameTable(table, officialSurveyJson(tx));
    const existing = findFrameByName(tx, o.name);
    if (existing) {
      throw new DomainError('conflict', 'frame_exists', `--name ${o.name}: a frame with this name already exists (id ${existing.id}, ${existing.createdAt}); frames never change, import under a new name`);
    }
    const frame = tx.insert(frames).values({
      name: o.name, source: o.source.trim(), referenceDate: o.referenceDate, illustrative: o.illustrative,
      contentHash: framesContentHash(check.margins), margins: check.margins, createdBy: actor, createdAt: now.toISOString(),
    }).returning().get();
    appendAudit(tx, {
      actor, action: 'frame.import', subjectType: 'frame', subjectId: frame.id,
      after: { name: frame.name, file: path.basename(table.file), source: frame.source, referenceDate: frame.referenceDate, illustrative: frame.illustrative, contentHash: frame.contentHash, rows: check.margins.length, scaled: check.scaled },
    }, now);
    return { frame, scaled: check.scaled };
  }, { behavior: 'immediate' });
}

/** Reads `file` (CSV or XLSX) and stores it with {@link storeFrame}. */
export async function importFrameFile(db: Db, file: string, o: FrameImport, actor: string): Promise<{ frame: FrameRow; scaled: FrameCheck['scaled'] }> {
  checkImportOptions(o);
  const table = await readTable(file);
  return storeFrame(db, table, o, actor);
}

/**
 * Loads the cited 2021 census frame (`<surveysDir>/population/kz-census-2021-frame.csv`: sex,
 * settlement, ethnicity; whole population) as {@link CENSUS_FRAME_NAME}, once: a database that
 * already has a frame of that name keeps it. Source and reference date come from the file's own
 * columns. Call after the official survey is registered. Returns null when the folder has no
 * such file.
 */
export function ensureCensusFrame(db: Db, surveysDir: string, now = new Date()): { frame: FrameRow; created: boolean } | null {
  const existing = findFrameByName(db, CENSUS_FRAME_NAME);
  if (existing) return { frame: existing, created: false };
  const file = path.join(surveysDir, 'population', 'kz-census-2021-frame.csv');
  // A surveys folder without population figures (a test stand-in) has no census frame to load.
  if (!fs.existsSync(file)) return null;
  const table = parseCsvText(fs.readFileSync(file, 'utf8'), file);
  const col = (n: string) => table.header.indexOf(n);
  const sources = [...new Set(table.records.map((r) => r.cells[col('source')] ?? '').filter((s) => s !== ''))];
  const dates = [...new Set(table.records.map((r) => r.cells[col('reference_date')] ?? '').filter((s) => s !== ''))];
  const { frame } = storeFrame(db, table, {
    name: CENSUS_FRAME_NAME,
    source: sources.length > 0 ? sources.join('; ') : 'surveys/population/sources.md',
    referenceDate: dates[0] ?? '2021-10-01',
    illustrative: false,
  }, 'system', now);
  return { frame, created: true };
}
