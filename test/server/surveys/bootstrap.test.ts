// Loading questionnaires and targets at start: versions by content hash, refusal of broken files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { surveyVersions, targetSets } from '../../../server/db/schema';
import { loadOfficialSurvey, loadTargets } from '../../../server/surveys/bootstrap';
import { surveyContentHash, SurveyLoadError } from '../../../server/surveys/service';
import { MINI_SURVEYS_DIR, OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';

let tdb: TestDb;
let dir: string;
beforeEach(() => {
  tdb = createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-surveys-'));
  fs.cpSync(MINI_SURVEYS_DIR, dir, { recursive: true });
});
afterEach(() => {
  tdb.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const surveyFile = () => path.join(dir, 'official/survey.json');
type SurveyDoc = { title: { en: string }; pages: { elements: { name: string }[] }[] } & Record<string, unknown>;
const editSurvey = (edit: (s: SurveyDoc) => void) => {
  const s = JSON.parse(fs.readFileSync(surveyFile(), 'utf8'));
  edit(s);
  fs.writeFileSync(surveyFile(), JSON.stringify(s, null, 1));
};

describe('loadOfficialSurvey', () => {
  it('registers a version only when the content changed (key order and whitespace do not count)', () => {
    const first = loadOfficialSurvey(tdb.db, dir);
    expect(first).toMatchObject({ created: true, version: { surveyId: 'official', version: 1 } });
    // Same content, keys reordered and re-indented.
    editSurvey((s) => { const { pages, ...rest } = s; Object.keys(s).forEach((k) => delete s[k]); Object.assign(s, { pages }, rest); });
    expect(loadOfficialSurvey(tdb.db, dir)).toMatchObject({ created: false, version: { id: first.version.id } });

    editSurvey((s) => { s.title.en = 'Mini survey, revised'; });
    const second = loadOfficialSurvey(tdb.db, dir);
    expect(second).toMatchObject({ created: true, version: { version: 2 } });
    expect(second.version.contentHash).not.toBe(first.version.contentHash);
    expect(tdb.db.select().from(surveyVersions).all()).toHaveLength(2);
  });

  it('treats a change of the scoring spec alone as a new version', () => {
    const survey = { pages: [] };
    expect(surveyContentHash(survey, { indicators: [1] })).not.toBe(surveyContentHash(survey, { indicators: [2] }));
  });

  it('refuses a survey checkSurvey finds problems in, naming the question', () => {
    editSurvey((s) => { s.pages[2]!.elements[1]!.name = 'a1'; });
    expect(() => loadOfficialSurvey(tdb.db, dir)).toThrow(SurveyLoadError);
    expect(() => loadOfficialSurvey(tdb.db, dir)).toThrow(/a1/);
    expect(tdb.db.select().from(surveyVersions).all()).toHaveLength(0);
  });

  it('refuses unreadable JSON and a scoring spec with an indicator the database cannot store', () => {
    fs.writeFileSync(surveyFile(), '{ "pages": [');
    expect(() => loadOfficialSurvey(tdb.db, dir)).toThrow(/survey\.json is not valid JSON/);
    fs.cpSync(MINI_SURVEYS_DIR, dir, { recursive: true });
    const scoringFile = path.join(dir, 'official/scoring.json');
    const scoring = JSON.parse(fs.readFileSync(scoringFile, 'utf8'));
    scoring.indicators[2].id = 'happiness';
    fs.writeFileSync(scoringFile, JSON.stringify(scoring));
    expect(() => loadOfficialSurvey(tdb.db, dir)).toThrow(/indicator "happiness" has no score column/);
  });

  it('loads the official questionnaire in surveys/official and surveys/targets.json', () => {
    expect(loadTargets(tdb.db, OFFICIAL_SURVEYS_DIR).created).toBe(true);
    const { version } = loadOfficialSurvey(tdb.db, OFFICIAL_SURVEYS_DIR);
    expect(version.json).toEqual(JSON.parse(fs.readFileSync(path.join(OFFICIAL_SURVEYS_DIR, 'official/survey.json'), 'utf8')));
  });
});

describe('loadTargets', () => {
  it('stores targets once per content and refuses a file without an indicator', () => {
    expect(loadTargets(tdb.db, dir).created).toBe(true);
    expect(loadTargets(tdb.db, dir).created).toBe(false);
    expect(tdb.db.select().from(targetSets).all()).toHaveLength(1);
    const targets = JSON.parse(fs.readFileSync(path.join(dir, 'targets.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'targets.json'), JSON.stringify({ ...targets, indicators: targets.indicators.filter((i: { code: string }) => i.code !== 'tolerance') }));
    expect(() => loadTargets(tdb.db, dir)).toThrow(/no targets for indicator "tolerance"/);
    delete targets.indicators[0].values[0].source;
    fs.writeFileSync(path.join(dir, 'targets.json'), JSON.stringify(targets));
    expect(() => loadTargets(tdb.db, dir)).toThrow(/targets\.json: indicators\.0\.values\.0\.source/);
    fs.rmSync(path.join(dir, 'targets.json'));
    expect(() => loadTargets(tdb.db, dir)).toThrow(/cannot load .*targets\.json/);
  });
});
