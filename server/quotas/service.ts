// Quotas per wave over region × sex × age band (issue 8; docs/decisions/022-quota-reservations.md).
//
// A respondent takes a place in a cell when a save (partial or completion) carries the answers that
// place them (region, sex, age). `claimQuotaPlace` decides it inside the transaction of that save
// (a store.write, decision 027), so the count and the place taken are one atomic step. On SQLite
// the writes run one after another on one connection (group commit, server/db/store-sqlite.ts),
// the count of a cell read and the place written in the same savepoint; on PostgreSQL, with
// several app servers on one database, the cell's target row is locked (SELECT … FOR UPDATE)
// before its places are counted, so the saves of one cell take their places one at a time.
// Either way concurrent respondents can never push a cell over its target. A partial response keeps its place while it saves at least every
// QUOTA_HOLD_MS (2 h); a place not touched for longer is released (lazily, when someone needs a
// place in that cell, and by `releaseAbandoned`), and a respondent who comes back must take one
// again. Imported interviews are counted, never refused.
import { sql } from 'drizzle-orm';
import { QUOTA_HOLD_MS, type QuotaFill, type QuotaTargetInput, type ScreenReason } from '../../contract/quotas';
import { quotaReservations as qr, quotaTargets as qt, responses, type WaveRow } from '../db/schema';
import { bare, statement, type Sql } from '../db/sql';
import type { Store } from '../db/store';
import { DomainError } from '../errors';
import { parseAgeBand, questionChoices } from '../frames/service';
import { readTable, type Table } from '../tables/read-table';
import { appendAuditEntry, latestVersionOf, waveOrThrow } from './reads';

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
type CellRange = { waveId: number; region: string; sex: string; lo: number; hi: number };

// The save path's statements (a respondent's save or completion): prepared once per connection.
const cellRange = (p: { [K in keyof CellRange]: unknown }) =>
  sql`${qr.waveId} = ${p.waveId} AND ${qr.region} = ${p.region} AND ${qr.sex} = ${p.sex} AND ${qr.age} BETWEEN ${p.lo} AND ${p.hi}`;
const hasTargets = statement<{ waveId: number }>('quotas.hasTargets', (p) => sql`SELECT 1 AS "one" FROM ${qt} WHERE ${qt.waveId} = ${p.waveId} LIMIT 1`);
const reservationOf = statement<{ id: string }>('quotas.reservation', (p) => sql`
  SELECT ${qr.region} AS "region", ${qr.sex} AS "sex", ${qr.age} AS "age", ${qr.state} AS "state", ${qr.updatedAt} AS "updatedAt"
  FROM ${qr} WHERE ${qr.responseId} = ${p.id}`);
type CellQuery = { waveId: number; region: string; sex: string; age: number };
const cellQuery = (p: { [K in keyof CellQuery]: unknown }) => sql`
  SELECT ${qt.region} AS "region", ${qt.sex} AS "sex", ${qt.ageBand} AS "ageBand", ${qt.ageLo} AS "ageLo", ${qt.ageHi} AS "ageHi", ${qt.target} AS "target"
  FROM ${qt} WHERE ${qt.waveId} = ${p.waveId} AND ${qt.region} = ${p.region} AND ${qt.sex} = ${p.sex}
    AND ${qt.ageLo} <= ${p.age} AND (${qt.ageHi} IS NULL OR ${qt.ageHi} >= ${p.age})`;
const cellOf = statement<CellQuery>('quotas.cellOf', (p) => cellQuery(p));
// PostgreSQL, several app servers: the cell's target row is locked until the save commits, so
// the places of a cell are counted and taken by one transaction at a time (decision 027). SQLite
// has one writer at a time already.
const cellOfLocked = statement<CellQuery>('quotas.cellOfLocked', (p) => sql`${cellQuery(p)} FOR UPDATE`);
// Places held by partial responses not saved since `cutoff`: given back.
const releaseStale = statement<CellRange & { cutoff: string; at: string }>('quotas.releaseStale', (p) => sql`
  UPDATE ${qr} SET ${bare(qr.state)} = 'released', ${bare(qr.updatedAt)} = ${p.at}
  WHERE ${cellRange(p)} AND ${qr.state} = 'held' AND ${qr.updatedAt} < ${p.cutoff}`);
const taken = statement<CellRange>('quotas.taken', (p) => sql`
  SELECT count(*) AS "n" FROM ${qr} WHERE ${cellRange(p)} AND ${qr.state} IN ('held', 'counted')`);
type Upsert = { responseId: string; waveId: number; region: string; sex: string; age: number; state: string; source: string; at: string };
const upsert = statement<Upsert>('quotas.upsert', (p) => sql`
  INSERT INTO ${qr} (${bare(qr.responseId)}, ${bare(qr.waveId)}, ${bare(qr.region)}, ${bare(qr.sex)}, ${bare(qr.age)}, ${bare(qr.state)}, ${bare(qr.source)}, ${bare(qr.takenAt)}, ${bare(qr.updatedAt)})
  VALUES (${p.responseId}, ${p.waveId}, ${p.region}, ${p.sex}, ${p.age}, ${p.state}, ${p.source}, ${p.at}, ${p.at})
  ON CONFLICT (${bare(qr.responseId)}) DO UPDATE SET ${bare(qr.region)} = excluded.region, ${bare(qr.sex)} = excluded.sex, ${bare(qr.age)} = excluded.age,
    ${bare(qr.state)} = excluded.state, ${bare(qr.source)} = excluded.source, ${bare(qr.updatedAt)} = excluded.updated_at,
    ${bare(qr.takenAt)} = CASE WHEN ${qr.state} IN ('held', 'counted') THEN ${qr.takenAt} ELSE excluded.taken_at END`);
const setState = statement<{ id: string; state: string; at: string }>('quotas.setState', (p) => sql`
  UPDATE ${qr} SET ${bare(qr.state)} = ${p.state}, ${bare(qr.updatedAt)} = ${p.at} WHERE ${qr.responseId} = ${p.id}`);
const refusedOf = statement<{ id: string }>('quotas.refused', (p) => sql`
  SELECT 1 AS "one" FROM ${qr} WHERE ${qr.responseId} = ${p.id} AND ${qr.state} = 'refused'`);

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
 * response as screened out. Call with the save's transaction `tx`, before the response row is
 * written. A wave without quotas costs one indexed lookup and writes nothing. On PostgreSQL the
 * cell's target row is locked (FOR UPDATE) before its places are counted, so saves on several app
 * servers take a cell's last places one at a time.
 */
export async function claimQuotaPlace(tx: Sql, claim: QuotaClaim, now = new Date()): Promise<'admitted' | 'quota_full'> {
  const { responseId, waveId } = claim;
  if (await tx.prepared(hasTargets).get({ waveId }) === undefined) return 'admitted';
  const at = now.toISOString();
  const existing = await tx.prepared<{ id: string }, ReservationRow>(reservationOf).get({ id: responseId });
  if (claim.stage === 'screened_out') {
    if (existing && (existing.state === 'held' || existing.state === 'counted')) await tx.prepared(setState).run({ id: responseId, state: 'released', at });
    return 'admitted';
  }
  const place = placementOf(claim.data);
  // Not placed yet (or the answers were cleared): nothing to count; a place held stays as it is.
  if (!place) return 'admitted';
  const source = claim.source ?? 'web';
  const state = claim.stage === 'complete' ? 'counted' : 'held';
  const write = (st: ReservationRow['state']) => tx.prepared(upsert).run({ responseId, waveId, ...place, state: st, source, at });
  const cell = await tx.prepared<CellQuery, CellRow>(tx.dialect === 'postgres' ? cellOfLocked : cellOf).get({ waveId, ...place });
  // A cell without a target is not limited; imported interviews are never refused.
  if (!cell || source === 'import') { await write(state); return 'admitted'; }
  const cutoff = new Date(now.getTime() - QUOTA_HOLD_MS).toISOString();
  const inCell = (r: ReservationRow) => r.region === cell.region && r.sex === cell.sex && r.age >= cell.ageLo && r.age <= (cell.ageHi ?? NO_UPPER_AGE);
  const live = existing && (existing.state === 'counted' || (existing.state === 'held' && existing.updatedAt >= cutoff));
  if (existing && live && inCell(existing)) { await write(state); return 'admitted'; }
  const range: CellRange = { waveId, region: cell.region, sex: cell.sex, lo: cell.ageLo, hi: cell.ageHi ?? NO_UPPER_AGE };
  await tx.prepared(releaseStale).run({ ...range, cutoff, at });
  // The response's own place is never in this count: it is elsewhere, released or stale (just released).
  const { n } = (await tx.prepared<CellRange, { n: number }>(taken).get(range))!;
  if (n < cell.target) { await write(state); return 'admitted'; }
  await write('refused');
  return 'quota_full';
}

/** Why response `responseId` was screened out beyond the screener questions, if it was. */
export async function screenReasonOf(db: Sql, responseId: string): Promise<ScreenReason | undefined> {
  return (await db.prepared(refusedOf).get({ id: responseId })) === undefined ? undefined : 'quota_full';
}

/**
 * Gives back every place held by a partial response not saved for QUOTA_HOLD_MS (all waves), e.g.
 * from a periodic sweep. The places are already free for `claimQuotaPlace` and `quotaFill` (both
 * look at the time of the last save); this records it. Returns how many were released.
 */
export async function releaseAbandoned(store: Store, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - QUOTA_HOLD_MS).toISOString();
  const r = await store.write((tx) => tx.run(sql`UPDATE ${qr} SET ${bare(qr.state)} = 'released', ${bare(qr.updatedAt)} = ${now.toISOString()}
    WHERE ${qr.state} = 'held' AND ${qr.updatedAt} < ${cutoff}`));
  return r.changes;
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

async function surveyJsonOf(db: Sql, wave: WaveRow): Promise<Record<string, unknown>> {
  const v = await latestVersionOf(db, wave.surveyId);
  if (!v) throw new DomainError('conflict', 'no_survey', `wave ${wave.id}: no questionnaire is registered for survey "${wave.surveyId}", so quota codes cannot be checked`);
  return v.row.json;
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

/** Text in the order SQLite sorts it (code units), the same on both engines. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The targets as stored (for the audit entry and the console), in a stable order. */
export async function quotaTargetsOf(db: Sql, waveId: number): Promise<QuotaTargetInput[]> {
  const rows = await db.all<QuotaTargetInput & { ageLo: number }>(sql`
    SELECT ${qt.region} AS "region", ${qt.sex} AS "sex", ${qt.ageBand} AS "ageBand", ${qt.target} AS "target", ${qt.ageLo} AS "ageLo"
    FROM ${qt} WHERE ${qt.waveId} = ${waveId}`);
  return rows.sort((x, y) => byText(x.region, y.region) || byText(x.sex, y.sex) || x.ageLo - y.ageLo)
    .map(({ region, sex, ageBand, target }) => ({ region, sex, ageBand, target }));
}

/**
 * Replaces wave `waveId`'s quota targets with `targets` (an empty list removes them), with an audit
 * entry 'quota.set' (before/after), in one transaction. Responses the wave already has are placed
 * too: completed and imported ones counted, partial ones holding a place as of their last save —
 * never refused, so a target below what is already there shows as overshoot.
 * @throws DomainError not_found (wave), bad_data 'invalid_quota' (see {@link checkQuotaTargets})
 */
export async function setQuotas(store: Store, waveId: number, targets: readonly QuotaTargetInput[], actor: string, now = new Date(), where: TargetSource = { request: true }): Promise<QuotaFill> {
  const wave = await waveOrThrow(store.sql, waveId);
  const cells = checkQuotaTargets(targets, await surveyJsonOf(store.sql, wave), where);
  const at = now.toISOString();
  await store.write(async (tx) => {
    const before = await quotaTargetsOf(tx, waveId);
    await tx.run(sql`DELETE FROM ${qt} WHERE ${qt.waveId} = ${waveId}`);
    for (const c of cells) {
      await tx.run(sql`INSERT INTO ${qt} (${bare(qt.waveId)}, ${bare(qt.region)}, ${bare(qt.sex)}, ${bare(qt.ageBand)}, ${bare(qt.ageLo)}, ${bare(qt.ageHi)}, ${bare(qt.target)})
        VALUES (${waveId}, ${c.region}, ${c.sex}, ${c.ageBand}, ${c.ageLo}, ${c.ageHi}, ${c.target})`);
    }
    const placed = { completed: 0, partial: 0 };
    if (cells.length > 0) {
      const missing = sql`NOT EXISTS (SELECT 1 FROM ${qr} WHERE ${qr.responseId} = ${responses.id})`;
      placed.completed = (await tx.run(sql`INSERT INTO ${qr} (${bare(qr.responseId)}, ${bare(qr.waveId)}, ${bare(qr.region)}, ${bare(qr.sex)}, ${bare(qr.age)}, ${bare(qr.state)}, ${bare(qr.source)}, ${bare(qr.takenAt)}, ${bare(qr.updatedAt)})
        SELECT ${responses.id}, ${responses.waveId}, ${responses.region}, ${responses.sex}, ${responses.age}, 'counted',
          CASE WHEN ${responses.mode} = 'web' THEN 'web' ELSE 'import' END, ${at}, ${at} FROM ${responses}
        WHERE ${responses.waveId} = ${waveId} AND ${responses.status} = 'complete' AND ${responses.region} IS NOT NULL
          AND ${responses.sex} IS NOT NULL AND ${responses.age} IS NOT NULL AND ${missing}`)).changes;
      // A partial response's placement is in its answers (JSON text): read in JavaScript, the same on both engines.
      const partials = await tx.all<{ id: string; data: string; updatedAt: string }>(sql`
        SELECT ${responses.id} AS "id", CAST(${responses.data} AS TEXT) AS "data", ${responses.updatedAt} AS "updatedAt" FROM ${responses}
        WHERE ${responses.waveId} = ${waveId} AND ${responses.status} = 'partial' AND ${missing} ORDER BY ${responses.id}`);
      for (const r of partials) {
        const place = placementOf(JSON.parse(r.data) as Record<string, unknown>);
        if (!place) continue;
        await tx.prepared(upsert).run({ responseId: r.id, waveId, ...place, state: 'held', source: 'web', at: r.updatedAt });
        placed.partial++;
      }
    }
    await appendAuditEntry(tx, {
      actor, action: 'quota.set', subjectType: 'wave', subjectId: waveId,
      before, after: { targets: await quotaTargetsOf(tx, waveId), placedExisting: placed, ...('file' in where ? { file: where.file } : {}) },
    }, now);
  });
  return quotaFill(store.sql, waveId, now);
}

/** Reads `file` (CSV or XLSX: region,sex,age_band,target) and sets it as the wave's quotas with {@link setQuotas}. */
export async function importQuotasCsv(store: Store, waveId: number, file: string, actor: string, now = new Date()): Promise<QuotaFill> {
  await waveOrThrow(store.sql, waveId);
  const table = await readTable(file);
  const { targets, where } = quotaTargetsFromTable(table);
  return setQuotas(store, waveId, targets, actor, now, where);
}

/**
 * The live fill of every cell of wave `waveId` with a target, as of `now`: places held (saved
 * within QUOTA_HOLD_MS), completed (imports included), refused, and overshoot.
 * @throws DomainError not_found (wave)
 */
export async function quotaFill(db: Sql, waveId: number, now = new Date()): Promise<QuotaFill> {
  await waveOrThrow(db, waveId);
  const cutoff = new Date(now.getTime() - QUOTA_HOLD_MS).toISOString();
  const targets = (await db.all<CellRow>(sql`
    SELECT ${qt.region} AS "region", ${qt.sex} AS "sex", ${qt.ageBand} AS "ageBand", ${qt.ageLo} AS "ageLo", ${qt.ageHi} AS "ageHi", ${qt.target} AS "target"
    FROM ${qt} WHERE ${qt.waveId} = ${waveId}`)).sort((x, y) => byText(x.region, y.region) || byText(x.sex, y.sex) || x.ageLo - y.ageLo);
  const cells = targets.map((t) => ({ region: t.region, sex: t.sex, ageBand: t.ageBand, target: t.target, reserved: 0, completed: 0, imported: 0, refused: 0, overshoot: 0 }));
  const bySexRegion = new Map<string, number[]>();
  targets.forEach((t, i) => {
    const key = `${t.region}\u0000${t.sex}`;
    bySexRegion.set(key, [...(bySexRegion.get(key) ?? []), i]);
  });
  const outside = { reserved: 0, completed: 0 };
  // One pass over the wave's entries of the covering index, grouped in its order (no sort).
  type Group = { region: string; sex: string; state: string; age: number; source: string; n: number; live: number };
  const groups = await db.all<Group>(sql`
    SELECT ${qr.region} AS "region", ${qr.sex} AS "sex", ${qr.state} AS "state", ${qr.age} AS "age", ${qr.source} AS "source", count(*) AS "n",
      CAST(sum(CASE WHEN ${qr.updatedAt} >= ${cutoff} THEN 1 ELSE 0 END) AS BIGINT) AS "live"
    FROM ${qr} WHERE ${qr.waveId} = ${waveId} GROUP BY ${qr.region}, ${qr.sex}, ${qr.state}, ${qr.age}, ${qr.source}`);
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
