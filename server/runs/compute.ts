// Computing an estimate run (DESIGN.md data flow, step 2) from the stored derived columns of a
// wave's complete responses — never by re-parsing answer blobs — against a stored frame.
//
// The stored item scores are fed to the same analyze() that `kelisim analyze` runs, through a
// *pass-through* scoring spec: every item keeps its name and indicator but is read on a 0–100
// scale, and each distinct stored score s is given a label L with scoreItem(L) === s exactly
// (checked). analyze() then recomputes exactly the stored indicator scores (checked too: a row
// whose stored indicator score does not follow from its item scores is reported) and everything
// after that — raking, SEs, domains, α — is the identical code path, so a run equals
// `kelisim analyze` on the same rows and margins.
//
// Quality flags (METHODOLOGY §6) are computed here, at run time: speeder from the durations
// (relative to the wave's median), straightliner from the item scores (identical answers within a
// same-scale block: the raw answer is recovered from the score and the item's scale), incomplete
// when no indicator has a score.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, type AnalysisResult, type DomainSetRunner } from '../../analysis/analyze';
import type { FactorColumn } from '../../analysis/columns';
import { AnalysisError } from '../../analysis/errors';
import { parseMargins } from '../../analysis/margins';
import { AUTOMATION_MIN_MS_PER_ITEM, automationFlags, burstFlags, duplicateAnswerFlags, speederFlags, straightlineBlocks } from '../../analysis/quality';
import { parseScoringSpec, scoreItem, type ScoringItem, type ScoringSpec } from '../../analysis/scoring';
import { MIN_ROWS as DOMAIN_MIN_ROWS, startDomainSetThread } from './domain-sets';
import { FACTORS, readRunInput, type InputRows } from './input';
import type { IdList } from './packed-input';
import { overrulesOfWave } from './overrules';
import type { Db } from '../db/open';
import type { FrameRow, WaveRow } from '../db/schema';
import { DomainError } from '../errors';
import { BREAKDOWNS, INDICATOR_IDS, QUALITY_FLAGS, type Breakdown, type IndicatorId, type PoolingMoments, type QualityFlag, type StoredRunResult } from './result';

/** Options of a run (the command line's --min-cell-size, --bounds/--no-bounds, --exclude). */
export interface RunOptions {
  minCellSize: number;
  bounds: [number, number] | null;
  exclude: QualityFlag[];
}

/** METHODOLOGY's defaults: cells of 20, bounds 0.3–5, every flag excluded. */
export const DEFAULT_RUN_OPTIONS: RunOptions = { minCellSize: 20, bounds: [0.3, 5], exclude: [...QUALITY_FLAGS] };

/** Everything a run rests on besides the result: what `estimate_runs` records beside `result`. */
export interface ComputedRun {
  result: StoredRunResult;
  surveyVersionIds: number[];
  scoringHash: string;
  engineVersion: string;
  /** SHA-256 over the block hashes of the input rows (id order). */
  inputHash: string;
  /** Hashes of consecutive blocks of input rows, to say where the input changed (run verify). */
  inputBlocks: { size: number; hashes: string[] };
  /** Per input row: what the run did with it (not stored; the exports read it). */
  perRespondent: RunRespondents;
  /** What the flags' reasons need (stored beside the flagged rows, server/runs/run-flags.ts). */
  flagNotes: FlagNotes;
}

/**
 * Where a run is, for the console's progress bar: the stage and the share of the whole run done
 * (0..1, never decreasing). Stages start at RUN_STAGE_START's shares, set from the 1,000,000-row
 * benchmark's profile (reading the rows is about half; raking and the domains most of the rest).
 */
export type RunProgress = (stage: RunStage, fraction: number) => void;
export type RunStage = 'reading' | 'flags' | 'weighting' | 'storing';
export const RUN_STAGE_START: Record<RunStage, number> = { reading: 0, flags: 0.5, weighting: 0.6, storing: 0.95 };

/** The run-wide facts behind the flags: the speeder rule's median and threshold (null: too few timed completes). */
export interface FlagNotes { speederMedianMs: number | null; speederThresholdMs: number | null }

/**
 * What a run did with each complete response it read (input rows, id order): its quality flags,
 * whether they excluded it, and the final weight it got. Recomputed, never stored: `kelisim export
 * --run` checks the input hash against the stored run before trusting it.
 */
export interface RunRespondents {
  ids: IdList;
  /** Every flag of QUALITY_FLAGS: 1 = flagged. */
  flags: Record<QualityFlag, Uint8Array>;
  /** 1 = excluded by a flag of the run's `exclude` option. */
  excluded: Uint8Array;
  /** Final (raked, bounded) weight; NaN for an excluded row. */
  weights: Float64Array;
}

export { readRunInput, type InputRows } from './input';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let engineVersionCache: string | undefined;

/**
 * package.json version + a hash of the estimation code (analysis/*.ts, this file and the input readers): a run
 * computed by different code says so, and `run verify` reports it.
 */
export function engineVersion(): string {
  if (engineVersionCache) return engineVersionCache;
  const root = path.resolve(HERE, '../..');
  let version = '0.0.0';
  try {
    version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch { /* a compiled build without package.json beside it: the code hash still tells versions apart */ }
  const h = createHash('sha256');
  const files: string[] = [];
  const analysisDir = path.join(root, 'analysis');
  if (fs.existsSync(analysisDir)) for (const f of fs.readdirSync(analysisDir).sort()) if (f.endsWith('.ts')) files.push(path.join(analysisDir, f));
  for (const f of ['compute.ts', 'input.ts', 'packed-input.ts']) if (fs.existsSync(path.join(HERE, f))) files.push(path.join(HERE, f));
  for (const f of files) h.update(path.basename(f)).update('\0').update(fs.readFileSync(f)).update('\0');
  engineVersionCache = `${version}+${files.length > 0 ? h.digest('hex').slice(0, 12) : 'unknown'}`;
  return engineVersionCache;
}

/** Canonical JSON (sorted keys) for hashing specs. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Re-encodes `codes` of the kept rows so that labels appear in first-appearance order among them. */
function subsetFactor(codes: Int32Array, labels: readonly string[], kept: Int32Array): FactorColumn {
  const remap = new Int32Array(labels.length).fill(-1);
  const out = new Int32Array(kept.length);
  const newLabels: string[] = [];
  for (let r = 0; r < kept.length; r++) {
    const c = codes[kept[r]!]!;
    let m = remap[c]!;
    if (m < 0) { m = newLabels.length; newLabels.push(labels[c]!); remap[c] = m; }
    out[r] = m;
  }
  return { codes: out, labels: newLabels };
}

/**
 * A label whose pass-through score (0–100 scale, not reversed) is exactly `s`: (L/100)·100 is not
 * always L in floating point, so neighbouring doubles are tried. Throws if none is found.
 */
function passThroughLabel(item: ScoringItem, s: number): string {
  let candidate = s;
  for (let step = 0; step < 64; step++) {
    const label = String(candidate);
    if (scoreItem(item, label) === s) return label;
    const got = (candidate / 100) * 100;
    // Move towards the target by one unit in the last place.
    const buf = new Float64Array([candidate]);
    const bits = new BigInt64Array(buf.buffer);
    bits[0] = bits[0]! + (got < s === candidate >= 0 ? 1n : -1n);
    candidate = buf[0]!;
  }
  throw new Error(`no exact pass-through label for item score ${s} of "${item.name}"`);
}

/** The scoring spec that reads stored 0–100 item scores back unchanged. */
function passThroughSpec(spec: ScoringSpec): ScoringSpec {
  return {
    indicators: spec.indicators.map((ind) => ({
      id: ind.id, minAnsweredShare: ind.minAnsweredShare,
      items: ind.items.map((it) => ({ name: it.name, min: 0, max: 100 })),
    })),
  };
}

/** The scoring spec of the wave's responses; all of them must share one (else the scores are not comparable). */
export function waveScoringSpec(db: Db, waveId: number): { spec: ScoringSpec; hash: string; versionIds: number[] } {
  const ids = db.$client.prepare("SELECT DISTINCT survey_version_id FROM responses WHERE wave_id = ? AND status = 'complete' ORDER BY 1").pluck().all(waveId) as number[];
  return scoringSpecOfVersions(db, waveId, ids);
}

/**
 * The one scoring spec of survey versions `versionIds` (those of a wave's complete responses).
 * @throws DomainError bad_data 'empty_wave' for no versions, 'mixed_scoring' for versions scored differently
 */
function scoringSpecOfVersions(db: Db, waveId: number, versionIds: readonly number[]): { spec: ScoringSpec; hash: string; versionIds: number[] } {
  const get = db.$client.prepare('SELECT id, scoring FROM survey_versions WHERE id = ?');
  return specOfRows(waveId, [...new Set(versionIds)].sort((x, y) => x - y).map((id) => get.get(id) as { id: number; scoring: string }));
}

/** The one spec of `rows` (in id order). @throws DomainError bad_data 'empty_wave', 'mixed_scoring' */
function specOfRows(waveId: number, rows: readonly { id: number; scoring: string }[]): { spec: ScoringSpec; hash: string; versionIds: number[] } {
  if (rows.length === 0) throw new DomainError('bad_data', 'empty_wave', `wave ${waveId} has no complete responses to estimate from`, { waveId });
  const hashes = new Map<string, number[]>();
  for (const r of rows) {
    const h = createHash('sha256').update(canonical(JSON.parse(r.scoring))).digest('hex');
    hashes.set(h, [...(hashes.get(h) ?? []), r.id]);
  }
  if (hashes.size > 1) {
    const list = [...hashes.values()].map((ids) => `versions ${ids.join(', ')}`).join(' vs ');
    throw new DomainError('bad_data', 'mixed_scoring', `wave ${waveId} has responses scored with different scoring specs (${list}); estimate them separately`, { waveId });
  }
  const [hash] = [...hashes.keys()];
  return { spec: parseScoringSpec(JSON.parse(rows[0]!.scoring)), hash: hash!, versionIds: rows.map((r) => r.id) };
}

/** Raw answer of `item` that gives item score `s` (the inverse of METHODOLOGY §2's scoring), as text for comparison. */
export function rawAnswer(item: ScoringItem, s: number): string {
  const range = item.max - item.min;
  const x = item.reverse ? item.max - (s / 100) * range : item.min + (s / 100) * range;
  return String(Math.round(x * 1e6) / 1e6);
}

/** The engine's pooling moments keyed as the result's breakdowns (`ageBand` → `age`). */
function poolingByBreakdown(moments: Record<string, Record<string, Record<string, PoolingMoments>>>): StoredRunResult['pooling'] {
  const out = {} as StoredRunResult['pooling'];
  for (const ind of INDICATOR_IDS) {
    const m = moments[ind] ?? {};
    out[ind] = Object.fromEntries(BREAKDOWNS.map((b) => [b, m[b === 'age' ? 'ageBand' : b] ?? {}])) as Record<Breakdown, Record<string, PoolingMoments>>;
  }
  return out;
}

/**
 * Computes a run of `wave` against `frame` from the database (read-only). Deterministic: the same
 * rows, frame, options and code give the same document, which `run verify` relies on.
 * Cost: one pass over the wave's complete rows plus analyze() (about a second per million rows).
 * @throws DomainError bad_data for a wave without complete responses, mixed scoring specs, a
 *   stored score that does not follow from the item scores, or an AnalysisError of the engine
 *   (e.g. a category with no respondent, raking not converging) naming the margin or response.
 */
export function computeRun(db: Db, wave: WaveRow, frame: FrameRow, options: RunOptions, progress?: RunProgress): ComputedRun {
  return computeRunFrom(readRunSource(db, wave.id, progress), wave, frame, options, progress);
}

/**
 * What a run of wave `waveId` is computed from, read from the SQLite connection `db` (compute-pg.ts
 * reads the same from PostgreSQL). `progress` hears the read's share of the run.
 * @throws DomainError bad_data 'empty_wave' for a wave without complete responses, 'mixed_scoring'
 *   for rows of versions scored differently
 */
export function readRunSource(db: Db, waveId: number, progress?: RunProgress, threads?: 1 | 2): RunSource {
  // The items to read come from the spec of any one complete response's version; the versions of
  // all the rows read (in the read's snapshot) must then share that spec. Listing the wave's
  // versions first (SELECT DISTINCT over its rows) cost a pass over the wave: ~0.3–1 s a million rows.
  const anyVersion = db.$client.prepare("SELECT survey_version_id FROM responses WHERE wave_id = ? AND status = 'complete' LIMIT 1").pluck().get(waveId) as number | undefined;
  const { spec } = scoringSpecOfVersions(db, waveId, anyVersion === undefined ? [] : [anyVersion]);
  const input = readRunInput(db, waveId, spec, {
    threads,
    onRows: progress && ((done, total) => progress('reading', RUN_STAGE_START.reading + (RUN_STAGE_START.flags - RUN_STAGE_START.reading) * (done / total))),
  });
  const { hash: scoringHash } = scoringSpecOfVersions(db, waveId, input.surveyVersionIds);
  return { spec, scoringHash, input, overrules: overrulesOfWave(db, waveId) };
}

/**
 * What a run is computed from, read from either engine: the wave's one scoring spec and its hash,
 * the input rows (server/runs/input.ts or input-pg.ts, identical for the same rows) and the
 * researchers' overruled flags.
 */
export interface RunSource {
  spec: ScoringSpec;
  scoringHash: string;
  input: InputRows;
  overrules: Map<string, Set<QualityFlag>>;
}

/** The scoring spec of `versions` (survey_versions rows with their scoring JSON); see scoringSpecOfVersions. */
export function scoringSpecOfRows(waveId: number, versions: readonly { id: number; scoring: string }[]): { spec: ScoringSpec; hash: string; versionIds: number[] } {
  return specOfRows(waveId, [...versions].sort((x, y) => x.id - y.id));
}

/**
 * computeRun's work once the rows are read: flags, exclusions, analyze(), the stored document. No
 * database. When the rows were read on two threads (a large wave, read by the command line), most
 * of analyze()'s domain sets are computed on a second thread (domain-sets.ts), with the same result.
 */
export function computeRunFrom(source: RunSource, wave: WaveRow, frame: FrameRow, options: RunOptions, progress?: RunProgress): ComputedRun {
  // Started first, so that it has warmed up by the time raking is done.
  const thread = source.input.threads === 2 && source.input.n >= DOMAIN_MIN_ROWS ? startDomainSetThread() : null;
  try {
    return computeRunWith(source, wave, frame, options, progress, thread?.runner);
  } finally {
    thread?.close();
  }
}

function computeRunWith(source: RunSource, wave: WaveRow, frame: FrameRow, options: RunOptions, progress: RunProgress | undefined, domainSets: DomainSetRunner | undefined): ComputedRun {
  const { spec, scoringHash, input, overrules } = source;
  const { n } = input;
  progress?.('flags', RUN_STAGE_START.flags);
  const flagNotes: FlagNotes = { speederMedianMs: null, speederThresholdMs: null };
  const flags = runQualityFlags(spec, input, flagNotes);
  const indicatorIds = spec.indicators.map((ind) => ind.id as IndicatorId);
  const excludedBy = Object.fromEntries(QUALITY_FLAGS.map((f) => [f, 0])) as Record<QualityFlag, number>;
  // A flag a researcher overruled (with a written, audited reason) does not exclude its response.
  // Flag by flag over the rows (the overruled flags are looked up only when there are any).
  const out = new Uint8Array(n);
  const saved = new Uint8Array(n);
  for (const f of options.exclude) {
    const flagged = flags[f];
    for (let i = 0; i < n; i++) {
      if (!flagged[i]) continue;
      if (overrules.size > 0 && overrules.get(input.ids.at(i))?.has(f)) saved[i] = 1;
      else { excludedBy[f]++; out[i] = 1; }
    }
  }
  let overruled = 0;
  let keptCount = 0;
  for (let i = 0; i < n; i++) if (!out[i]) keptCount++;
  const kept = new Int32Array(keptCount);
  for (let i = 0, r = 0; i < n; i++) {
    if (out[i]) continue;
    kept[r++] = i;
    if (saved[i]) overruled++;
  }
  const m = kept.length;
  if (m < 2) throw new DomainError('bad_data', 'too_few', `wave ${wave.id}: only ${m} of ${n} complete responses remain after excluding ${options.exclude.join(', ') || 'nothing'}; at least 2 are needed`, { waveId: wave.id });

  const columns: Record<string, FactorColumn> = {};
  for (const f of FACTORS) columns[f] = subsetFactor(input.factors[f], input.factorLabels[f], kept);
  const pass = passThroughSpec(spec);
  for (const ind of pass.indicators) for (const it of ind.items) {
    const { codes, values } = input.items[it.name]!;
    const labels = values.map((s) => (Number.isNaN(s) ? '' : passThroughLabel(it, s)));
    columns[it.name] = subsetFactor(codes, labels, kept);
  }
  const designWeights = input.weights ? Float64Array.from(kept, (i) => input.weights![i]!) : null;
  const margins = parseMargins(frame.margins);
  const id = (r: number) => input.ids.at(kept[r]!);
  progress?.('weighting', RUN_STAGE_START.weighting);
  let analysed;
  try {
    analysed = analyze(
      { n: m, id, rowName: (r) => `response "${id(r)}"`, columns, designWeights },
      { spec: pass, margins, minCellSize: options.minCellSize, bounds: options.bounds, by: ['region', 'sex', 'ageBand', 'settlement', 'ethnicity'], pooling: true, domainSets },
    );
  } catch (err) {
    if (err instanceof AnalysisError) throw new DomainError('bad_data', err.code, `wave ${wave.id} with frame "${frame.name}": ${err.message}`, { waveId: wave.id, frame: frame.name });
    throw err;
  }
  // The recomputed indicator scores must be the stored ones (they come from the same item scores).
  for (const ind of indicatorIds) {
    const y = analysed.perRespondent.scores[ind]!;
    const s = input.stored[ind];
    for (let r = 0; r < m; r++) {
      const a = y[r]!;
      const b = s[kept[r]!]!;
      if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) {
        throw new DomainError('bad_data', 'inconsistent_scores', `response "${id(r)}": its stored ${ind} score ${Number.isNaN(b) ? 'null' : b} does not follow from its stored item scores (${Number.isNaN(a) ? 'no score' : a})`, { responseId: id(r) });
      }
    }
  }
  const { cells, perRespondent: _perRespondent, pooling: moments, ...printed } = analysed;
  const analysis: AnalysisResult = { ...printed, indicators: {} };
  for (const [key, res] of Object.entries(printed.indicators)) {
    const { ageBand: age, ...rest } = res.domains;
    analysis.indicators[key] = { ...res, domains: { region: rest.region!, sex: rest.sex!, age: age!, settlement: rest.settlement!, ethnicity: rest.ethnicity! } };
  }
  const excluded = n - m;
  const result: StoredRunResult = {
    engineVersion: engineVersion(),
    wave: { id: wave.id, surveyId: wave.surveyId, period: wave.period },
    frame: { id: frame.id, name: frame.name, source: frame.source, referenceDate: frame.referenceDate, illustrative: frame.illustrative, contentHash: frame.contentHash },
    options: { minCellSize: options.minCellSize, bounds: options.bounds, exclude: [...options.exclude] },
    sample: { completes: n, used: m, excludedBy, excluded, overruled },
    analysis,
    marginCells: cells,
    pooling: poolingByBreakdown(moments ?? {}),
  };
  const excludedRows = new Uint8Array(n).fill(1);
  const finalWeights = new Float64Array(n).fill(Number.NaN);
  const w = analysed.perRespondent.weights;
  for (let r = 0; r < m; r++) { excludedRows[kept[r]!] = 0; finalWeights[kept[r]!] = w[r]!; }
  return {
    result, surveyVersionIds: input.surveyVersionIds, scoringHash, engineVersion: result.engineVersion,
    inputHash: input.inputHash, inputBlocks: input.blocks,
    perRespondent: { ids: input.ids, flags, excluded: excludedRows, weights: finalWeights }, flagNotes,
  };
}

/**
 * The quality flags of METHODOLOGY §6 of every input row (1 = flagged), as runs compute them:
 * the one definition the exports use too (`kelisim export` without `--run`).
 */
export function runQualityFlags(spec: ScoringSpec, input: InputRows, notes?: FlagNotes): Record<QualityFlag, Uint8Array> {
  const { n } = input;
  const speed = speederFlags(input.durations);
  if (notes) { notes.speederMedianMs = speed.median; notes.speederThresholdMs = speed.threshold; }
  const blocks = straightlineBlocks(spec);
  const itemOf = new Map(spec.indicators.flatMap((ind) => ind.items.map((it) => [it.name, it] as const)));
  // Per block and item: the item's codes, and per code the id of its raw answer within the block
  // (-1 for none), so that a row's answers are compared as numbers, not strings.
  const blockColumns = blocks.map((b) => {
    const ids = new Map<string, number>();
    return b.items.map((name) => {
      const it = itemOf.get(name)!;
      const { codes, values } = input.items[name]!;
      const raw = Int32Array.from(values, (s) => {
        if (Number.isNaN(s)) return -1;
        const text = rawAnswer(it, s);
        let id = ids.get(text);
        if (id === undefined) { id = ids.size; ids.set(text, id); }
        return id;
      });
      return { codes, raw };
    });
  });
  const flags: Record<QualityFlag, Uint8Array> = {
    speeder: new Uint8Array(n), straightliner: new Uint8Array(n), incomplete: new Uint8Array(n),
    burst: new Uint8Array(n), duplicate_answers: new Uint8Array(n), automation: new Uint8Array(n),
  };
  // The open link's flags (docs/decisions/021), from what server/antibot recorded per response
  // (read with the rows: readRunInput).
  const { signals } = input;
  // Answered scored items per row, for the automation flag: counted only where it can matter, in
  // rows faster than the limit for every item answered (a row slower than that is not flagged
  // whatever its count, and counting a million rows' items cost ~50 ms).
  const answered = new Int32Array(n);
  const itemColumns = Object.values(input.items);
  const fastest = AUTOMATION_MIN_MS_PER_ITEM * itemColumns.length;
  const fast: number[] = [];
  for (let i = 0; i < n; i++) { const d = input.durations[i]; if (d !== null && d !== undefined && d < fastest) fast.push(i); }
  for (const { codes, values } of itemColumns) {
    const has = Int32Array.from(values, (v) => (Number.isNaN(v) ? 0 : 1));
    for (const i of fast) answered[i]! += has[codes[i]!]!;
  }
  const openLinkFlags = {
    burst: burstFlags(signals.addressHash, signals.completedAtMs),
    duplicate_answers: duplicateAnswerFlags(signals.answersHash, signals.completedAtMs),
    automation: automationFlags(signals.powOk, input.durations, answered),
  };
  for (const f of ['burst', 'duplicate_answers', 'automation'] as const) {
    const on = openLinkFlags[f];
    const out = flags[f];
    for (let i = 0; i < n; i++) if (on[i]) out[i] = 1;
  }
  for (let i = 0; i < n; i++) if (speed.flags[i]) flags.speeder[i] = 1;
  // Straightliners: block by block, a row stays a candidate while each item's raw answer is the
  // block's first one (a missing answer ends it).
  const straight = flags.straightliner;
  for (const columns of blockColumns) {
    if (columns.length === 0) continue;
    const first = new Int32Array(n);
    const { codes: codes0, raw: raw0 } = columns[0]!;
    for (let i = 0; i < n; i++) first[i] = raw0[codes0[i]!]!;
    for (let c = 1; c < columns.length; c++) {
      const { codes, raw } = columns[c]!;
      for (let i = 0; i < n; i++) if (first[i]! >= 0 && raw[codes[i]!]! !== first[i]) first[i] = -1;
    }
    for (let i = 0; i < n; i++) if (first[i]! >= 0) straight[i] = 1;
  }
  // Incomplete: no indicator of the spec has a stored score.
  const incomplete = flags.incomplete.fill(1);
  for (const id of spec.indicators.map((ind) => ind.id as IndicatorId)) {
    const y = input.stored[id];
    if (y) for (let i = 0; i < n; i++) if (!Number.isNaN(y[i]!)) incomplete[i] = 0;
  }
  return flags;
}

/**
 * The quality flags of a wave's complete responses (id order), computed as a run computes them.
 * @throws DomainError bad_data for a wave without complete responses or with mixed scoring specs
 */
export function waveQualityFlags(db: Db, waveId: number): { ids: IdList; flags: Record<QualityFlag, Uint8Array> } {
  const { spec } = waveScoringSpec(db, waveId);
  const input = readRunInput(db, waveId, spec);
  return { ids: input.ids, flags: runQualityFlags(spec, input) };
}
