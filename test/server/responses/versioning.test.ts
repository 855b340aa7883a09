// A response is validated and scored against the survey version it was started on, even after a
// new version of the questionnaire has been registered.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseScoringSpec, scoreRespondent } from '../../../analysis/scoring';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { miniAnswers } from '../../helpers/answers';
import { MINI_SURVEYS_DIR, startTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
let v2Dir: string;
beforeEach(async () => {
  t = await startTestApp();
  v2Dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-v2-'));
});
afterEach(async () => {
  await t.close();
  fs.rmSync(v2Dir, { recursive: true, force: true });
});

const readMini = (file: string) => JSON.parse(fs.readFileSync(path.join(MINI_SURVEYS_DIR, 'official', file), 'utf8'));

type SurveyDoc = { pages: { name: string; elements: unknown[] }[] };
type ScoringDoc = { indicators: { items: { reverse?: boolean }[] }[] };

/** Version 2: one more required question (c6) and a3 no longer reversed. */
function writeV2(): { survey: SurveyDoc; scoring: ScoringDoc } {
  const survey = readMini('survey.json') as SurveyDoc;
  const blocks = survey.pages.find((p) => p.name === 'blocks')!;
  blocks.elements.push({ type: 'radiogroup', name: 'c6', isRequired: true, title: { default: 'С6', ru: 'С6', en: 'C6' },
    choices: [{ value: 1, text: { default: 'Иә', ru: 'Да', en: 'Yes' } }, { value: 0, text: { default: 'Жоқ', ru: 'Нет', en: 'No' } }] });
  const scoring = readMini('scoring.json') as ScoringDoc;
  delete scoring.indicators[0]!.items[2]!.reverse;
  fs.mkdirSync(path.join(v2Dir, 'official'));
  fs.writeFileSync(path.join(v2Dir, 'official/survey.json'), JSON.stringify(survey));
  fs.writeFileSync(path.join(v2Dir, 'official/scoring.json'), JSON.stringify(scoring));
  return { survey, scoring };
}

it('keeps a response on the version it started on after a new version is registered', async () => {
  const id = randomUUID();
  const link = t.wave.openSlug;
  expect((await t.api('PUT', `/api/links/${link}/responses/${id}`, { surveyVersionId: t.version.id, locale: 'en', data: { adult: true }, currentPageNo: 0 })).status).toBe(200);

  const { survey: v2Json, scoring: v2Scoring } = writeV2();
  const v2 = (await loadOfficialSurvey(t.store, v2Dir));
  expect(v2.created).toBe(true);
  expect(v2.version.version).toBe(2);
  // Loading the same content again is not a new version.
  expect((await loadOfficialSurvey(t.store, v2Dir))).toMatchObject({ created: false, version: { id: v2.version.id } });

  const current = await t.api('GET', `/api/links/${link}`);
  expect(current.body.survey.versionId).toBe(v2.version.id);
  expect(current.body.survey.json).toEqual(v2Json);

  const resumed = await t.api('GET', `/api/links/${link}/responses/${id}`);
  expect(resumed.body.surveyVersionId).toBe(t.version.id);
  expect(resumed.body.survey).toEqual({ versionId: t.version.id, json: readMini('survey.json') });

  // Valid under v1 (no c6), and scored with v1's spec (a3 reversed).
  const data = miniAnswers({ a3: 1 });
  const done = await t.api('POST', `/api/links/${link}/responses/${id}/complete`, { surveyVersionId: t.version.id, locale: 'en', data });
  expect(done.status).toBe(201);
  const row = (await t.responseRows(id))[0]!;
  expect(row.surveyVersionId).toBe(t.version.id);
  const v1Scores = scoreRespondent(parseScoringSpec(readMini('scoring.json')), data);
  const v2Scores = scoreRespondent(parseScoringSpec(v2Scoring), data);
  expect(v1Scores.indicators.consensus).not.toBe(v2Scores.indicators.consensus);
  expect(row.consensus).toBe(v1Scores.indicators.consensus);
  expect(row.itemScores).toEqual(v1Scores.items);

  // A new respondent starts on v2, where c6 is required.
  const fresh = await t.api('POST', `/api/links/${link}/responses/${randomUUID()}/complete`, { surveyVersionId: v2.version.id, locale: 'en', data });
  expect(fresh.status).toBe(422);
  expect(fresh.body.error.code).toBe('invalid_answers');
  expect(fresh.body.error.details).toEqual([{ question: 'c6', message: expect.any(String) }]);
  const fine = await t.api('POST', `/api/links/${link}/responses/${randomUUID()}/complete`, { surveyVersionId: v2.version.id, locale: 'en', data: { ...data, c6: 1 } });
  expect(fine.status).toBe(201);
});
