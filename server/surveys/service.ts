// Survey versions: loading a questionnaire folder, registering a new version when its content
// changed, and reading a version back (cached: a version row never changes once written). Through
// the store (decision 027): SQLite or PostgreSQL.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql as q } from 'drizzle-orm';
import { parseScoringSpec, type ScoringSpec } from '../../analysis/scoring';
import { rowShape } from '../db/rows';
import { bare, type Sql } from '../db/sql';
import type { Store } from '../db/store';
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

const VERSION = rowShape<SurveyVersionRow>(surveyVersions);

/** The latest registered version of `surveyId`, or undefined. */
export async function latestSurveyVersion(sql: Sql, surveyId: string): Promise<SurveyVersionRow | undefined> {
  return VERSION.readOptional(await sql.get(q`SELECT ${VERSION.columns} FROM ${surveyVersions}
    WHERE ${surveyVersions.surveyId} = ${surveyId} ORDER BY ${surveyVersions.version} DESC LIMIT 1`));
}

/**
 * Registers `json` + `scoring` as the current version of `surveyId` unless the latest version
 * already has exactly this content. Returns the current version and whether it was created.
 * (Reverting to an older content registers it again as a new, latest version: "current" is
 * always the highest version number.) Two servers registering at once: the unique (survey,
 * version) refuses the second, whose write is run again and finds the first's version.
 */
export async function registerSurveyVersion(
  store: Store, surveyId: string, json: Record<string, unknown>, scoring: Record<string, unknown>, now = new Date(),
): Promise<{ version: SurveyVersionRow; created: boolean }> {
  const contentHash = surveyContentHash(json, scoring);
  const jsonText = JSON.stringify(json);
  const scoringText = JSON.stringify(scoring);
  return store.write(async (tx) => {
    const latest = await latestSurveyVersion(tx, surveyId);
    if (latest && latest.contentHash === contentHash) return { version: latest, created: false };
    const version = VERSION.read((await tx.get(q`INSERT INTO ${surveyVersions}
      (${bare(surveyVersions.surveyId)}, ${bare(surveyVersions.version)}, ${bare(surveyVersions.contentHash)}, ${bare(surveyVersions.json)}, ${bare(surveyVersions.scoring)}, ${bare(surveyVersions.createdAt)})
      VALUES (${surveyId}, ${(latest?.version ?? 0) + 1}, ${contentHash}, ${jsonText}, ${scoringText}, ${now.toISOString()})
      RETURNING ${VERSION.returning}`))!);
    return { version, created: true };
  });
}

/** A survey version with its parsed scoring spec. */
export interface LoadedSurveyVersion {
  row: SurveyVersionRow;
  spec: ScoringSpec;
}

const versionCaches = new WeakMap<object, Map<number, LoadedSurveyVersion>>();

/**
 * Reads version `id`, or undefined. Version rows are immutable, so a version is read once per
 * database and kept: `cacheKey` names the database (the store; by default the executor, which on
 * PostgreSQL is a new object per transaction — pass the store there).
 */
export async function getSurveyVersion(sql: Sql, id: number, cacheKey: object = sql): Promise<LoadedSurveyVersion | undefined> {
  let cache = versionCaches.get(cacheKey);
  if (!cache) versionCaches.set(cacheKey, (cache = new Map()));
  const hit = cache.get(id);
  if (hit) return hit;
  const row = VERSION.readOptional(await sql.get(q`SELECT ${VERSION.columns} FROM ${surveyVersions} WHERE ${surveyVersions.id} = ${id}`));
  if (!row) return undefined;
  // Another request may have read it meanwhile: keep the first, so validators cached per version object are built once.
  const loaded = cache.get(id) ?? { row, spec: parseScoringSpec(row.scoring) };
  cache.set(id, loaded);
  return loaded;
}
