// A questionnaire version and a wave written through the store, on either engine (for tests of
// features moved to the store while the surveys and waves services are still SQLite-only).
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { surveyVersions, waves } from '../../server/db/schema';
import { bare } from '../../server/db/sql';
import type { Store } from '../../server/db/store';
import { OFFICIAL_SURVEY_ID, readSurveyFolder, surveyContentHash } from '../../server/surveys/service';

export interface Seeded { versionId: number; waveId: number; slug: string }

/** Registers `<surveysDir>/official`'s questionnaire as version 1 of the official survey and opens (or records a closed) wave on it. */
export async function seedSurveyAndWave(store: Store, surveysDir: string, options: { closed?: boolean; period?: string | null } = {}): Promise<Seeded> {
  const files = readSurveyFolder(path.join(surveysDir, OFFICIAL_SURVEY_ID));
  const now = new Date().toISOString();
  const slug = `s${Math.random().toString(36).slice(2, 12)}`;
  return store.write(async (tx) => {
    const v = (await tx.get<{ id: number }>(sql`INSERT INTO ${surveyVersions} (${bare(surveyVersions.surveyId)}, ${bare(surveyVersions.version)}, ${bare(surveyVersions.contentHash)},
        ${bare(surveyVersions.json)}, ${bare(surveyVersions.scoring)}, ${bare(surveyVersions.createdAt)})
      VALUES (${OFFICIAL_SURVEY_ID}, 1, ${surveyContentHash(files.json, files.scoring)}, ${JSON.stringify(files.json)}, ${JSON.stringify(files.scoring)}, ${now})
      RETURNING ${surveyVersions.id} AS "id"`))!;
    const w = (await tx.get<{ id: number }>(sql`INSERT INTO ${waves} (${bare(waves.surveyId)}, ${bare(waves.titleKk)}, ${bare(waves.titleRu)}, ${bare(waves.titleEn)},
        ${bare(waves.openSlug)}, ${bare(waves.status)}, ${bare(waves.openedAt)}, ${bare(waves.closedAt)}, ${bare(waves.period)})
      VALUES (${OFFICIAL_SURVEY_ID}, 'Толқын', 'Волна', 'Wave', ${slug}, ${options.closed ? 'closed' : 'open'}, ${now}, ${options.closed ? now : null}, ${options.period ?? null})
      RETURNING ${waves.id} AS "id"`))!;
    return { versionId: v.id, waveId: w.id, slug };
  });
}
