// The respondent API with the real questionnaire in surveys/official (not the test fixture).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ageBand, parseScoringSpec, scoreRespondent } from '../../../analysis/scoring';
import { generateAnswers } from '../../helpers/answers';
import { listOf, OFFICIAL_SURVEYS_DIR, startTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => { t = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR }); });
afterAll(async () => {
  expect(t.internalErrors).toEqual([]);
  await t.close();
});

const official = (file: string) => JSON.parse(fs.readFileSync(path.join(OFFICIAL_SURVEYS_DIR, 'official', file), 'utf8'));
const complete = (data: Record<string, unknown>, locale = 'ru', id = randomUUID()) =>
  t.api('POST', `/api/links/${t.wave.openSlug}/responses/${id}/complete`, { surveyVersionId: t.version.id, locale, data }).then((r) => ({ ...r, id }));

it('serves the official questionnaire on the open link', async () => {
  const res = await t.api('GET', `/api/links/${t.wave.openSlug}`);
  expect(res.status).toBe(200);
  expect(res.body.survey).toEqual({ versionId: t.version.id, json: official('survey.json') });
});

it('accepts generated valid interviews and stores scoreRespondent\'s scores and the weighting variables', async () => {
  const spec = parseScoringSpec(official('scoring.json'));
  const surveyJson = official('survey.json');
  for (let seed = 1; seed <= 40; seed++) {
    const data = generateAnswers(surveyJson, seed);
    const res = await complete(data, ['kk', 'ru', 'en'][seed % 3]);
    expect(res.status, `seed ${seed}: ${JSON.stringify(res.body)}`).toBe(201);
    const row = (await t.responseRows(res.id))[0]!;
    const expected = scoreRespondent(spec, data);
    expect(row).toMatchObject({
      status: 'complete', region: data.region, settlement: data.settlement, sex: data.sex, age: data.age,
      ageBand: ageBand(data.age as number), ethnicity: data.ethnicity, itemScores: expected.items,
      consensus: expected.indicators.consensus, tolerance: expected.indicators.tolerance, mood: expected.indicators.mood,
    });
  }
});

it('stores screened-out respondents without scores', async () => {
  for (const data of [{ adult: false }, { adult: true, resident: false }, { adult: true, resident: true, consent: false }]) {
    const res = await complete(data);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('screened_out');
    const row = (await t.responseRows(res.id))[0]!;
    expect(row).toMatchObject({ status: 'screened_out', consensus: null, tolerance: null, mood: null, itemScores: null });
  }
});

it('rejects what survey-core alone would let through', async () => {
  const valid = generateAnswers(official('survey.json'), 99);
  for (const [patch, question] of [[{ b1: 2 }, 'b1'], [{ c5: 11 }, 'c5'], [{ age: 'abc' }, 'age'], [{ region: 'KZ-99' }, 'region'], [{ extra: 1 }, 'extra']] as const) {
    const res = await complete({ ...valid, ...patch }, 'en');
    expect(res.status, question).toBe(422);
    expect(listOf<{ question: string }>(res.body.error.details).map((d) => d.question)).toContain(question);
  }
});
