// The rows of a wave export, streamed from SQLite with better-sqlite3's `.iterate()` (one row in
// memory at a time, never the whole wave), in id order, each as one value per export variable.
import type { Db } from '../db/open';
import type { WaveRow } from '../db/schema';
import { DomainError } from '../errors';
import type { LoadedSurveyVersion } from '../surveys/service';
import { getSurveyVersion, latestSurveyVersion } from '../surveys/sqlite-sync';
import { findWave, listWaves } from '../waves/sqlite-sync';
import { annotationVariables, type ExportAnnotations } from './run-columns';
import { exportVariables, RESPONSE_COLUMNS, toCode, type Code, type ExportVariable, type Lang, type ResponseColumn } from './variables';

export type StatusFilter = 'complete' | 'all';

export interface ExportRequest {
  waveId: number;
  lang: Lang;
  status: StatusFilter;
  /**
   * The quality flags (and a run's weights) of the complete responses, made by `annotate` once the
   * wave is known (server/exports/run-columns.ts); their variables follow the indicator scores.
   */
  annotate?: (wave: WaveRow) => ExportAnnotations;
}

export interface ExportSource {
  wave: WaveRow;
  version: LoadedSurveyVersion;
  lang: Lang;
  status: StatusFilter;
  variables: ExportVariable[];
  /** Number of rows `rows()` yields (exportWave counts and reads in one read transaction, so they agree). */
  count: number;
  /** A fresh pass over the rows: one array of values (null = empty) per response, in variable order. */
  rows: () => Iterable<(Code | null)[]>;
  /** Provenance lines the annotations add (the run's, the flags'), for the codebook. */
  provenance?: [string, string][];
}

const SELECT = `SELECT r.id, r.wave_id, w.period, r.survey_version_id, r.status, r.mode, r.interviewer, r.locale, r.started_at,
  r.completed_at, r.duration_ms, r.base_weight, r.consensus, r.tolerance, r.mood, r.data, r.item_scores
  FROM responses r JOIN waves w ON w.id = r.wave_id WHERE r.wave_id = ?`;

/**
 * Resolves the wave and its questionnaire (the survey's current version, as `responses import`
 * uses) and prepares the row stream.
 * @throws DomainError not_found for an unknown wave, conflict when no questionnaire is registered
 */
export function openExportSource(db: Db, req: ExportRequest): ExportSource {
  const wave = findWave(db, req.waveId);
  if (!wave) {
    const known = listWaves(db).map((w) => `${w.id}${w.period ? ` (${w.period})` : ''}`).join(', ') || 'none';
    throw new DomainError('not_found', 'wave_not_found', `--wave ${req.waveId}: no such wave; existing waves: ${known}`);
  }
  const latest = latestSurveyVersion(db, wave.surveyId);
  const version = latest ? getSurveyVersion(db, latest.id) : undefined;
  if (!version) throw new DomainError('conflict', 'no_survey', `wave ${wave.id}: no questionnaire is registered for survey "${wave.surveyId}"`);
  const variables = exportVariables(version.row.json, version.spec, req.lang);
  const annotations = req.annotate?.(wave);
  const extra = annotations ? annotationVariables(annotations, req.lang) : [];
  const taken = new Set(variables.map((v) => v.name.toLowerCase()));
  for (const x of extra) {
    // A question of the same name keeps its name; the added column gets _2, _3, … (as in exportVariables).
    let name = x.variable.name;
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${x.variable.name}_${k}`;
    x.variable.name = name;
    taken.add(name.toLowerCase());
    variables.push(x.variable);
  }
  const derived = new Map(extra.map((x) => [x.variable, x.get]));
  const where = req.status === 'complete' ? " AND r.status = 'complete'" : '';
  const sqlite = db.$client;
  const count = sqlite.prepare(`SELECT count(*) FROM responses r WHERE r.wave_id = ?${where}`).pluck().get(wave.id) as number;
  const stmt = sqlite.prepare(`${SELECT}${where} ORDER BY r.id`).raw(true);
  const colIndex = new Map<ResponseColumn, number>(RESPONSE_COLUMNS.map((c, i) => [c, i]));
  const DATA = RESPONSE_COLUMNS.length;
  const ITEMS = DATA + 1;
  const getters = variables.map((v): ((raw: unknown[], data: Record<string, unknown>, items: Record<string, unknown>, p: number) => Code | null) => {
    const s = v.source;
    if (s.kind === 'column') { const i = colIndex.get(s.column)!; return (raw) => toCode(raw[i]); }
    if (s.kind === 'answer') { const q = s.question; return (_raw, data) => toCode(data[q]); }
    if (s.kind === 'derived') { const get = derived.get(v)!; return (_raw, _data, _items, p) => get(p); }
    const item = s.item;
    return (_raw, _data, items) => toCode(items[item]);
  });
  const STATUS = colIndex.get('status')!;
  const ids = annotations?.ids;
  const annotated = annotations?.n ?? 0;
  function* rows(): Iterable<(Code | null)[]> {
    // The annotations describe the complete responses in id order, the order read here: the p-th
    // complete row read is their row p (both are read in the export's one snapshot; checked by id
    // when the ids are known, else by their number).
    let next = 0;
    for (const raw of stmt.iterate(wave!.id) as IterableIterator<unknown[]>) {
      const data = JSON.parse(raw[DATA] as string) as Record<string, unknown>;
      const itemText = raw[ITEMS] as string | null;
      const items = itemText ? JSON.parse(itemText) as Record<string, unknown> : {};
      let p = -1;
      if (annotated > 0 && raw[STATUS] === 'complete') {
        if (next >= annotated || (ids && ids[next] !== raw[0])) throw new Error(`export of wave ${wave!.id}: response "${String(raw[0])}" is not the complete response "${ids?.[next] ?? `number ${next + 1} of ${annotated}`}" the quality flags were computed for`);
        p = next++;
      }
      const out = new Array<Code | null>(getters.length);
      for (let k = 0; k < getters.length; k++) out[k] = getters[k]!(raw, data, items, p);
      yield out;
    }
    if (annotated > 0 && next !== annotated) throw new Error(`export of wave ${wave!.id}: ${next} complete responses read, but the quality flags were computed for ${annotated}`);
  }
  return { wave, version, lang: req.lang, status: req.status, variables, count, rows, provenance: annotations?.provenance };
}
