// The columns a wave export adds beside the answers (issue 9): the quality flags of METHODOLOGY §6
// (every flag of QUALITY_FLAGS at run time, computed exactly as estimate runs compute them, by
// server/runs/compute.ts) and, with `--run N`, that run's final weight and whether it excluded the
// row and because of which flags.
//
// A run is immutable and stores a hash of its exact input rows; its per-respondent weights are not
// stored. They are recomputed here from the database (computeRun) and trusted only when the
// recomputed input hash and frame hash equal the stored ones and the recomputed result equals the
// stored result (so a newer engine that would weight differently is refused too).
import { sql as q } from 'drizzle-orm';
import { responses, type WaveRow } from '../db/schema';
import type { Sql } from '../db/sql';
import { DomainError } from '../errors';
import { findFrame } from '../frames/service';
import { isIncomplete, speederFlags, straightlineBlocks, straightlinedBlocks } from '../../analysis/quality';
import type { ScoringSpec } from '../../analysis/scoring';
import { rawAnswer, type ComputedRun } from '../runs/compute';
import type { IdList } from '../runs/packed-input';
import { QUALITY_FLAGS, type QualityFlag, type StoredRunResult } from '../runs/result';
import { normaliseOptions, requireRun, type RunOptions, type StoredRun } from '../runs/service';
import { scoringSpecOfWave, type ExportSnapshot } from './snapshot';
import type { Code, ExportVariable, Lang } from './variables';

type Text = Record<Lang, string>;
const t = (kk: string, ru: string, en: string): Text => ({ kk, ru, en });

/** Labels of the flags this module knows; a flag added to QUALITY_FLAGS later gets a generic label. */
const FLAG_LABELS: Partial<Record<string, Text>> = {
  speeder: t('Сапа белгісі: тым жылдам толтырған (медиана уақыттың 30%-ынан аз)', 'Признак качества: слишком быстрое заполнение (менее 30% медианного времени)', 'Quality flag: speeder (under 30% of the median completion time)'),
  straightliner: t('Сапа белгісі: блоктың барлық сұрағына бірдей жауап', 'Признак качества: одинаковые ответы на все вопросы блока', 'Quality flag: straightliner (the same answer to every item of a block)'),
  incomplete: t('Сапа белгісі: бірде-бір индикатор есептелмеген', 'Признак качества: ни один индикатор не рассчитан', 'Quality flag: incomplete (no indicator score)'),
};
const FLAG_GENERIC = t('Сапа белгісі', 'Признак качества', 'Quality flag');
const YES_NO = { no: t('Жоқ', 'Нет', 'No'), yes: t('Иә', 'Да', 'Yes') };
const USED = { used: t('Қолданылған', 'Использован', 'Used'), excluded: t('Шығарылған', 'Исключён', 'Excluded') };

/** The export name of a flag's variable. */
export const flagVariableName = (flag: string): string => `flag_${flag}`;

export function flagLabel(flag: string, lang: Lang): string {
  return FLAG_LABELS[flag]?.[lang] ?? `${FLAG_GENERIC[lang]}: ${flag}`;
}

/** What the export adds to each complete response (input rows of a run: complete responses, id order). */
export interface ExportAnnotations {
  /** Number of complete responses the arrays below describe (id order). */
  n: number;
  /** Their ids, when known: each row read is checked against them (else only their number is). */
  ids?: IdList;
  /** null when the flags could not be computed (`flagsNote` says why). */
  flags: Record<QualityFlag, Uint8Array> | null;
  flagsNote?: string;
  run?: { id: number; excluded: Uint8Array; weights: Float64Array; exclude: readonly QualityFlag[] };
  /** Provenance lines for the codebook (key, value). */
  provenance: [string, string][];
}

type Getter = (p: number) => Code | null;

/**
 * The variables the annotations add, each with a getter of input row `p` (−1: a response that is
 * not complete, so not an input of the flags or of the run: every value empty).
 */
export function annotationVariables(a: ExportAnnotations, lang: Lang): { variable: ExportVariable; get: Getter }[] {
  const out: { variable: ExportVariable; get: Getter }[] = [];
  const binary = (name: string, label: string, no: string, yes: string, get: Getter) => out.push({
    variable: {
      name, label, type: 'numeric', measure: 'nominal', decimals: 0, values: [{ code: 0, label: no }, { code: 1, label: yes }],
      missing: [], numericCodes: new Map(), source: { kind: 'derived', key: name },
    },
    get,
  });
  for (const flag of QUALITY_FLAGS) {
    const col = a.flags?.[flag];
    binary(flagVariableName(flag), flagLabel(flag, lang), YES_NO.no[lang], YES_NO.yes[lang], (p) => (p < 0 || !col ? null : col[p]!));
  }
  const run = a.run;
  if (run) {
    const weightLabel = t(`Соңғы салмақ (есептеу №${run.id})`, `Итоговый вес (расчёт №${run.id})`, `Final weight (run ${run.id})`);
    out.push({
      variable: {
        name: 'run_weight', label: weightLabel[lang], type: 'numeric', measure: 'scale', decimals: 4, values: [], missing: [],
        numericCodes: new Map(), source: { kind: 'derived', key: 'run_weight' },
      },
      get: (p) => { if (p < 0) return null; const w = run.weights[p]!; return Number.isNaN(w) ? null : w; },
    });
    const excludedLabel = t(`Есептеуден (№${run.id}) шығарылған`, `Исключён из расчёта №${run.id}`, `Excluded by run ${run.id}`);
    binary('run_excluded', excludedLabel[lang], USED.used[lang], USED.excluded[lang], (p) => (p < 0 ? null : run.excluded[p]!));
    const flags = a.flags;
    const byLabel = t('Шығару себебі (сапа белгілері)', 'Причина исключения (признаки качества)', 'Excluded because of (quality flags)');
    out.push({
      variable: {
        name: 'run_excluded_by', label: byLabel[lang], type: 'string', measure: 'nominal', decimals: 0, values: [], missing: [],
        numericCodes: new Map(), source: { kind: 'derived', key: 'run_excluded_by' },
      },
      get: (p) => {
        if (p < 0 || !flags || !run.excluded[p]) return null;
        return run.exclude.filter((f) => flags[f][p]).join(' ');
      },
    });
  }
  return out;
}

/** The flags {@link streamedQualityFlags} computes; any other flag of QUALITY_FLAGS makes the export use the run's own reading. */
const STREAMED_FLAGS: ReadonlySet<string> = new Set(['speeder', 'straightliner', 'incomplete']);

/**
 * The flags of METHODOLOGY §6 of a wave's complete responses (id order) computed with
 * analysis/quality.ts from one streamed pass over their durations, item scores and indicator
 * scores, keeping 1 byte per flag and row plus the durations — the definitions runs use
 * (server/runs/compute.ts runQualityFlags: speeders against the median of the completes'
 * durations, straightlining on the answers recovered from the item scores, a missing score
 * never equal, incomplete = no indicator score), without holding the wave's columns as a run's
 * reading does (which took a plain CSV export of 1,000,000 rows from 190 to 422 MB peak RSS).
 * test/server/exports/flags.test.ts checks both give the same flags.
 */
export async function streamedQualityFlags(snap: ExportSnapshot, waveId: number, spec: ScoringSpec): Promise<{ n: number; flags: Record<QualityFlag, Uint8Array> }> {
  const where = q`FROM ${responses} WHERE ${responses.waveId} = ${waveId} AND ${responses.status} = 'complete'`;
  const n = (await snap.sql.get<{ n: number }>(q`SELECT count(*) AS "n" ${where}`))!.n;
  const durations = new Float64Array(n);
  let i = 0;
  for await (const batch of snap.batches(q`SELECT ${responses.durationMs} ${where} ORDER BY ${snap.byteOrder(responses.id)}`, 50_000)) {
    for (const [d] of batch as [number | null][]) {
      if (i >= n) break;
      durations[i++] = d ?? Number.NaN;
    }
  }
  const speed = speederFlags(Array.from(durations, (d) => (Number.isNaN(d) ? null : d)));
  const blocks = straightlineBlocks(spec);
  const itemOf = new Map(spec.indicators.flatMap((ind) => ind.items.map((it) => [it.name, it] as const)));
  const blockItems = [...new Set(blocks.flatMap((b) => b.items))];
  const indicators = spec.indicators.map((ind) => ind.id);
  const flags = Object.fromEntries(QUALITY_FLAGS.map((f) => [f, new Uint8Array(n)])) as Record<QualityFlag, Uint8Array>;
  const set = (f: string, row: number) => { const col = (flags as Record<string, Uint8Array>)[f]; if (col) col[row] = 1; };
  i = 0;
  const rows = q`SELECT CAST(${responses.itemScores} AS TEXT), ${responses.consensus}, ${responses.tolerance}, ${responses.mood} ${where} ORDER BY ${snap.byteOrder(responses.id)}`;
  for await (const batch of snap.batches(rows)) for (const [itemText, ...scores] of batch as [string | null, number | null, number | null, number | null][]) {
    if (i >= n) break;
    if (speed.flags[i]) set('speeder', i);
    const items = itemText ? JSON.parse(itemText) as Record<string, unknown> : {};
    const answers: Record<string, string> = {};
    for (const name of blockItems) {
      const x = items[name];
      if (typeof x === 'number') answers[name] = rawAnswer(itemOf.get(name)!, x);
    }
    if (straightlinedBlocks(answers, blocks).length > 0) set('straightliner', i);
    const byId: Record<string, number | null> = { consensus: scores[0]!, tolerance: scores[1]!, mood: scores[2]! };
    if (isIncomplete(Object.fromEntries(indicators.map((id) => [id, byId[id] ?? null])))) set('incomplete', i);
    i++;
  }
  return { n, flags };
}

/**
 * The flags of the wave's complete responses, computed as runs compute them: streamed when every
 * flag of QUALITY_FLAGS is one {@link streamedQualityFlags} knows, else by the run's own reading
 * (server/runs/compute.ts waveQualityFlags; memory grows with the wave). A wave without complete
 * responses has none; one whose responses were scored by different specs cannot have them
 * computed, which the codebook says (the export still goes on).
 */
export async function flagAnnotations(snap: ExportSnapshot, waveId: number): Promise<ExportAnnotations> {
  const how = `computed at export as estimate runs compute them (${QUALITY_FLAGS.join(', ')}); empty for responses that are not complete`;
  try {
    const spec = await scoringSpecOfWave(snap.sql, waveId);
    if (QUALITY_FLAGS.every((f) => STREAMED_FLAGS.has(f))) {
      const { n, flags } = await streamedQualityFlags(snap, waveId, spec);
      return { n, flags, provenance: [['quality flags', how]] };
    }
    const { ids, flags } = await snap.waveQualityFlags(waveId);
    return { n: ids.length, ids, flags, provenance: [['quality flags', how]] };
  } catch (err) {
    if (!(err instanceof DomainError) || err.kind !== 'bad_data') throw err;
    if (err.code === 'empty_wave') return { n: 0, flags: null, provenance: [['quality flags', 'none: the wave has no complete responses']] };
    return { n: 0, flags: null, flagsNote: err.message, provenance: [['quality flags', `not computed: ${err.message}`]] };
  }
}

/** Canonical JSON (sorted keys; NaN and undefined as JSON writes them), for comparing a recomputed result with the stored one. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((x) => (x === undefined ? 'null' : canonical(x))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The first place where `a` and `b` differ (a path), or null. */
function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  if (canonical(a) === canonical(b)) return null;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
      if (d) return d;
    }
  }
  return `${at || 'result'}: stored ${canonical(a).slice(0, 80)}, now ${canonical(b).slice(0, 80)}`;
}

/**
 * What of a result determines the weights and exclusions: the whole analysis, the margin cells and
 * the sample, whose per-flag counts are compared for the run's excluded flags only (a flag added
 * to QUALITY_FLAGS since the run changed nothing the run did).
 */
function weightingPart(r: StoredRunResult, exclude: readonly QualityFlag[]): unknown {
  const excludedBy = Object.fromEntries(exclude.map((f) => [f, r.sample.excludedBy[f] ?? 0]));
  return { analysis: r.analysis, marginCells: r.marginCells, sample: { completes: r.sample.completes, used: r.sample.used, excluded: r.sample.excluded, excludedBy } };
}

/** The stored run `runId`, checked to be a run of `wave` (else bad usage: exit 2). */
export async function runOfWave(sql: Sql, runId: number, wave: WaveRow): Promise<StoredRun> {
  const run = await requireRun(sql, runId);
  if (run.row.waveId !== wave.id) {
    const of = run.result.wave?.period ? ` (${run.result.wave.period})` : '';
    throw new DomainError('bad_usage', 'run_of_other_wave', `--run ${runId} is a run of wave ${run.row.waveId}${of}, not of --wave ${wave.id}${wave.period ? ` (${wave.period})` : ''}: export it with --wave ${run.row.waveId}, or choose a run of wave ${wave.id}`, { runId, runWave: run.row.waveId, wave: wave.id });
  }
  return run;
}

/**
 * Recomputes run `runId` of `wave` from the database and returns its per-respondent outcome, or
 * refuses (conflict `run_outdated`, exit 1) when the database no longer holds what the run read.
 * Call inside the export's read transaction, so the rows exported are the rows checked.
 * @throws DomainError not_found (no such run), bad_usage run_of_other_wave, conflict run_outdated
 */
export async function runAnnotations(snap: ExportSnapshot, runId: number, wave: WaveRow): Promise<ExportAnnotations> {
  const run = await runOfWave(snap.sql, runId, wave);
  const { row } = run;
  const frame = await findFrame(snap.sql, row.frameId);
  const stale = (why: string): DomainError => new DomainError('conflict', 'run_outdated',
    `run ${runId} no longer matches the database: ${why}; compute a new run (kelisim estimate --wave ${wave.id} --frame ${frame?.name ?? row.frameId}) and export that one`, { runId });
  if (!frame) throw stale(`its frame ${row.frameId} is gone`);
  if (frame.contentHash !== row.frameHash) throw stale(`frame "${frame.name}" changed (content hash stored ${row.frameHash.slice(0, 12)}…, now ${frame.contentHash.slice(0, 12)}…)`);
  const options: RunOptions = normaliseOptions(row.options as Partial<RunOptions>);
  let computed: ComputedRun;
  try {
    computed = await snap.computeRun(wave, frame, options);
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'bad_data') throw stale(`recomputing it from the wave's responses now fails (${err.message})`);
    throw err;
  }
  if (computed.inputHash !== row.inputHash) {
    let where = `wave ${wave.id} had ${run.result.sample.completes} complete responses, now ${computed.result.sample.completes}`;
    const stored = row.inputBlocks;
    const now = computed.inputBlocks;
    if (stored && stored.size === now.size && stored.hashes.length === now.hashes.length) {
      const b = stored.hashes.findIndex((h, i) => h !== now.hashes[i]);
      const ids = computed.perRespondent.ids;
      where = b < 0
        ? `the values of wave ${wave.id}'s complete responses changed (a new category or score)`
        : `a complete response of wave ${wave.id} from "${ids.at(b * now.size)}" to "${ids.at(Math.min(ids.length, (b + 1) * now.size) - 1)}" (id order) changed`;
    }
    throw stale(`its input rows changed since ${row.createdAt} (input hash stored ${row.inputHash.slice(0, 12)}…, now ${computed.inputHash.slice(0, 12)}…): ${where}`);
  }
  const diff = firstDifference(weightingPart(run.result, options.exclude), JSON.parse(JSON.stringify(weightingPart(computed.result, options.exclude))) as unknown);
  if (diff) throw stale(`the same rows now give another result under engine ${computed.engineVersion} (the run was computed by ${row.engineVersion}), first at ${diff}`);
  const p = computed.perRespondent;
  return {
    n: p.ids.length, ids: p.ids, flags: p.flags,
    run: { id: runId, excluded: p.excluded, weights: p.weights, exclude: options.exclude },
    provenance: [
      ['run', String(runId)],
      ['run computed at', row.createdAt],
      ['run computed by', row.createdBy],
      ['run frame', `${frame.name} (id ${frame.id}; ${frame.source}; reference date ${frame.referenceDate}${frame.illustrative ? '; illustrative' : ''})`],
      ['run frame hash', row.frameHash],
      ['run options', `min cell size ${options.minCellSize}; weight bounds ${options.bounds ? options.bounds.join('–') : 'none'}; excluded flags ${options.exclude.join(', ') || 'none'}`],
      ['run engine version', row.engineVersion === computed.engineVersion ? row.engineVersion : `${row.engineVersion} (weights recomputed by ${computed.engineVersion}, which gives the same result)`],
      ['run input hash', `${row.inputHash} (recomputed from the database at export: equal)`],
      ['run scoring hash', row.scoringHash],
      ['run sample', `${run.result.sample.completes} complete responses; ${run.result.sample.used} used; ${run.result.sample.excluded} excluded`],
      ['quality flags', `as run ${runId} computed them (${QUALITY_FLAGS.join(', ')}); empty for responses that are not complete`],
    ],
  };
}
