// Waves: a fieldwork period (normally a quarter) with an open link. The server keeps one current
// open wave per survey (opening one at start if none is); `kelisim wave` opens and closes them.
// Through the store (decision 027); the audited console and CLI commands are still synchronous, on
// SQLite only, in sqlite-sync.ts (the audit log and the wave secrets have not moved yet).
import { randomBytes } from 'node:crypto';
import { sql as q } from 'drizzle-orm';
import { rowShape } from '../db/rows';
import { waves, type WaveRow } from '../db/schema';
import { bare, type Sql } from '../db/sql';
import type { Store } from '../db/store';

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
