// Quotas per wave over region × sex × age band (issue 8; docs/decisions/022-quota-reservations.md).
//
// A respondent takes a place in a cell when a save (partial or completion) carries the answers that
// place them (region, sex, age). `claimQuotaPlace` decides it inside the transaction of that save —
// in the server, a job of the group-commit queue (server/db/write-queue.ts) — so the count and the
// place taken are one atomic step: jobs run one after another on one connection, and the count of
// a cell is read and the place written in the same savepoint, so concurrent respondents can never
// push a cell over its target. A partial response keeps its place while it saves at least every
// QUOTA_HOLD_MS (2 h); a place not touched for longer is released (lazily, when someone needs a
// place in that cell, and by `releaseAbandoned`), and a respondent who comes back must take one
// again. Imported interviews are counted, never refused.
import type Database from 'better-sqlite3';
import { asc, eq } from 'drizzle-orm';
import { QUOTA_HOLD_MS, type QuotaFill, type QuotaTargetInput, type ScreenReason } from '../../contract/quotas';
import { appendAudit } from '../audit/service';
import type { Db } from '../db/open';
import { quotaTargets, type WaveRow } from '../db/schema';
import { DomainError } from '../errors';
import { parseAgeBand, questionChoices } from '../frames/service';
import { getSurveyVersion, latestSurveyVersion } from '../surveys/sqlite-sync';
import { readTable, type Table } from '../tables/read-table';
import { findWave, listWaves } from '../waves/sqlite-sync';

export { QUOTA_HOLD_MS };

/** The upper bound used for an open-ended band (`60+`) in range queries. */
const NO_UPPER_AGE = 1_000_000;

/** What places a respondent in a cell. */
export interface Placement { region: string; sex: string; age: number }

/** The placement the answers give, or null while region, sex or a whole-number age is missing. */
export function placementOf(data: Record<string, unknown>): Placement | null {
  const { region, sex, age } = data;
  if (typeof region !== 'string' || region === '' || typeof sex !== 'string' || sex === '') return null;
  if (typeof age !== 'number' || !Number.isInteger(age)) return null;
  return { region, sex, age };
}

interface CellRow { region: string; sex: string; ageBand: string; ageLo: number; ageHi: number | null; target: number }
interface ReservationRow { region: string; sex: string; age: number; state: 'held' | 'counted' | 'released' | 'refused'; updatedAt: string }

function prepare(sqlite: Database.Database) {
  const cellRange = 'wave_id = @waveId AND region = @region AND sex = @sex AND age BETWEEN @lo AND @hi';
  return {
    hasTargets: sqlite.prepare<[number], 1>('SELECT 1 FROM quota_targets WHERE wave_id = ? LIMIT 1').pluck(),
    reservation: sqlite.prepare<[string], ReservationRow>('SELECT region, sex, age, state, updated_at AS updatedAt FROM quota_reservations WHERE response_id = ?'),
    cellOf: sqlite.prepare<[number, string, string, number, number], CellRow>(
      `SELECT region, sex, age_band AS ageBand, age_lo AS ageLo, age_hi AS ageHi, target FROM quota_targets
       WHERE wave_id = ? AND region = ? AND sex = ? AND age_lo <= ? AND (age_hi IS NULL OR age_hi >= ?)`),
    // Places held by partial responses not saved since `cutoff`: given back.
    releaseStale: sqlite.prepare<[Record<string, unknown>]>(
      `UPDATE quota_reservations SET state = 'released', updated_at = @at WHERE ${cellRange} AND state = 'held' AND updated_at < @cutoff`),
    taken: sqlite.prepare<[Record<string, unknown>], number>(
      `SELECT count(*) FROM quota_reservations WHERE ${cellRange} AND state IN ('held', 'counted')`).pluck(),
    upsert: sqlite.prepare<[Record<string, unknown>]>(
      `INSERT INTO quota_reservations (response_id, wave_id, region, sex, age, state, source, taken_at, updated_at)
       VALUES (@responseId, @waveId, @region, @sex, @age, @state, @source, @at, @at)
       ON CONFLICT (response_id) DO UPDATE SET region = excluded.region, sex = excluded.sex, age = excluded.age,
         state = excluded.state, source = excluded.source, updated_at = excluded.updated_at,
         taken_at = CASE WHEN quota_reservations.state IN ('held', 'counted') THEN quota_reservations.taken_at ELSE excluded.taken_at END`),
    setState: sqlite.prepare<[string, string, string]>('UPDATE quota_reservations SET state = ?, updated_at = ? WHERE response_id = ?'),
    reason: sqlite.prepare<[string], 1>("SELECT 1 FROM quota_reservations WHERE response_id = ? AND state = 'refused'").pluck(),
  };
}

const prepared = new WeakMap<Database.Database, ReturnType<typeof prepare>>();
function statements(db: Db): ReturnType<typeof prepare> {
  let s = prepared.get(db.$client);
  if (!s) prepared.set(db.$client, (s = prepare(db.$client)));
  return s;
}

/** What a save means for the respondent's place. */
export type QuotaStage =
  /** a partial save: hold a place */
  | 'partial'
  /** a completion: count the place */
  | 'complete'
  /** screened out by the screener questions: give any place back */
  | 'screened_out';

export interface QuotaClaim {
  waveId: number;
  responseId: string;
  /** The answers being saved. */
  data: Record<string, unknown>;
  stage: QuotaStage;
  /** 'import': an imported interview, counted even in a full cell. Default 'web'. */
  source?: 'web' | 'import';
}

/**
 * The respondent save path's one call into quotas: takes, keeps, moves, counts or gives back the
 * response's place for the answers being saved, and says whether the respondent may go on.
 * 'quota_full': the cell is full (the place is recorded as refused); the caller stores the
 * response as screened out. Call inside the save's transaction, before the response row is
 * written. A wave without quotas costs one indexed lookup and writes nothing.
 */
export function claimQuotaPlace(db: Db, claim: QuotaClaim, now = new Date()): 'admitted' | 'quota_full' {
  const s = statements(db);
  if (s.hasTargets.get(claim.waveId) === undefined) return 'admitted';
  const at = now.toISOString();
  const { responseId, waveId } = claim;
  const existing = s.reservation.get(responseId);
  if (claim.stage === 'screened_out') {
    if (existing && (existing.state === 'held' || existing.state === 'counted')) s.setState.run('released', at, responseId);
    return 'admitted';
  }
  const place = placementOf(claim.data);
  // Not placed yet (or the answers were cleared): nothing to count; a place held stays as it is.
  if (!place) return 'admitted';
  const source = claim.source ?? 'web';
  const state = claim.stage === 'complete' ? 'counted' : 'held';
  const write = (st: ReservationRow['state']) => s.upsert.run({ responseId, waveId, ...place, state: st, source, at });
  const cell = s.cellOf.get(waveId, place.region, place.sex, place.age, place.age);
  // A cell without a target is not limited; imported interviews are never refused.
  if (!cell || source === 'import') { write(state); return 'admitted'; }
  const cutoff = new Date(now.getTime() - QUOTA_HOLD_MS).toISOString();
  const inCell = (r: ReservationRow) => r.region === cell.region && r.sex === cell.sex && r.age >= cell.ageLo && r.age <= (cell.ageHi ?? NO_UPPER_AGE);
  const live = existing && (existing.state === 'counted' || (existing.state === 'held' && existing.updatedAt >= cutoff));
  if (existing && live && inCell(existing)) { write(state); return 'admitted'; }
  const range = { waveId, region: cell.region, sex: cell.sex, lo: cell.ageLo, hi: cell.ageHi ?? NO_UPPER_AGE };
  s.releaseStale.run({ ...range, cutoff, at });
  // The response's own place is never in this count: it is elsewhere, released or stale (just released).
  if (s.taken.get(range)! < cell.target) { write(state); return 'admitted'; }
  write('refused');
  return 'quota_full';
}

/** Why response `responseId` was screened out beyond the screener questions, if it was. */
export function screenReasonOf(db: Db, responseId: string): ScreenReason | undefined {
  return statements(db).reason.get(responseId) === undefined ? undefined : 'quota_full';
}

/**
 * Gives back every place held by a partial response not saved for QUOTA_HOLD_MS (all waves), e.g.
 * from a periodic sweep. The places are already free for `claimQuotaPlace` and `quotaFill` (both
 * look at the time of the last save); this records it. Returns how many were released.
 */
export function releaseAbandoned(db: Db, now = new Date()): number {
  const cutoff = new Date(now.getTime() - QUOTA_HOLD_MS).toISOString();
  return db.$client.prepare("UPDATE quota_reservations SET state = 'released', updated_at = ? WHERE state = 'held' AND updated_at < ?").run(now.toISOString(), cutoff).changes;
}

// --- Targets ---------------------------------------------------------------------------------

/** Where a target came from, for messages: a file's line and column, or the index in a request. */
export type TargetSource = { file: string; lines: number[] } | { request: true };

function checkError(where: TargetSource, i: number, column: keyof QuotaTargetInput, message: string): DomainError {
  if ('file' in where) {
    const line = where.lines[i]!;
    const col = column === 'ageBand' ? 'age_band' : column;
    return new DomainError('bad_data', 'invalid_quota', `${where.file} line ${line}, column ${col}: ${message}`, { file: where.file, line, column: col });
  }
  return new DomainError('bad_data', 'invalid_quota', `targets[${i}].${column}: ${message}`, { index: i, column });
}

function surveyJsonOf(db: Db, wave: WaveRow): Record<string, unknown> {
  const latest = latestSurveyVersion(db, wave.surveyId);
  const v = latest ? getSurveyVersion(db, latest.id) : undefined;
  if (!v) throw new DomainError('conflict', 'no_survey', `wave ${wave.id}: no questionnaire is registered for survey "${wave.surveyId}", so quota codes cannot be checked`);
  return v.row.json;
}

function waveOrThrow(db: Db, waveId: number): WaveRow {
  const wave = findWave(db, waveId);
  if (!wave) {
    const known = listWaves(db).map((w) => `${w.id}${w.period ? ` (${w.period})` : ''}`).join(', ') || 'none';
    throw new DomainError('not_found', 'wave_not_found', `--wave ${waveId}: no such wave; existing waves: ${known}`);
  }
  return wave;
}

/**
 * Checks a wave's targets against its questionnaire: region and sex codes are choices of its
 * `region` and `sex` questions, bands are `LO-HI`/`LO+` and do not overlap one another, targets are
 * whole numbers of 0 or more, and no cell appears twice. Each error names the line and column (a
 * file) or the index and field (a request).
 * @throws DomainError bad_data 'invalid_quota'
 */
export function checkQuotaTargets(targets: readonly QuotaTargetInput[], surveyJson: Record<string, unknown>, where: TargetSource): CellRow[] {
  const regions = questionChoices(surveyJson, 'region') ?? [];
  const sexes = questionChoices(surveyJson, 'sex') ?? [];
  const bands = new Map<string, { lo: number; hi: number | null; index: number }>();
  const cells = new Map<string, number>();
  return targets.map((t, i) => {
    if (!regions.includes(t.region)) throw checkError(where, i, 'region', `unknown region code "${t.region}"; the questionnaire's codes are ${regions.join(', ')}`);
    if (!sexes.includes(t.sex)) throw checkError(where, i, 'sex', `unknown sex code "${t.sex}"; use ${sexes.join(' or ')}`);
    const band = parseAgeBand(t.ageBand);
    if (!band) throw checkError(where, i, 'ageBand', `age band "${t.ageBand}" must be LO-HI or LO+ in whole years with LO ≤ HI (e.g. 18-29, 60+)`);
    if (!bands.has(t.ageBand)) {
      for (const [label, other] of bands) {
        const overlap = band.lo <= (other.hi ?? NO_UPPER_AGE) && other.lo <= (band.hi ?? NO_UPPER_AGE);
        if (overlap) throw checkError(where, i, 'ageBand', `age band "${t.ageBand}" overlaps band "${label}" (${'file' in where ? `line ${where.lines[other.index]}` : `targets[${other.index}]`}); a respondent's age must fall in one band only`);
      }
      bands.set(t.ageBand, { ...band, index: i });
    }
    if (!Number.isInteger(t.target) || t.target < 0) throw checkError(where, i, 'target', `target "${t.target}" must be a whole number of 0 or more`);
    const key = `${t.region}\u0000${t.sex}\u0000${t.ageBand}`;
    const first = cells.get(key);
    if (first !== undefined) throw checkError(where, i, 'region', `the cell ${t.region} × ${t.sex} × ${t.ageBand} appears twice (also ${'file' in where ? `line ${where.lines[first]}` : `targets[${first}]`}); give each cell one target`);
    cells.set(key, i);
    return { region: t.region, sex: t.sex, ageBand: t.ageBand, ageLo: band.lo, ageHi: band.hi, target: t.target };
  });
}

/** The targets of a CSV table `region,sex,age_band,target` (other columns ignored), with their lines. */
export function quotaTargetsFromTable(table: Table): { targets: QuotaTargetInput[]; where: TargetSource } {
  const { file } = table;
  const col = (name: string): number => {
    const i = table.header.indexOf(name);
    if (i < 0) throw new DomainError('bad_data', 'invalid_quota', `${file} line 1: no column "${name}"; expected columns region,sex,age_band,target`, { file, line: 1, column: name });
    return i;
  };
  const [ri, si, bi, ti] = [col('region'), col('sex'), col('age_band'), col('target')];
  if (table.records.length === 0) throw new DomainError('bad_data', 'invalid_quota', `${file}: no rows after the header; give one row per cell (region,sex,age_band,target)`, { file });
  const lines = table.records.map((r) => r.line);
  const targets = table.records.map((r) => {
    const text = r.cells[ti]!;
    if (!/^-?\d+$/.test(text)) {
      throw new DomainError('bad_data', 'invalid_quota', `${file} line ${r.line}, column target: "${text}" must be a whole number of 0 or more`, { file, line: r.line, column: 'target' });
    }
    return { region: r.cells[ri]!, sex: r.cells[si]!, ageBand: r.cells[bi]!, target: Number(text) };
  });
  return { targets, where: { file, lines } };
}

/** Runs `fn` in a transaction, or in the one already open on the connection (a write-queue job). */
function inTransaction<T>(db: Db, fn: () => T): T {
  if (db.$client.inTransaction) return db.$client.transaction(fn)();
  return db.$client.transaction(fn).immediate();
}

/** The targets as stored (for the audit entry and the console), in a stable order. */
export function quotaTargetsOf(db: Db, waveId: number): QuotaTargetInput[] {
  return db.select({ region: quotaTargets.region, sex: quotaTargets.sex, ageBand: quotaTargets.ageBand, target: quotaTargets.target })
    .from(quotaTargets).where(eq(quotaTargets.waveId, waveId))
    .orderBy(asc(quotaTargets.region), asc(quotaTargets.sex), asc(quotaTargets.ageLo)).all();
}

/**
 * Replaces wave `waveId`'s quota targets with `targets` (an empty list removes them), with an audit
 * entry 'quota.set' (before/after), in one transaction. Responses the wave already has are placed
 * too: completed and imported ones counted, partial ones holding a place as of their last save —
 * never refused, so a target below what is already there shows as overshoot.
 * @throws DomainError not_found (wave), bad_data 'invalid_quota' (see {@link checkQuotaTargets})
 */
export function setQuotas(db: Db, waveId: number, targets: readonly QuotaTargetInput[], actor: string, now = new Date(), where: TargetSource = { request: true }): QuotaFill {
  const wave = waveOrThrow(db, waveId);
  const cells = checkQuotaTargets(targets, surveyJsonOf(db, wave), where);
  return inTransaction(db, () => {
    const before = quotaTargetsOf(db, waveId);
    const sqlite = db.$client;
    sqlite.prepare('DELETE FROM quota_targets WHERE wave_id = ?').run(waveId);
    const insert = sqlite.prepare('INSERT INTO quota_targets (wave_id, region, sex, age_band, age_lo, age_hi, target) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const c of cells) insert.run(waveId, c.region, c.sex, c.ageBand, c.ageLo, c.ageHi, c.target);
    const at = now.toISOString();
    const missing = 'NOT EXISTS (SELECT 1 FROM quota_reservations r WHERE r.response_id = p.id)';
    const placed = cells.length === 0 ? { completed: 0, partial: 0 } : {
      completed: sqlite.prepare(`INSERT INTO quota_reservations (response_id, wave_id, region, sex, age, state, source, taken_at, updated_at)
        SELECT id, wave_id, region, sex, age, 'counted', CASE WHEN mode = 'web' THEN 'web' ELSE 'import' END, ?, ? FROM responses p
        WHERE wave_id = ? AND status = 'complete' AND region IS NOT NULL AND sex IS NOT NULL AND age IS NOT NULL AND ${missing}`).run(at, at, waveId).changes,
      partial: sqlite.prepare(`INSERT INTO quota_reservations (response_id, wave_id, region, sex, age, state, source, taken_at, updated_at)
        SELECT id, wave_id, json_extract(data, '$.region'), json_extract(data, '$.sex'), json_extract(data, '$.age'), 'held', 'web', updated_at, updated_at FROM responses p
        WHERE wave_id = ? AND status = 'partial' AND json_type(data, '$.region') = 'text' AND json_type(data, '$.sex') = 'text'
          AND json_type(data, '$.age') = 'integer' AND ${missing}`).run(waveId).changes,
    };
    appendAudit(db, {
      actor, action: 'quota.set', subjectType: 'wave', subjectId: waveId,
      before, after: { targets: quotaTargetsOf(db, waveId), placedExisting: placed, ...('file' in where ? { file: where.file } : {}) },
    }, now);
    return quotaFill(db, waveId, now);
  });
}

/** Reads `file` (CSV or XLSX: region,sex,age_band,target) and sets it as the wave's quotas with {@link setQuotas}. */
export async function importQuotasCsv(db: Db, waveId: number, file: string, actor: string, now = new Date()): Promise<QuotaFill> {
  waveOrThrow(db, waveId);
  const table = await readTable(file);
  const { targets, where } = quotaTargetsFromTable(table);
  return setQuotas(db, waveId, targets, actor, now, where);
}

/**
 * The live fill of every cell of wave `waveId` with a target, as of `now`: places held (saved
 * within QUOTA_HOLD_MS), completed (imports included), refused, and overshoot.
 * @throws DomainError not_found (wave)
 */
export function quotaFill(db: Db, waveId: number, now = new Date()): QuotaFill {
  waveOrThrow(db, waveId);
  const cutoff = new Date(now.getTime() - QUOTA_HOLD_MS).toISOString();
  const targets = db.$client.prepare<[number], CellRow>(
    `SELECT region, sex, age_band AS ageBand, age_lo AS ageLo, age_hi AS ageHi, target FROM quota_targets
     WHERE wave_id = ? ORDER BY region, sex, age_lo`).all(waveId);
  const cells = targets.map((t) => ({ region: t.region, sex: t.sex, ageBand: t.ageBand, target: t.target, reserved: 0, completed: 0, imported: 0, refused: 0, overshoot: 0 }));
  const bySexRegion = new Map<string, number[]>();
  targets.forEach((t, i) => {
    const key = `${t.region}\u0000${t.sex}`;
    bySexRegion.set(key, [...(bySexRegion.get(key) ?? []), i]);
  });
  const outside = { reserved: 0, completed: 0 };
  // One pass over the wave's entries of the covering index, grouped in its order (no sort).
  type Group = { region: string; sex: string; state: string; age: number; source: string; n: number; live: number };
  const groups = db.$client.prepare<[{ cutoff: string; waveId: number }], Group>(
    `SELECT region, sex, state, age, source, count(*) AS n, sum(updated_at >= @cutoff) AS live FROM quota_reservations
     WHERE wave_id = @waveId GROUP BY region, sex, state, age, source`).all({ cutoff, waveId });
  for (const g of groups) {
    const i = (bySexRegion.get(`${g.region}\u0000${g.sex}`) ?? []).find((k) => g.age >= targets[k]!.ageLo && g.age <= (targets[k]!.ageHi ?? NO_UPPER_AGE));
    const c = i === undefined ? undefined : cells[i]!;
    if (g.state === 'held') { if (c) c.reserved += g.live; else outside.reserved += g.live; }
    else if (g.state === 'counted') {
      if (c) { c.completed += g.n; if (g.source === 'import') c.imported += g.n; } else outside.completed += g.n;
    } else if (g.state === 'refused' && c) c.refused += g.n;
  }
  for (const c of cells) c.overshoot = Math.max(0, c.reserved + c.completed - c.target);
  return { waveId, asOf: now.toISOString(), cells, outside };
}
