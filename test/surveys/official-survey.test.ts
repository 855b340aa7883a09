// The official questionnaire run in survey-core, the engine the respondent page and the server
// both use: screen-out, a full valid interview, required weighting variables, age limits and the
// three languages.
import { describe, expect, it } from 'vitest';
import { Model } from 'survey-core';
import { parseScoringSpec, scoreRespondent } from '../../analysis/scoring';
import { element, kazakhAsSurveyDefault, officialCopy, SURVEY_LOCALES, type ElementJson, type Localized } from './survey-files';

const { survey: json, scoring } = officialCopy();
const LOCALES = SURVEY_LOCALES;

kazakhAsSurveyDefault();

function model(locale: keyof typeof LOCALES = 'kk'): Model {
  const m = new Model(json);
  m.locale = locale;
  return m;
}

function firstValue(name: string): unknown {
  const el = element(json, name);
  const first = (el.choices ?? [])[0];
  return typeof first === 'object' ? first.value : first;
}

/** A complete, valid set of answers: the first choice of every choice question. */
function validAnswers(): Record<string, unknown> {
  const answers: Record<string, unknown> = { adult: true, resident: true, consent: true, age: 42, c5: 7 };
  for (const page of json.pages) {
    for (const el of page.elements) {
      if (Array.isArray(el.choices)) answers[el.name] = firstValue(el.name);
    }
  }
  return answers;
}

describe('screener', () => {
  const screenOuts: [string, Record<string, boolean>, number][] = [
    ['under 18', { adult: false }, 0],
    ['not a resident', { adult: true, resident: false }, 0],
    ['no consent', { adult: true, resident: true, consent: false }, 1],
  ];
  it.each(screenOuts)('%s: the survey ends on the first page with the polite screen-out text', (_label, answers, conditionIndex) => {
    for (const locale of Object.keys(LOCALES) as (keyof typeof LOCALES)[]) {
      const m = model(locale);
      for (const [k, v] of Object.entries(answers)) m.setValue(k, v);
      expect(m.visiblePages.length).toBe(1);
      expect(m.isLastPage).toBe(true);
      expect(m.tryComplete()).toBe(true);
      expect(m.state).toBe('completed');
      const expected = json.completedHtmlOnCondition[conditionIndex]!.html[LOCALES[locale]]!;
      expect(m.renderedCompletedHtml).toBe(expected);
      // Nothing beyond the screener is kept.
      expect(Object.keys(m.data).every((k) => ['adult', 'resident', 'consent'].includes(k))).toBe(true);
    }
  });

  it('asks residence only after age, and consent only after both', () => {
    const m = model();
    expect(m.getQuestionByName('resident').isVisible).toBe(false);
    m.setValue('adult', true);
    expect(m.getQuestionByName('resident').isVisible).toBe(true);
    expect(m.getQuestionByName('consent').isVisible).toBe(false);
    m.setValue('resident', true);
    expect(m.getQuestionByName('consent').isVisible).toBe(true);
  });

  it('does not end the survey before the screener is answered, nor let it be skipped', () => {
    const m = model();
    expect(m.isLastPage).toBe(false);
    expect(m.nextPage()).toBe(false);
    expect(m.getQuestionByName('adult').errors.length).toBe(1);
  });

  it('an eligible, consenting respondent sees all five pages', () => {
    const m = model();
    m.mergeData({ adult: true, resident: true, consent: true });
    expect(m.visiblePages.map((p) => p.name)).toEqual(json.pages.map((p) => p.name));
  });
});

describe('a full interview', () => {
  it.each(Object.keys(LOCALES) as (keyof typeof LOCALES)[])('in %s: every page validates, the survey completes, and it scores', (locale) => {
    const m = model(locale);
    const answers = validAnswers();
    let pages = 0;
    for (;;) {
      pages++;
      for (const q of m.currentPage.questions) if (q.name in answers) q.value = answers[q.name];
      expect(m.validateCurrentPage(), `page ${m.currentPage.name}`).toBe(true);
      if (m.isLastPage) break;
      expect(m.nextPage()).toBe(true);
    }
    expect(pages).toBe(json.pages.length);
    expect(m.validate()).toBe(true);
    expect(m.tryComplete()).toBe(true);
    expect(m.state).toBe('completed');
    expect(m.renderedCompletedHtml).toBe(json.completedHtml[LOCALES[locale]]);
    expect(m.data).toEqual(answers);

    const scores = scoreRespondent(parseScoringSpec(scoring), m.data as Record<string, unknown>);
    for (const ind of scoring.indicators) expect(scores.indicators[ind.id], ind.id).not.toBeNull();
  });

  it('scale items may all be skipped (hard-to-say is offered, nothing is forced)', () => {
    const m = model();
    const answers = validAnswers();
    const scored = new Set(scoring.indicators.flatMap((i) => i.items.map((it) => it.name)));
    for (const name of scored) delete answers[name];
    m.mergeData(answers);
    expect(m.validate()).toBe(true);
  });

  it('every scored question, the 0–10 rating included, offers "hard to say" (dk) as an answer', () => {
    for (const item of scoring.indicators.flatMap((i) => i.items)) {
      const q = model().getQuestionByName(item.name);
      const offered = q.getType() === 'rating'
        ? (q as unknown as { visibleRateValues: { value: unknown }[] }).visibleRateValues
        : (q as unknown as { visibleChoices: { value: unknown }[] }).visibleChoices;
      expect(offered.map((c) => c.value), item.name).toContain('dk');
    }
  });

  it('"hard to say" on the 0–10 rating is accepted and scores as missing, not as a point of the scale', () => {
    const m = model();
    m.mergeData({ ...validAnswers(), c5: 'dk' });
    expect(m.validate()).toBe(true);
    const scores = scoreRespondent(parseScoringSpec(scoring), m.data as Record<string, unknown>);
    expect(scores.items.c5).toBeNull();
    expect(scores.indicators.mood).not.toBeNull();
  });
});

describe('weighting variables', () => {
  const weighting = ['region', 'settlement', 'sex', 'age', 'ethnicity'];

  it.each(weighting)('%s is required, with a translated message', (name) => {
    const m = model('ru');
    const answers = validAnswers();
    delete answers[name];
    m.mergeData(answers);
    expect(m.validate()).toBe(false);
    const q = m.getQuestionByName(name);
    expect(q.errors.map((e) => e.text)).toEqual([(element(json, name).requiredErrorText as Localized).ru]);
  });

  it('region offers exactly the 20 ISO 3166-2 codes KZ-10 … KZ-79, the three cities first', () => {
    const values = (element(json, 'region').choices ?? []).map((c) => (typeof c === 'object' ? c.value : c));
    expect(values.slice(0, 3)).toEqual(['KZ-71', 'KZ-75', 'KZ-79']);
    expect([...values].sort()).toEqual(['KZ-10', 'KZ-11', 'KZ-15', 'KZ-19', 'KZ-23', 'KZ-27', 'KZ-31', 'KZ-33', 'KZ-35', 'KZ-39',
      'KZ-43', 'KZ-47', 'KZ-55', 'KZ-59', 'KZ-61', 'KZ-62', 'KZ-63', 'KZ-71', 'KZ-75', 'KZ-79']);
  });

  it('ethnicity offers the groups of decision 001', () => {
    const values = (element(json, 'ethnicity').choices ?? []).map((c) => (typeof c === 'object' ? c.value : c));
    expect(values).toEqual(['kazakh', 'russian', 'uzbek', 'ukrainian', 'uyghur', 'german', 'tatar', 'azerbaijani', 'korean',
      'turkish', 'dungan', 'belarusian', 'tajik', 'kurdish', 'chechen', 'polish', 'kyrgyz', 'other', 'refused']);
  });

  it.each([
    [17, 'minErrorText'], [111, 'maxErrorText'], [35.5, 'stepErrorText'],
  ] as const)('age %d is refused with its own message', (age, textProp) => {
    for (const locale of Object.keys(LOCALES) as (keyof typeof LOCALES)[]) {
      const m = model(locale);
      const q = m.getQuestionByName('age');
      q.value = age;
      expect(q.validate(true)).toBe(false);
      expect(q.errors.map((e) => e.text)).toEqual([(element(json, 'age')[textProp] as Localized)[LOCALES[locale]]]);
    }
  });

  it.each([18, 45, 110])('age %d is accepted', (age) => {
    const q = model().getQuestionByName('age');
    q.value = age;
    expect(q.validate(true)).toBe(true);
  });
});

describe('languages', () => {
  it.each(Object.keys(LOCALES) as (keyof typeof LOCALES)[])('in %s every title and choice shows that language', (locale) => {
    const m = model(locale);
    const key = LOCALES[locale];
    expect(m.title).toBe((json.title as Localized)[key]);
    for (const q of m.getAllQuestions(false, true, true)) {
      const el: ElementJson = element(json, q.name);
      if (el.title !== undefined) expect(q.title, q.name).toBe((el.title as Localized)[key]);
      const choices = (q as unknown as { choices?: { value: unknown; text: string }[] }).choices ?? [];
      choices.forEach((c, i) => {
        const src = (el.choices ?? [])[i];
        if (typeof src === 'object' && typeof src.text === 'object') expect(c.text, `${q.name}/${String(c.value)}`).toBe(src.text[key]);
      });
    }
  });

  it('the three languages really differ (no copy-pasted untranslated text)', () => {
    const kk = model('kk');
    const ru = model('ru');
    const en = model('en');
    for (const q of kk.getAllQuestions(false, true, true)) {
      if (q.getType() === 'html') continue;
      const titles = [q.title, ru.getQuestionByName(q.name).title, en.getQuestionByName(q.name).title];
      expect(new Set(titles).size, q.name).toBe(3);
    }
  });
});
