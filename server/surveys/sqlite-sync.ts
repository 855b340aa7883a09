// pg-respondent: the synchronous SQLite-only reads and writes of survey versions, for the code that
// has not moved to the store yet (decision 027, step 2) and calls them inside its synchronous
// transactions. The store's versions are in service.ts; this file goes when its last caller moves.
import { desc, eq } from 'drizzle-orm';
import { targetSets } from '../db/schema';
import { parseScoringSpec } from '../../analysis/scoring';
import type { Db, Queryable } from '../db/open';
import { surveyVersions, type SurveyVersionRow } from '../db/schema';
import { readOfficialSurvey, readTargets } from './bootstrap';
import { OFFICIAL_SURVEY_ID, surveyContentHash, type LoadedSurveyVersion } from './service';

/** The latest registered version of `surveyId`, or undefined. */
export function latestSurveyVersion(db: Queryable, surveyId: string): SurveyVersionRow | undefined {
  return db.select().from(surveyVersions)
    .where(eq(surveyVersions.surveyId, surveyId))
    .orderBy(desc(surveyVersions.version)).limit(1).get();
}

/** As service.ts's registerSurveyVersion, in a synchronous transaction on `db`. */
export function registerSurveyVersion(
  db: Db, surveyId: string, json: Record<string, unknown>, scoring: Record<string, unknown>, now = new Date(),
): { version: SurveyVersionRow; created: boolean } {
  const contentHash = surveyContentHash(json, scoring);
  return db.transaction((tx) => {
    const latest = latestSurveyVersion(tx, surveyId);
    if (latest && latest.contentHash === contentHash) return { version: latest, created: false };
    const version = tx.insert(surveyVersions).values({
      surveyId, version: (latest?.version ?? 0) + 1, contentHash, json, scoring, createdAt: now.toISOString(),
    }).returning().get();
    return { version, created: true };
  }, { behavior: 'immediate' });
}

const versionCache = new WeakMap<Db, Map<number, LoadedSurveyVersion>>();

/** Reads version `id` (cached per database: version rows are immutable), or undefined. */
export function getSurveyVersion(db: Db, id: number): LoadedSurveyVersion | undefined {
  let cache = versionCache.get(db);
  if (!cache) versionCache.set(db, (cache = new Map()));
  const hit = cache.get(id);
  if (hit) return hit;
  const row = db.select().from(surveyVersions).where(eq(surveyVersions.id, id)).get();
  if (!row) return undefined;
  const loaded = { row, spec: parseScoringSpec(row.scoring) };
  cache.set(id, loaded);
  return loaded;
}

/** As bootstrap.ts's loadOfficialSurvey, synchronously on `db`. */
export function loadOfficialSurvey(db: Db, surveysDir: string, now = new Date()): { version: SurveyVersionRow; created: boolean } {
  const files = readOfficialSurvey(surveysDir);
  return registerSurveyVersion(db, OFFICIAL_SURVEY_ID, files.json, files.scoring, now);
}

/** As bootstrap.ts's loadTargets, synchronously on `db`. */
export function loadTargets(db: Db, surveysDir: string, now = new Date()): { id: number; created: boolean } {
  const { text, contentHash } = readTargets(surveysDir);
  const existing = db.select({ id: targetSets.id }).from(targetSets).where(eq(targetSets.contentHash, contentHash)).get();
  if (existing) return { id: existing.id, created: false };
  const row = db.insert(targetSets).values({ contentHash, json: JSON.parse(text) as Record<string, unknown>, loadedAt: now.toISOString() }).returning({ id: targetSets.id }).get();
  return { id: row.id, created: true };
}

export { OFFICIAL_SURVEY_ID, readSurveyFolder, SurveyLoadError, surveyContentHash, type LoadedSurveyVersion, type SurveyFiles } from './service';
export { STORED_INDICATORS } from './bootstrap';
