// Waves: a fieldwork period (normally a quarter) with an open link. The server keeps one current
// open wave per survey (opening one at start if none is); `kelisim wave` opens and closes them.
// Through the store (decision 027): SQLite or PostgreSQL, the audited console and CLI commands too.
import { randomBytes } from 'node:crypto';
import { sql as q } from 'drizzle-orm';
import { rowShape } from '../db/rows';
import { waves, type WaveRow } from '../db/schema';
import { bare, type Sql } from '../db/sql';
import type { Store } from '../db/store';
import { appendAudit } from '../audit/service';
import { destroyWaveSecret } from '../antibot/secrets';
import { DomainError } from '../errors';

export interface WaveTitle { kk: string; ru: string; en: string }

/** A default title for a wave opened at `now`: its calendar quarter, in the three languages. */
export function quarterTitle(now: Date): WaveTitle {
  const year = now.getUTCFullYear();
  const q = Math.floor(now.getUTCMonth() / 3) + 1;
  const roman = ['I', 'II', 'III', 'IV'][q - 1];
  return {
    kk: `${year} жылғы ${q}-тоқсан`,
    ru: `${roman} квартал ${year} года`,
    en: `Q${q} ${year}`,
  };
}

/**
 * A new open-link slug: 9 random bytes, base64url (12 characters). Shorter than an invitation
 * token (43 characters), so the two kinds of link cannot collide.
 */
export function newOpenSlug(): string {
  return randomBytes(9).toString('base64url');
}

const WAVE = rowShape<WaveRow>(waves);

export async function findWave(sql: Sql, id: number): Promise<WaveRow | undefined> {
  return sql.get<WaveRow>(q`SELECT ${WAVE.columns} FROM ${waves} WHERE ${waves.id} = ${id}`);
}

export async function findWaveBySlug(sql: Sql, slug: string): Promise<WaveRow | undefined> {
  return sql.get<WaveRow>(q`SELECT ${WAVE.columns} FROM ${waves} WHERE ${waves.openSlug} = ${slug}`);
}

export async function listWaves(sql: Sql): Promise<WaveRow[]> {
  return sql.all<WaveRow>(q`SELECT ${WAVE.columns} FROM ${waves} ORDER BY ${waves.id}`);
}

/** The calendar quarter of `now` as a period, e.g. '2026-Q3'. */
export function periodOf(now: Date): string {
  return `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
}

const PERIOD = /^(\d{4})-Q([1-4])$/;

/** The first day of a period ('2026-Q3' → 2026-07-01), or null when it is not a period. */
export function periodStart(period: string): Date | null {
  const m = PERIOD.exec(period);
  return m ? new Date(Date.UTC(Number(m[1]), (Number(m[2]) - 1) * 3, 1)) : null;
}

export async function findWaveByPeriod(sql: Sql, surveyId: string, period: string): Promise<WaveRow | undefined> {
  return sql.get<WaveRow>(q`SELECT ${WAVE.columns} FROM ${waves} WHERE ${waves.surveyId} = ${surveyId} AND ${waves.period} = ${period}`);
}

/** Opens a new wave of `surveyId`, with `period` (null: not part of the public series). Call inside a write (`tx`). */
export async function openWave(tx: Sql, surveyId: string, now = new Date(), title: WaveTitle = quarterTitle(now), period: string | null = null): Promise<WaveRow> {
  const row = await tx.get<WaveRow>(q`INSERT INTO ${waves}
    (${bare(waves.surveyId)}, ${bare(waves.titleKk)}, ${bare(waves.titleRu)}, ${bare(waves.titleEn)}, ${bare(waves.openSlug)}, ${bare(waves.status)}, ${bare(waves.openedAt)}, ${bare(waves.period)})
    VALUES (${surveyId}, ${title.kk}, ${title.ru}, ${title.en}, ${newOpenSlug()}, 'open', ${now.toISOString()}, ${period})
    RETURNING ${WAVE.returning}`);
  return row!;
}

/**
 * Opens a wave for the current quarter with that quarter as its period — or, when a wave of this
 * survey already has the period (at most one per period; e.g. it was closed early), a wave
 * without a period. Call inside a write (`tx`).
 */
export async function openCurrentWave(tx: Sql, surveyId: string, now = new Date()): Promise<WaveRow> {
  const period = periodOf(now);
  return openWave(tx, surveyId, now, quarterTitle(now), (await findWaveByPeriod(tx, surveyId, period)) ? null : period);
}

/**
 * The most recently opened open wave of `surveyId`, opening one (the current quarter's, with its
 * period) if there is none. Two servers starting at once on PostgreSQL: the second's insert meets
 * the period's unique index, its write is run again and finds the first's wave.
 */
export async function ensureOpenWave(store: Store, surveyId: string, now = new Date()): Promise<{ wave: WaveRow; created: boolean }> {
  return store.write(async (tx) => {
    const current = await tx.get<WaveRow>(q`SELECT ${WAVE.columns} FROM ${waves}
      WHERE ${waves.surveyId} = ${surveyId} AND ${waves.status} = 'open' ORDER BY ${waves.id} DESC LIMIT 1`);
    if (current) return { wave: current, created: false };
    return { wave: await openCurrentWave(tx, surveyId, now), created: true };
  });
}

/**
 * Serializes the wave commands that check "is a wave open?" before they insert one. SQLite: its
 * writes are already one at a time. PostgreSQL (read committed): two could both find none and both
 * open one (the period's unique index does not help when the quarter already has a wave), so the
 * write locks the table against other writers of waves until it commits; readers are not blocked.
 */
async function lockWaves(tx: Sql): Promise<void> {
  if (tx.dialect === 'postgres') await tx.run(q`LOCK TABLE ${waves} IN SHARE ROW EXCLUSIVE MODE`);
}

async function findOpenWave(sql: Sql, surveyId: string): Promise<WaveRow | undefined> {
  return sql.get<WaveRow>(q`SELECT ${WAVE.columns} FROM ${waves}
    WHERE ${waves.surveyId} = ${surveyId} AND ${waves.status} = 'open' ORDER BY ${waves.id} LIMIT 1`);
}

/** Closes wave `id` inside a write (`tx`; no-op when already closed). Returns the row, or undefined if unknown. */
export async function closeWaveIn(tx: Sql, id: number, now = new Date()): Promise<WaveRow | undefined> {
  const closed = await tx.get<WaveRow>(q`UPDATE ${waves} SET ${bare(waves.status)} = 'closed', ${bare(waves.closedAt)} = ${now.toISOString()}
    WHERE ${bare(waves.id)} = ${id} AND ${bare(waves.status)} = 'open' RETURNING ${WAVE.returning}`) ?? await findWave(tx, id);
  // The wave's secret goes with it: its address hashes can no longer be tied to an address (docs/decisions/021).
  if (closed?.status === 'closed') await destroyWaveSecret(tx, id);
  return closed;
}

/** Closes wave `id` (no-op when already closed). Returns the updated row, or undefined if unknown. */
export async function closeWave(store: Store, id: number, now = new Date()): Promise<WaveRow | undefined> {
  return store.write((tx) => closeWaveIn(tx, id, now));
}

/**
 * Records a wave for `period` (e.g. past face-to-face fieldwork to import into): open, or closed
 * at once with `closed`. At most one wave per survey and period. Audited.
 * @throws DomainError bad_usage (not a period), conflict (the period already has a wave; a wave is open)
 */
export async function createWave(store: Store, surveyId: string, period: string, options: { closed?: boolean; actor: string; now?: Date }): Promise<WaveRow> {
  const now = options.now ?? new Date();
  const start = periodStart(period);
  if (!start) throw new DomainError('bad_usage', 'invalid_option', `--period "${period}" must be a quarter like 2023-Q2`);
  return store.write(async (tx) => {
    await lockWaves(tx);
    const existing = await findWaveByPeriod(tx, surveyId, period);
    if (existing) throw new DomainError('conflict', 'period_taken', `--period ${period}: wave ${existing.id} (${existing.status}) already has this period; there is at most one wave per period`);
    if (!options.closed) {
      const open = await findOpenWave(tx, surveyId);
      if (open) throw new DomainError('conflict', 'wave_open', `wave ${open.id} is still open; close it first (wave close --wave ${open.id}) or create this one with --closed`);
    }
    const wave = await openWave(tx, surveyId, now, quarterTitle(start), period);
    const row = options.closed
      ? (await tx.get<WaveRow>(q`UPDATE ${waves} SET ${bare(waves.status)} = 'closed', ${bare(waves.closedAt)} = ${now.toISOString()}
          WHERE ${bare(waves.id)} = ${wave.id} RETURNING ${WAVE.returning}`))!
      : wave;
    await appendAudit(tx, { actor: options.actor, action: 'wave.create', subjectType: 'wave', subjectId: row.id, after: { surveyId, period, status: row.status } }, now);
    return row;
  });
}

/**
 * Opens a new wave of `surveyId` for the current quarter, refusing while one is open (as `kelisim
 * wave open`), and audits it.
 * @throws DomainError conflict wave_open
 */
export async function openNextWave(store: Store, surveyId: string, actor: string, now = new Date()): Promise<WaveRow> {
  return store.write(async (tx) => {
    await lockWaves(tx);
    const open = await findOpenWave(tx, surveyId);
    if (open) throw new DomainError('conflict', 'wave_open', `wave ${open.id} is still open; close it first`);
    const wave = await openCurrentWave(tx, surveyId, now);
    await appendAudit(tx, { actor, action: 'wave.open', subjectType: 'wave', subjectId: wave.id, after: { surveyId, period: wave.period, status: 'open' } }, now);
    return wave;
  });
}

/**
 * Closes wave `id` and audits it (nothing to audit when it was closed already).
 * @throws DomainError not_found wave_not_found
 */
export async function closeWaveAudited(store: Store, id: number, actor: string, now = new Date()): Promise<WaveRow> {
  return store.write(async (tx) => {
    const before = await findWave(tx, id);
    if (!before) throw new DomainError('not_found', 'wave_not_found', `There is no wave ${id}.`);
    if (before.status === 'closed') return before;
    const after = (await closeWaveIn(tx, id, now))!;
    await appendAudit(tx, { actor, action: 'wave.close', subjectType: 'wave', subjectId: id, before: { status: before.status }, after: { status: after.status, closedAt: after.closedAt } }, now);
    return after;
  });
}
