// pg-respondent: the synchronous SQLite-only wave functions, for the code that has not moved to the
// store yet (decision 027, step 2) and calls them inside its synchronous transactions: the exports
// (their worker reads the SQLite file), the demo database builder, and tests that seed a SQLite
// file. The console's and the CLI's wave commands are on the store (service.ts, pg-waves); this
// file goes when its last caller moves.
import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/open';
import { waves, type WaveRow } from '../db/schema';
import { appendAudit } from '../audit/service';
import { destroyWaveSecretSqlite } from '../antibot/secrets';
import { DomainError } from '../errors';
import { newOpenSlug, periodOf, periodStart, quarterTitle, type WaveTitle } from './service';

export function findWave(db: Queryable, id: number): WaveRow | undefined {
  return db.select().from(waves).where(eq(waves.id, id)).get();
}

export function listWaves(db: Queryable): WaveRow[] {
  return db.select().from(waves).orderBy(waves.id).all();
}

export function findWaveByPeriod(db: Queryable, surveyId: string, period: string): WaveRow | undefined {
  return db.select().from(waves).where(and(eq(waves.surveyId, surveyId), eq(waves.period, period))).get();
}

/** Opens a new wave of `surveyId`, with `period` (null: not part of the public series). */
export function openWave(db: Queryable, surveyId: string, now = new Date(), title: WaveTitle = quarterTitle(now), period: string | null = null): WaveRow {
  return db.insert(waves).values({
    surveyId, titleKk: title.kk, titleRu: title.ru, titleEn: title.en,
    openSlug: newOpenSlug(), status: 'open', openedAt: now.toISOString(), period,
  }).returning().get();
}

/**
 * Opens a wave for the current quarter with that quarter as its period — or, when a wave of this
 * survey already has the period (at most one per period; e.g. it was closed early), a wave
 * without a period.
 */
export function openCurrentWave(db: Queryable, surveyId: string, now = new Date()): WaveRow {
  const period = periodOf(now);
  return openWave(db, surveyId, now, quarterTitle(now), findWaveByPeriod(db, surveyId, period) ? null : period);
}

/** The most recently opened open wave of `surveyId`, opening one (the current quarter's, with its period) if there is none. */
export function ensureOpenWave(db: Queryable, surveyId: string, now = new Date()): { wave: WaveRow; created: boolean } {
  return db.transaction((tx) => {
    const current = tx.select().from(waves)
      .where(and(eq(waves.surveyId, surveyId), eq(waves.status, 'open')))
      .orderBy(desc(waves.id)).limit(1).get();
    if (current) return { wave: current, created: false };
    return { wave: openCurrentWave(tx, surveyId, now), created: true };
  }, { behavior: 'immediate' });
}

/** Closes wave `id` (no-op when already closed). Returns the updated row, or undefined if unknown. */
export function closeWave(db: Queryable, id: number, now = new Date()): WaveRow | undefined {
  return db.transaction((tx) => {
    const closed = tx.update(waves).set({ status: 'closed', closedAt: now.toISOString() })
      .where(and(eq(waves.id, id), eq(waves.status, 'open'))).returning().get() ?? findWave(tx, id);
    // The wave's secret goes with it: its address hashes can no longer be tied to an address (docs/decisions/021).
    if (closed?.status === 'closed') destroyWaveSecretSqlite(tx, id);
    return closed;
  });
}

/**
 * Records a wave for `period` (e.g. past face-to-face fieldwork to import into): open, or closed
 * at once with `closed`. At most one wave per survey and period.
 * @throws DomainError bad_usage (not a period), conflict (the period already has a wave)
 */
export function createWave(db: Queryable, surveyId: string, period: string, options: { closed?: boolean; actor: string; now?: Date }): WaveRow {
  const now = options.now ?? new Date();
  const start = periodStart(period);
  if (!start) throw new DomainError('bad_usage', 'invalid_option', `--period "${period}" must be a quarter like 2023-Q2`);
  return db.transaction((tx) => {
    const existing = findWaveByPeriod(tx, surveyId, period);
    if (existing) throw new DomainError('conflict', 'period_taken', `--period ${period}: wave ${existing.id} (${existing.status}) already has this period; there is at most one wave per period`);
    if (!options.closed) {
      const open = tx.select().from(waves).where(and(eq(waves.surveyId, surveyId), eq(waves.status, 'open'))).get();
      if (open) throw new DomainError('conflict', 'wave_open', `wave ${open.id} is still open; close it first (wave close --wave ${open.id}) or create this one with --closed`);
    }
    const wave = openWave(tx, surveyId, now, quarterTitle(start), period);
    const row = options.closed ? tx.update(waves).set({ status: 'closed', closedAt: now.toISOString() }).where(eq(waves.id, wave.id)).returning().get()! : wave;
    appendAudit(tx, { actor: options.actor, action: 'wave.create', subjectType: 'wave', subjectId: row.id, after: { surveyId, period, status: row.status } }, now);
    return row;
  }, { behavior: 'immediate' });
}

export { newOpenSlug, periodOf, periodStart, quarterTitle, type WaveTitle } from './service';
