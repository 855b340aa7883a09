// Importing field interviews (CAPI/PAPI/CATI) from a CSV: every row goes through the same strict
// completion validator and the same scoring (deriveColumns) as a web completion, against the
// wave's current questionnaire version. All or nothing: one bad row and nothing is written; the
// report names line, column and reason for the first 50 errors, then how many more there are.
// Re-importing the same file changes nothing: ids are `response_id`, or derived from the wave and
// the row's content (and its occurrence among identical rows), and a row already stored with the
// same answers is skipped. On both engines (decision 027): the rows are read, validated and scored
// first, then written in one store.write (the check for rows already stored inside it).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { getTableColumns, sql } from 'drizzle-orm';
import { AnalysisError } from '../../analysis/errors';
import { RESPONSE_MODES, responses, type WaveRow } from '../db/schema';
import { bare, statement, type Sql } from '../db/sql';
import type { Store } from '../db/store';
import { DomainError } from '../errors';
import { exportDerivedColumns } from '../exports/variables';
import { claimQuotaPlace } from '../quotas/service';
import { appendAuditEntry, latestVersionOf, waveOrThrow } from '../quotas/reads';
import { surveyQuestions } from '../surveys/questions';
import type { LoadedSurveyVersion } from '../surveys/service';
import { readTable, type Table } from '../tables/read-table';
import { completionValidatorFor } from './completion-validator';
import type * as q from './queries';
import { deriveColumns, isScreenedOut } from './service';

/** Columns of an import file that are not questions. */
export const IMPORT_META_COLUMNS = ['response_id', 'base_weight', 'mode', 'interviewer', 'completed_at', 'duration_ms'] as const;
type MetaColumn = (typeof IMPORT_META_COLUMNS)[number];

/** Mode of a row without a `mode` column or cell: a face-to-face interview on a tablet. */
export const DEFAULT_IMPORT_MODE = 'capi';

/** How many errors the report lists before giving only the count of the rest. */
export const MAX_LISTED_ERRORS = 50;

export interface ImportError { line: number; column: string; reason: string }

/** The details of an `invalid_import` error that lists the rows at fault. */
export interface ImportFailureDetails { file: string; errors: ImportError[]; total: number }

export interface ImportSummary {
  waveId: number;
  surveyVersionId: number;
  file: string;
  rows: number;
  inserted: number;
  /** Rows already stored with the same answers (a re-import). */
  unchanged: number;
  screenedOut: number;
}

// Every column of `responses`, in the schema's order; the JSON ones are stored as JSON text.
const RESPONSE_COLUMNS = getTableColumns(responses);
const COLUMN_ENTRIES = Object.entries(RESPONSE_COLUMNS);
const JSON_KEYS = COLUMN_ENTRIES.filter(([, c]) => c.columnType === 'SQLiteTextJson').map(([k]) => k);
const insertImported = statement<Record<string, unknown>>('import.insertResponse', (p) => sql`
  INSERT INTO ${responses} (${sql.join(COLUMN_ENTRIES.map(([, c]) => bare(c)), sql`, `)})
  VALUES (${sql.join(COLUMN_ENTRIES.map(([k]) => p[k]!), sql`, `)})`);
const storedById = statement<{ id: string }>('import.storedById', (p) => sql`
  SELECT ${responses.waveId} AS "waveId", CAST(${responses.data} AS TEXT) AS "data" FROM ${responses} WHERE ${responses.id} = ${p.id}`);

/** How a cell's text becomes the answer value a question expects (as the survey JSON has it). */
type Converter = (text: string) => unknown;

function questionConverters(json: Record<string, unknown>): Map<string, Converter> {
  const out = new Map<string, Converter>();
  // A dynamic panel's template questions are answered inside the panel's value, not as columns.
  for (const el of surveyQuestions(json, { panelTemplates: false })) {
    if (el.type === 'html') continue;
    const type = el.type;
    if (type === 'boolean') {
      out.set(el.name, (t) => (t === 'true' ? true : t === 'false' ? false : t));
    } else if (Array.isArray(el.choices)) {
      const byText = new Map<string, unknown>();
      for (const c of el.choices as unknown[]) {
        const v = c !== null && typeof c === 'object' ? (c as { value: unknown }).value : c;
        byText.set(String(v), v);
      }
      out.set(el.name, (t) => (byText.has(t) ? byText.get(t) : t));
    } else if (type === 'rating' || (type === 'text' && el.inputType === 'number')) {
      out.set(el.name, (t) => (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : t));
    } else {
      out.set(el.name, (t) => t);
    }
  }
  return out;
}

async function waveVersion(db: Sql, wave: WaveRow): Promise<LoadedSurveyVersion> {
  const v = await latestVersionOf(db, wave.surveyId);
  if (!v) throw new DomainError('conflict', 'no_survey', `wave ${wave.id}: no questionnaire is registered for survey "${wave.surveyId}"`);
  return v;
}

function canonicalData(data: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
}

interface PreparedRow {
  line: number;
  id: string;
  data: Record<string, unknown>;
  /** Screened out by the screener questions: stored without scores. */
  out: boolean;
  /** The weighting variables and scores (null when screened out). */
  derived: q.DerivedColumns | null;
  meta: { baseWeight: number | null; mode: (typeof RESPONSE_MODES)[number]; interviewer: string | null; completedAt: string; durationMs: number | null };
}

/**
 * Checks every row of `table` against wave `waveId`'s questionnaire and stores them all in one
 * transaction with an audit entry 'responses.import', or nothing.
 * @throws DomainError not_found (wave), bad_data with `details.errors` (ImportError[], at most
 *   50) and `details.total` when any row is invalid
 */
export async function importResponsesTable(store: Store, waveId: number, table: Table, actor: string, now = new Date()): Promise<ImportSummary> {
  const wave = await waveOrThrow(store.sql, waveId);
  const version = await waveVersion(store.sql, wave);
  const converters = questionConverters(version.row.json);
  const validate = completionValidatorFor(version);
  const { file } = table;
  const errors: ImportError[] = [];
  let total = 0;
  const report = (line: number, column: string, reason: string) => {
    total++;
    if (errors.length < MAX_LISTED_ERRORS) errors.push({ line, column, reason });
  };
  // Header: question names of the version, plus the optional meta columns; each at most once.
  const seen = new Set<string>();
  // Columns a `kelisim export` CSV adds that the import derives itself (scores, status, …) are ignored.
  const derived = new Set(exportDerivedColumns(version.spec));
  table.header.forEach((h) => {
    if (h === '') report(1, `(column ${seen.size + 1})`, 'empty column name');
    else if (seen.has(h)) report(1, h, 'column appears twice');
    else if (!converters.has(h) && !(IMPORT_META_COLUMNS as readonly string[]).includes(h) && !derived.has(h)) {
      report(1, h, `not a question of survey "${wave.surveyId}" v${version.row.version} nor one of ${IMPORT_META_COLUMNS.join(', ')}`);
    }
    seen.add(h);
  });
  if (total > 0) throw importFailure(file, errors, total);
  if (table.records.length === 0) throw new DomainError('bad_data', 'invalid_import', `${file}: no rows after the header; nothing was imported`, { file });

  const metaIndex = Object.fromEntries(IMPORT_META_COLUMNS.map((c) => [c, table.header.indexOf(c)])) as Record<MetaColumn, number>;
  const occurrences = new Map<string, number>();
  const ids = new Map<string, number>();
  const prepared: PreparedRow[] = [];
  for (const rec of table.records) {
    const cell = (c: MetaColumn) => (metaIndex[c] >= 0 ? rec.cells[metaIndex[c]]! : '');
    const before = total;
    const data: Record<string, unknown> = {};
    table.header.forEach((h, i) => {
      const conv = converters.get(h);
      const text = rec.cells[i]!;
      if (conv && text !== '') data[h] = conv(text);
    });
    // Meta columns.
    let baseWeight: number | null = null;
    if (cell('base_weight') !== '') {
      baseWeight = Number(cell('base_weight'));
      if (!Number.isFinite(baseWeight) || baseWeight <= 0) report(rec.line, 'base_weight', `"${cell('base_weight')}" must be a number greater than 0`);
    }
    const modeText = cell('mode') === '' ? DEFAULT_IMPORT_MODE : cell('mode');
    if (!(RESPONSE_MODES as readonly string[]).includes(modeText)) report(rec.line, 'mode', `"${modeText}" must be one of ${RESPONSE_MODES.filter((m) => m !== 'web').join(', ')}, web`);
    let completedAt = now.toISOString();
    if (cell('completed_at') !== '') {
      const d = new Date(cell('completed_at'));
      if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(cell('completed_at'))) report(rec.line, 'completed_at', `"${cell('completed_at')}" must be an ISO date or date-time (2026-07-15 or 2026-07-15T10:30:00Z)`);
      else completedAt = d.toISOString();
    }
    let durationMs: number | null = null;
    if (cell('duration_ms') !== '') {
      if (!/^\d+$/.test(cell('duration_ms'))) report(rec.line, 'duration_ms', `"${cell('duration_ms')}" must be a whole number of milliseconds`);
      else durationMs = Number(cell('duration_ms'));
    }
    // The answers: the strict validator of a web completion (messages in English).
    const verdict = validate(data, 'en');
    if (!verdict.ok) for (const e of verdict.errors) report(rec.line, e.question || '(answers)', e.message);
    // Id: given, or derived from the wave and the row's content.
    let id = cell('response_id');
    if (id === '') {
      const content = `${wave.id}\n${table.header.join(',')}\n${rec.cells.join('\u001f')}`;
      const k = (occurrences.get(content) ?? 0) + 1;
      occurrences.set(content, k);
      id = `import-${createHash('sha256').update(`${content}\n${k}`).digest('hex').slice(0, 32)}`;
    } else if (id.length > 200) {
      report(rec.line, 'response_id', 'longer than 200 characters');
    }
    const firstLine = ids.get(id);
    if (firstLine !== undefined) report(rec.line, 'response_id', `"${id}" is also the id of line ${firstLine}`);
    ids.set(id, rec.line);
    // Scored as a web completion is, before anything is written.
    const out = isScreenedOut(data);
    let derived: q.DerivedColumns | null = null;
    if (total === before && !out) {
      try {
        derived = deriveColumns(version.spec, data);
      } catch (err) {
        if (!(err instanceof AnalysisError)) throw err;
        const column = typeof err.details?.item === 'string' ? err.details.item : err.code === 'invalid_age' ? 'age' : '(answers)';
        report(rec.line, column, err.message);
      }
    }
    if (total === before) {
      prepared.push({ line: rec.line, id, data, out, derived, meta: { baseWeight, mode: modeText as PreparedRow['meta']['mode'], interviewer: cell('interviewer') || null, completedAt, durationMs } });
    }
  }
  if (total > 0) throw importFailure(file, errors, total);

  return store.write(async (tx) => {
    // Ids already stored: with the same answers a re-import (skipped), otherwise refused.
    const conflicts: ImportError[] = [];
    let inserted = 0;
    let unchanged = 0;
    let screenedOut = 0;
    const at = now.toISOString();
    for (const row of prepared) {
      const existing = await tx.prepared<{ id: string }, { waveId: number; data: string }>(storedById).get({ id: row.id });
      if (existing) {
        if (existing.waveId === wave.id && canonicalData(JSON.parse(existing.data) as Record<string, unknown>) === canonicalData(row.data)) { unchanged++; continue; }
        conflicts.push({ line: row.line, column: 'response_id', reason: `"${row.id}" is already stored ${existing.waveId === wave.id ? 'with other answers' : `in wave ${existing.waveId}`}; ids must be unique` });
        continue;
      }
      if (row.out) screenedOut++;
      const { derived } = row;
      const values: Record<string, unknown> = {
        id: row.id, waveId: wave.id, surveyVersionId: version.row.id, invitationId: null,
        locale: 'kk', status: row.out ? 'screened_out' : 'complete', data: row.data, currentPageNo: 0,
        startedAt: row.meta.completedAt, updatedAt: at, completedAt: row.meta.completedAt, durationMs: row.meta.durationMs,
        mode: row.meta.mode, interviewer: row.meta.interviewer, baseWeight: row.meta.baseWeight,
        region: derived?.region ?? null, settlement: derived?.settlement ?? null, sex: derived?.sex ?? null,
        age: derived?.age ?? null, ageBand: derived?.ageBand ?? null, ethnicity: derived?.ethnicity ?? null,
        itemScores: derived?.itemScores ?? null, consensus: derived?.consensus ?? null, tolerance: derived?.tolerance ?? null, mood: derived?.mood ?? null,
        runInput: derived?.runInput ?? null,
      } satisfies Record<keyof typeof RESPONSE_COLUMNS, unknown>;
      for (const k of JSON_KEYS) if (values[k] !== null) values[k] = JSON.stringify(values[k]);
      await tx.prepared(insertImported).run(values);
      // Counted against its quota cell (server/quotas), never refused: an overshoot shows in the fill.
      if (!row.out) await claimQuotaPlace(tx, { waveId: wave.id, responseId: row.id, data: row.data, stage: 'complete', source: 'import' }, now);
      inserted++;
    }
    // A row refused at this stage rolls the whole transaction back.
    if (conflicts.length > 0) throw importFailure(file, conflicts.slice(0, MAX_LISTED_ERRORS), conflicts.length);
    const summary: ImportSummary = { waveId: wave.id, surveyVersionId: version.row.id, file: path.basename(file), rows: prepared.length, inserted, unchanged, screenedOut };
    if (inserted > 0) await appendAuditEntry(tx, { actor, action: 'responses.import', subjectType: 'wave', subjectId: wave.id, after: summary }, now);
    return summary;
  });
}

function importFailure(file: string, errors: ImportError[], total: number): DomainError {
  const more = total > errors.length ? `; and ${total - errors.length} more error${total - errors.length === 1 ? '' : 's'}` : '';
  const first = errors[0]!;
  return new DomainError('bad_data', 'invalid_import',
    `${file}: ${total} error${total === 1 ? '' : 's'}, nothing was imported; first: line ${first.line}, column ${first.column}: ${first.reason}${more}`,
    { file, errors, total } satisfies ImportFailureDetails);
}

/** Reads `file` (CSV, or the first sheet of an XLSX) and imports it with {@link importResponsesTable}. */
export async function importResponsesFile(store: Store, waveId: number, file: string, actor: string): Promise<ImportSummary> {
  const table = await readTable(file);
  return importResponsesTable(store, waveId, table, actor);
}
