// Survey versions: loading a questionnaire folder, registering a new version when its content
// changed, and reading a version back (cached: a version row never changes once written).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { parseScoringSpec, type ScoringSpec } from '../../analysis/scoring';
import type { Db, Queryable } from '../db/open';
import { surveyVersions, type SurveyVersionRow } from '../db/schema';

/** The id of the official questionnaire (surveys/official/). */
export const OFFICIAL_SURVEY_ID = 'official';

export class SurveyLoadError extends Error {
  override name = 'SurveyLoadError';
}

export interface SurveyFiles {
  json: Record<string, unknown>;
  scoring: Record<string, unknown>;
  spec: ScoringSpec;
}

function readJsonObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SurveyLoadError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SurveyLoadError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SurveyLoadError(`${file} must contain a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Reads `<dir>/survey.json` (SurveyJS) and `<dir>/scoring.json` (METHODOLOGY §2) and checks the
 * scoring spec's own format. Throws SurveyLoadError naming the file and the fault.
 */
export function readSurveyFolder(dir: string): SurveyFiles {
  const json = readJsonObject(path.join(dir, 'survey.json'));
  const scoring = readJsonObject(path.join(dir, 'scoring.json'));
  let spec: ScoringSpec;
  try {
    spec = parseScoringSpec(scoring);
  } catch (err) {
    throw new SurveyLoadError(`${path.join(dir, 'scoring.json')}: ${(err as Error).message}`);
  }
  return { json, scoring, spec };
}

/** JSON with object keys sorted at every level, so the hash ignores key order and whitespace. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object).sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 over the survey and its scoring spec: a change to either is a new version. */
export function surveyContentHash(json: unknown, scoring: unknown): string {
  return createHash('sha256').update(canonicalJson({ survey: json, scoring })).digest('hex');
}

/** The latest registered version of `surveyId`, or undefined. */
export function latestSurveyVersion(db: Queryable, surveyId: string): SurveyVersionRow | undefined {
  return db.select().from(surveyVersions)
    .where(eq(surveyVersions.surveyId, surveyId))
    .orderBy(desc(surveyVersions.version)).limit(1).get();
}

/**
 * Registers `json` + `scoring` as the current version of `surveyId` unless the latest version
 * already has exactly this content. Returns the current version and whether it was created.
 * (Reverting to an older content registers it again as a new, latest version: "current" is
 * always the highest version number.)
 */
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

/** A survey version with its parsed scoring spec. */
export interface LoadedSurveyVersion {
  row: SurveyVersionRow;
  spec: ScoringSpec;
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
