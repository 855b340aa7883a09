// The one walk over a survey JSON's questions (server/surveys/questions.ts), used by the frames'
// check and the CSV import.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { questionChoices } from '../../../server/frames/service';
import { surveyQuestions } from '../../../server/surveys/questions';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';

const names = (json: Record<string, unknown>, panelTemplates: boolean) => [...surveyQuestions(json, { panelTemplates })].map((q) => q.name);

const sexChoices = ['m', { value: 'f', text: 'F' }];
const nested = {
  pages: [
    { name: 'p1', type: 'page', elements: [
      { type: 'html', name: 'intro', html: '<p>Hello</p>' },
      { type: 'panel', name: 'box', elements: [{ type: 'radiogroup', name: 'sex', choices: sexChoices }, { type: 'panel', name: 'inner', elements: [{ type: 'rating', name: 'mood' }] }] },
    ] },
    { name: 'p2', elements: [
      { type: 'paneldynamic', name: 'kids', templateElements: [{ type: 'text', name: 'kid_age', inputType: 'number' }] },
      { type: 'text', name: 'age', inputType: 'number' },
      { name: 'no_type' },
      { type: 'text' },
      null,
      'stray',
    ] },
  ],
};

describe('surveyQuestions', () => {
  test('finds questions at any depth of panels, but not panels, pages or nameless or typeless nodes', () => {
    expect(new Set(names(nested, false))).toEqual(new Set(['intro', 'sex', 'mood', 'kids', 'age']));
  });

  test("walks a dynamic panel's template only when asked", () => {
    expect(names(nested, false)).not.toContain('kid_age');
    expect(names(nested, true)).toContain('kid_age');
    expect(names(nested, true)).toHaveLength(names(nested, false).length + 1);
  });

  test('yields the elements themselves, as written in the JSON', () => {
    const sex = [...surveyQuestions(nested, { panelTemplates: false })].find((q) => q.name === 'sex');
    expect(sex?.choices).toBe(sexChoices);
  });

  test('an empty or malformed survey has no questions', () => {
    expect(names({}, true)).toEqual([]);
    expect(names({ pages: 'none', elements: [1, 2, null] }, true)).toEqual([]);
  });

  test('finds every named question of the official questionnaire, once each', () => {
    const json = JSON.parse(fs.readFileSync(path.join(OFFICIAL_SURVEYS_DIR, 'official/survey.json'), 'utf8')) as Record<string, unknown>;
    const found = names(json, true);
    expect(new Set(found).size).toBe(found.length);
    for (const name of ['region', 'sex', 'age']) expect(found).toContain(name);
    expect(found.length).toBeGreaterThan(10);
  });
});

describe('questionChoices (server/frames/service.ts) over the walk', () => {
  test("returns a question's choice values, nested or in a dynamic panel's template", () => {
    expect(questionChoices(nested, 'sex')).toEqual(['m', 'f']);
    expect(questionChoices(nested, 'mood')).toEqual([]);
    expect(questionChoices(nested, 'box')).toBeNull();
    expect(questionChoices(nested, 'missing')).toBeNull();
    const withTemplateChoices = { elements: [{ type: 'paneldynamic', name: 'kids', templateElements: [{ type: 'dropdown', name: 'kid_sex', choices: [1, 2] }] }] };
    expect(questionChoices(withTemplateChoices, 'kid_sex')).toEqual(['1', '2']);
  });
});
