// Waves: a fieldwork period (normally a quarter) with an open link. The server keeps one current
// open wave per survey (opening one at start if none is); `kelisim wave` opens and closes them.
import { randomBytes } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/open';
import { waves, type WaveRow } from '../db/schema';

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

export function findWave(db: Queryable, id: number): WaveRow | undefined {
  return db.select().from(waves).where(eq(waves.id, id)).get();
}

export function findWaveBySlug(db: Queryable, slug: string): WaveRow | undefined {
  return db.select().from(waves).where(eq(waves.openSlug, slug)).get();
}

export function listWaves(db: Queryable): WaveRow[] {
  return db.select().from(waves).orderBy(waves.id).all();
}

/** Opens a new wave of `surveyId`. */
export function openWave(db: Queryable, surveyId: string, now = new Date(), title: WaveTitle = quarterTitle(now)): WaveRow {
  return db.insert(waves).values({
    surveyId, titleKk: title.kk, titleRu: title.ru, titleEn: title.en,
    openSlug: newOpenSlug(), status: 'open', openedAt: now.toISOString(),
  }).returning().get();
}

/** The most recently opened open wave of `surveyId`, opening one if there is none. */
export function ensureOpenWave(db: Queryable, surveyId: string, now = new Date()): { wave: WaveRow; created: boolean } {
  return db.transaction((tx) => {
    const current = tx.select().from(waves)
      .where(and(eq(waves.surveyId, surveyId), eq(waves.status, 'open')))
      .orderBy(desc(waves.id)).limit(1).get();
    if (current) return { wave: current, created: false };
    return { wave: openWave(tx, surveyId, now), created: true };
  }, { behavior: 'immediate' });
}

/** Closes wave `id` (no-op when already closed). Returns the updated row, or undefined if unknown. */
export function closeWave(db: Queryable, id: number, now = new Date()): WaveRow | undefined {
  return db.update(waves).set({ status: 'closed', closedAt: now.toISOString() })
    .where(and(eq(waves.id, id), eq(waves.status, 'open'))).returning().get() ?? findWave(db, id);
}
