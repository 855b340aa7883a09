// Loading questionnaires and targets at start: versions by content hash, refusal of broken files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { surveyVersions, targetSets } from '../../../server/db/schema';
import { loadOfficialSurvey, loadTargets } from '../../../server/surveys/bootstrap';
import { surveyContentHash, SurveyLoadError } from '../../../server/surveys/service';
import { MINI_SURVEYS_DIR, OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestStore, type TestStore } from '../../helpers/store';

let tdb: TestStore;
let dir: string;
beforeEach(async () => {
  tdb = await createTestStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-surveys-'));
  fs.cpSync(MINI_SURVEYS_DIR, dir, { recursive: true });
});
afterEach(async () => {
  await tdb.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rowsIn = async (table: SQLiteTable) => (await tdb.store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${table}`))!.n;
const surveyFile = () => path.join(dir, 'official/survey.json');
type SurveyDoc = { title: { en: string }; pages: { elements: { name: string }[] }[] } & Record<string, unknown>;
const editSurvey = (edit: (s: SurveyDoc) => void) => {
  const s = JSON.parse(fs.readFileSync(surveyFile(), 'utf8'));
  edit(s);
  fs.writeFileSync(surveyFile(), JSON.stringify(s, null, 1));
};

describe('loadOfficialSurvey', () => {
  it('registers a version only when the content changed (key order and whitespace do not count)', async () => {
    const first = (await loadOfficialSurvey(tdb.store, dir));
    expect(first).toMatchObject({ created: true, version: { surveyId: 'official', version: 1 } });
    // Same content, keys reordered and re-indented.
    editSurvey((s) => { const { pages, ...rest } = s; Object.keys(s).forEach((k) => delete s[k]); Object.assign(s, { pages }, rest); });
    expect((await loadOfficialSurvey(tdb.store, dir))).toMatchObject({ created: false, version: { id: first.version.id } });

    editSurvey((s) => { s.title.en = 'Mini survey, revised'; });
    const second = (await loadOfficialSurvey(tdb.store, dir));
    expect(second).toMatchObject({ created: true, version: { version: 2 } });
    expect(second.version.contentHash).not.toBe(first.version.contentHash);
    expect(await rowsIn(surveyVersions)).toBe(2);
  });

  it('treats a change of the scoring spec alone as a new version', async () => {
    const survey = { pages: [] };
    expect(surveyContentHash(survey, { indicators: [1] })).not.toBe(surveyContentHash(survey, { indicators: [2] }));
  });

  it('refuses a survey checkSurvey finds problems in, naming the question', async () => {
    editSurvey((s) => { s.pages[2]!.elements[1]!.name = 'a1'; });
    await expect(loadOfficialSurvey(tdb.store, dir)).rejects.toThrow(SurveyLoadError);
    await expect(loadOfficialSurvey(tdb.store, dir)).rejects.toThrow(/a1/);
    expect(await rowsIn(surveyVersions)).toBe(0);
  });

  it('refuses unreadable JSON and a scoring spec with an indicator the database cannot store', async () => {
    fs.writeFileSync(surveyFile(), '{ "pages": [');
    await expect(loadOfficialSurvey(tdb.store, dir)).rejects.toThrow(/survey\.json is not valid JSON/);
    fs.cpSync(MINI_SURVEYS_DIR, dir, { recursive: true });
    const scoringFile = path.join(dir, 'official/scoring.json');
    const scoring = JSON.parse(fs.readFileSync(scoringFile, 'utf8'));
    scoring.indicators[2].id = 'happiness';
    fs.writeFileSync(scoringFile, JSON.stringify(scoring));
    await expect(loadOfficialSurvey(tdb.store, dir)).rejects.toThrow(/indicator "happiness" has no score column/);
  });

  it('loads the official questionnaire in surveys/official and surveys/targets.json', async () => {
    expect((await loadTargets(tdb.store, OFFICIAL_SURVEYS_DIR)).created).toBe(true);
    const { version } = (await loadOfficialSurvey(tdb.store, OFFICIAL_SURVEYS_DIR));
    expect(version.json).toEqual(JSON.parse(fs.readFileSync(path.join(OFFICIAL_SURVEYS_DIR, 'official/survey.json'), 'utf8')));
  });
});

describe('loadTargets', () => {
  it('stores targets once per content and refuses a file without an indicator', async () => {
    expect((await loadTargets(tdb.store, dir)).created).toBe(true);
    expect((await loadTargets(tdb.store, dir)).created).toBe(false);
    expect(await rowsIn(targetSets)).toBe(1);
    const targets = JSON.parse(fs.readFileSync(path.join(dir, 'targets.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'targets.json'), JSON.stringify({ ...targets, indicators: targets.indicators.filter((i: { code: string }) => i.code !== 'tolerance') }));
    await expect(loadTargets(tdb.store, dir)).rejects.toThrow(/no targets for indicator "tolerance"/);
    delete targets.indicators[0].values[0].source;
    fs.writeFileSync(path.join(dir, 'targets.json'), JSON.stringify(targets));
    await expect(loadTargets(tdb.store, dir)).rejects.toThrow(/targets\.json: indicators\.0\.values\.0\.source/);
    fs.rmSync(path.join(dir, 'targets.json'));
    await expect(loadTargets(tdb.store, dir)).rejects.toThrow(/cannot load .*targets\.json/);
  });
});
