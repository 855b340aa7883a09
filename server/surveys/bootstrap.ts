// What the server does with surveys/ at start: register the official questionnaire (a new
// version when its content changed) and load the Concept's targets.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql as q } from 'drizzle-orm';
import { z } from 'zod';
import { bare } from '../db/sql';
import type { Store } from '../db/store';
import { targetSets, type SurveyVersionRow } from '../db/schema';
import { checkSurvey } from './check-survey';
import { OFFICIAL_SURVEY_ID, readSurveyFolder, registerSurveyVersion, SurveyLoadError, type SurveyFiles } from './service';

/** Indicator ids the responses table has a score column for (server/db/schema.ts). */
export const STORED_INDICATORS = ['consensus', 'tolerance', 'mood'] as const;

/**
 * Reads `<surveysDir>/official/`, checks it with checkSurvey (names, translations, scoring spec
 * against the questions' scales), and registers it as the current version of the
 * official survey if its content changed. Throws SurveyLoadError naming the file and the fault.
 */
export async function loadOfficialSurvey(store: Store, surveysDir: string, now = new Date()): Promise<{ version: SurveyVersionRow; created: boolean }> {
  const files = readOfficialSurvey(surveysDir);
  return registerSurveyVersion(store, OFFICIAL_SURVEY_ID, files.json, files.scoring, now);
}

/** Reads and checks `<surveysDir>/official/` as loadOfficialSurvey does, without registering it. */
export function readOfficialSurvey(surveysDir: string): SurveyFiles {
  const dir = path.join(surveysDir, OFFICIAL_SURVEY_ID);
  const files = readSurveyFolder(dir);
  const problems = checkSurvey(files.json, files.scoring);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map((p) => `  ${p.path}${p.question ? ` (${p.question})` : ''}: ${p.message}`);
    if (problems.length > 10) shown.push(`  … and ${problems.length - 10} more`);
    throw new SurveyLoadError(`${dir} is not fit to load (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${shown.join('\n')}`);
  }
  for (const ind of files.spec.indicators) {
    if (!(STORED_INDICATORS as readonly string[]).includes(ind.id)) {
      throw new SurveyLoadError(`${path.join(dir, 'scoring.json')}: indicator "${ind.id}" has no score column; the responses table stores ${STORED_INDICATORS.join(', ')}`);
    }
  }
  return files;
}

// The outline of surveys/targets.json this server relies on; other keys (names, documents,
// discrepancies, context figures) are kept as they are for the dashboard.
const targetsSchema = z.object({
  indicators: z.array(z.object({
    code: z.string().min(1),
    values: z.array(z.object({
      year: z.number().int().min(2000).max(2100),
      value: z.number().finite(),
      source: z.object({ section: z.string().min(1) }).loose(),
    }).loose()).min(1),
  }).loose()).min(1),
}).loose();

/**
 * Reads `<surveysDir>/targets.json`, checks its outline (every stored indicator present, each
 * value with a year, a number and the section of the source it comes from) and stores it once per
 * distinct content. Throws SurveyLoadError naming the file and the fault.
 */
export async function loadTargets(store: Store, surveysDir: string, now = new Date()): Promise<{ id: number; created: boolean }> {
  const { text, contentHash } = readTargets(surveysDir);
  return store.write(async (tx) => {
    const existing = await tx.get<{ id: number }>(q`SELECT ${targetSets.id} AS "id" FROM ${targetSets} WHERE ${targetSets.contentHash} = ${contentHash}`);
    if (existing) return { id: existing.id, created: false };
    const row = (await tx.get<{ id: number }>(q`INSERT INTO ${targetSets} (${bare(targetSets.contentHash)}, ${bare(targetSets.json)}, ${bare(targetSets.loadedAt)})
      VALUES (${contentHash}, ${text}, ${now.toISOString()}) RETURNING ${bare(targetSets.id)} AS "id"`))!;
    return { id: row.id, created: true };
  });
}

/** Reads and checks `<surveysDir>/targets.json` as loadTargets does: its JSON text and content hash. */
export function readTargets(surveysDir: string): { text: string; contentHash: string } {
  const file = path.join(surveysDir, 'targets.json');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SurveyLoadError(`cannot load ${file}: ${(err as Error).message}`);
  }
  const parsed = targetsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SurveyLoadError(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const codes = new Set(parsed.data.indicators.map((i) => i.code));
  for (const id of STORED_INDICATORS) {
    if (!codes.has(id)) throw new SurveyLoadError(`${file} has no targets for indicator "${id}"`);
  }
  const text = JSON.stringify(json);
  const contentHash = createHash('sha256').update(text).digest('hex');
  return { text, contentHash };
}
