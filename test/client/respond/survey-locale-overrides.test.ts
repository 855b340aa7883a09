// The reviewed Kazakh/Russian UI strings must land on keys survey-core really uses, keep every
// placeholder of the original, and be what a survey in kk/ru actually shows.
import { Model, surveyLocalization } from 'survey-core';
import { describe, expect, test } from 'vitest';
import '../../../client/respond/survey-locales';
import { kazakhOverrides } from '../../../client/respond/kazakh-overrides';
import { russianOverrides } from '../../../client/respond/russian-overrides';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const english = surveyLocalization.locales['en'] as Record<string, string>;

describe.each([
  ['kk', kazakhOverrides],
  ['ru', russianOverrides],
] as const)('%s overrides', (locale, overrides) => {
  test('every key is a survey-core UI string and keeps its placeholders', () => {
    for (const [key, text] of Object.entries(overrides)) {
      expect(typeof english[key], `${locale}.${key} is not a survey-core string`).toBe('string');
      expect(placeholders(text), `${locale}.${key}`).toEqual(placeholders(english[key]));
      expect(text.trim(), `${locale}.${key}`).not.toBe('');
    }
  });

  test('are applied on top of survey-core\'s catalogue', () => {
    for (const [key, text] of Object.entries(overrides)) {
      expect(surveyLocalization.getString(key, locale)).toBe(text);
    }
  });
});

describe('what a respondent sees', () => {
  const json = {
    pages: [
      { elements: [{ type: 'text', name: 'age', inputType: 'number', min: 18, max: 110, isRequired: true }] },
      { elements: [{ type: 'radiogroup', name: 'a1', choices: [1, 2], showOtherItem: true }] },
    ],
  };

  test('Kazakh navigation, progress and errors', () => {
    const model = new Model(json);
    model.locale = 'kk';
    expect(model.progressText).toBe('2 беттің 1-беті');
    expect(model.completeText).toBe('Аяқтау');
    expect(model.pageNextText).toBe('Келесі');
    expect(model.validateCurrentPage()).toBe(false);
    expect(model.getQuestionByName('age').errors[0].getText()).toBe('Осы сұраққа жауап беріңіз.');
    model.setValue('age', 12);
    model.validateCurrentPage();
    expect(model.getQuestionByName('age').errors[0].getText()).toBe('Мәні кемінде 18 болуы керек.');
  });

  test('each language gets its own texts, Kazakh being the JSON\'s "default"', () => {
    const titled = { elements: [{ type: 'boolean', name: 'adult', title: { default: 'Сіз 18 жасқа толдыңыз ба?', ru: 'Вам исполнилось 18 лет?', en: 'Are you 18 or older?' } }] };
    const model = new Model(titled);
    const title = () => model.getQuestionByName('adult').locTitle.renderedHtml;
    model.locale = 'en';
    expect(title()).toBe('Are you 18 or older?');
    expect(model.completeText).toBe('Complete');
    model.locale = 'kk';
    expect(title()).toBe('Сіз 18 жасқа толдыңыз ба?');
    expect(model.completeText).toBe('Аяқтау');
    model.locale = 'ru';
    expect(title()).toBe('Вам исполнилось 18 лет?');
  });

  test('Russian fixes: the submit button and the progress of answered questions', () => {
    const model = new Model({ ...json, progressBarType: 'questions' });
    model.locale = 'ru';
    expect(model.completeText).toBe('Завершить');
    expect(model.progressText).toBe('Отвечено вопросов: 0/2');
  });
});
