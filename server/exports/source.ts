// The rows of a wave export, streamed in batches from the export's snapshot (server/exports/
// snapshot.ts: better-sqlite3's `.iterate()` on SQLite, a cursor on PostgreSQL; never the whole
// wave), in id order (byte-wise on both engines), each as one value per export variable.
import { sql as q } from 'drizzle-orm';
import { responses, waves, type WaveRow } from '../db/schema';
import { DomainError } from '../errors';
import { getSurveyVersion, latestSurveyVersion, type LoadedSurveyVersion } from '../surveys/service';
import { findWave, listWaves } from '../waves/service';
import type { ExportSnapshot } from './snapshot';
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
  annotate?: (wave: WaveRow) => Promise<ExportAnnotations>;
}

export interface ExportSource {
  wave: WaveRow;
  version: LoadedSurveyVersion;
  lang: Lang;
  status: StatusFilter;
  variables: ExportVariable[];
  /** Number of rows `batches()` yields (exportWave counts and reads in one snapshot, so they agree). */
  count: number;
  /**
   * A fresh pass over the rows, in batches: one array of values (null = empty) per response, in
   * variable order. Read inside the snapshot the source was opened in.
   */
  batches: () => AsyncIterable<(Code | null)[][]>;
  /** The export's time in its provenance (and an SPSS file's header); default: when written. */
  exportedAt?: Date;
  /** Provenance lines the annotations add (the run's, the flags'), for the codebook. */
  provenance?: [string, string][];
}

/**
 * Resolves the wave and its questionnaire (the survey's current version, as `responses import`
 * uses) and prepares the row stream.
 * @throws DomainError not_found for an unknown wave, conflict when no questionnaire is registered
 */
export async function openExportSource(snap: ExportSnapshot, req: ExportRequest): Promise<ExportSource> {
  const db = snap.sql;
  const wave = await findWave(db, req.waveId);
  if (!wave) {
    const known = (await listWaves(db)).map((w) => `${w.id}${w.period ? ` (${w.period})` : ''}`).join(', ') || 'none';
    throw new DomainError('not_found', 'wave_not_found', `--wave ${req.waveId}: no such wave; existing waves: ${known}`);
  }
  const latest = await latestSurveyVersion(db, wave.surveyId);
  const version = latest ? await getSurveyVersion(db, latest.id) : undefined;
  if (!version) throw new DomainError('conflict', 'no_survey', `wave ${wave.id}: no questionnaire is registered for survey "${wave.surveyId}"`);
  const variables = exportVariables(version.row.json, version.spec, req.lang);
  const annotations = req.annotate ? await req.annotate(wave) : undefined;
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
  const where = req.status === 'complete' ? q` AND ${responses.status} = 'complete'` : q``;
  const count = (await db.get<{ n: number }>(q`SELECT count(*) AS "n" FROM ${responses} WHERE ${responses.waveId} = ${wave.id}${where}`))!.n;
  // The columns in RESPONSE_COLUMNS' order, then the answers and the item scores (JSON text on both engines).
  const select = q`SELECT ${responses.id}, ${responses.waveId}, ${waves.period}, ${responses.surveyVersionId}, ${responses.status},
    ${responses.mode}, ${responses.interviewer}, ${responses.locale}, ${responses.startedAt}, ${responses.completedAt},
    ${responses.durationMs}, ${responses.baseWeight}, ${responses.consensus}, ${responses.tolerance}, ${responses.mood},
    CAST(${responses.data} AS TEXT), CAST(${responses.itemScores} AS TEXT)
    FROM ${responses} JOIN ${waves} ON ${waves.id} = ${responses.waveId}
    WHERE ${responses.waveId} = ${wave.id}${where} ORDER BY ${snap.byteOrder(responses.id)}`;
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
  const waveId = wave.id;
  const ids = annotations?.ids;
  const annotated = annotations?.n ?? 0;
  let next = 0;
  // The annotations describe the complete responses in id order, the order read here: the p-th
  // complete row read is their row p (both are read in the export's one snapshot; checked by id
  // when the ids are known, else by their number).
  const convert = (raw: unknown[]): (Code | null)[] => {
    const data = JSON.parse(raw[DATA] as string) as Record<string, unknown>;
    const itemText = raw[ITEMS] as string | null;
    const items = itemText ? JSON.parse(itemText) as Record<string, unknown> : {};
    let p = -1;
    if (annotated > 0 && raw[STATUS] === 'complete') {
      if (next >= annotated || (ids && ids.at(next) !== raw[0])) throw new Error(`export of wave ${waveId}: response "${String(raw[0])}" is not the complete response "${ids && next < ids.length ? ids.at(next) : `number ${next + 1} of ${annotated}`}" the quality flags were computed for`);
      p = next++;
    }
    const out = new Array<Code | null>(getters.length);
    for (let k = 0; k < getters.length; k++) out[k] = getters[k]!(raw, data, items, p);
    return out;
  };
  async function* batches(): AsyncIterable<(Code | null)[][]> {
    next = 0;
    for await (const got of snap.batches(select)) yield got.map(convert);
    if (annotated > 0 && next !== annotated) throw new Error(`export of wave ${waveId}: ${next} complete responses read, but the quality flags were computed for ${annotated}`);
  }
  return { wave, version, lang: req.lang, status: req.status, variables, count, batches, provenance: annotations?.provenance };
}
