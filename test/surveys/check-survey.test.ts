// checkSurvey must catch each class of defect. Each test takes the official questionnaire (which
// has no problem: see all-surveys.test.ts), breaks it in exactly one way and expects exactly that
// kind of problem, on the question that was broken.
import { describe, expect, it } from 'vitest';
import { checkSurvey, type SurveyProblem, type SurveyProblemCode } from '../../server/surveys/check-survey';
import { element, officialCopy, type ElementJson, type Localized, type OfficialScoringJson, type OfficialSurveyJson } from './survey-files';

function problemsAfter(breakIt: (survey: OfficialSurveyJson, scoring: OfficialScoringJson) => void): SurveyProblem[] {
  const { survey, scoring } = officialCopy();
  breakIt(survey, scoring);
  return checkSurvey(survey, scoring);
}

/** Every problem is of `code`, and at least one concerns `question` (when given). */
function expectOnly(problems: SurveyProblem[], code: SurveyProblemCode, question?: string): void {
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.map((p) => p.code)).toEqual(problems.map(() => code));
  if (question !== undefined) expect(problems.map((p) => p.question)).toContain(question);
  for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
}

type ChoiceJson = { value: unknown; text?: Localized | string };
function choiceObjects(el: ElementJson): ChoiceJson[] {
  return (el.choices ?? []) as ChoiceJson[];
}

/** The rating item of `value` given as an object (c5's "hard to say"). */
function rateItem(el: ElementJson, value: unknown): ChoiceJson {
  const found = (el.rateValues as unknown[]).find((v): v is ChoiceJson => typeof v === 'object' && v !== null && (v as ChoiceJson).value === value);
  if (!found) throw new Error(`test setup: ${el.name} has no rate item ${String(value)}`);
  return found;
}

/** Removes the scale point `value` from a rating that lists its values (rateValues). */
function dropRateValue(el: ElementJson, value: number): void {
  const before = (el.rateValues as unknown[]).length;
  el.rateValues = (el.rateValues as unknown[]).filter((v) => v !== value);
  if ((el.rateValues as unknown[]).length !== before - 1) throw new Error(`test setup: ${el.name} has no rate value ${value}`);
}

describe('checkSurvey on the intact official questionnaire', () => {
  it('finds nothing (so each problem below comes from the one break)', () => {
    const { survey, scoring } = officialCopy();
    expect(checkSurvey(survey, scoring)).toEqual([]);
  });

  it('rejects input that is not a survey', () => {
    for (const bad of [null, 42, 'survey', [], { title: 'x' }]) {
      expectOnly(checkSurvey(bad), 'not_a_survey');
    }
  });
});

describe('duplicate and malformed question names', () => {
  it('reports two questions with the same name, with both paths', () => {
    const problems = problemsAfter((s) => {
      element(s, 'education').name = 'occupation';
    });
    expectOnly(problems, 'duplicate_name', 'occupation');
    expect(problems[0]?.path).toMatch(/pages\[\d+\]\.elements\[\d+\], pages\[\d+\]\.elements\[\d+\]/);
  });

  it('reports a duplicate across pages', () => {
    const problems = problemsAfter((s) => {
      element(s, 'c2').name = 'a2';
    });
    // c2 is also scored: renaming it leaves the spec pointing at a missing question.
    expect(problems.filter((p) => p.code === 'duplicate_name').map((p) => p.question)).toEqual(['a2']);
  });

  it.each(['A1', '1a', 'home-language', 'c 5', 'регион'])('reports the name %j', (bad) => {
    const problems = problemsAfter((s) => {
      element(s, 'occupation').name = bad;
    });
    expectOnly(problems, 'invalid_name', bad);
  });
});

describe('missing translations of visible strings', () => {
  const cases: [string, (s: OfficialSurveyJson) => void, string?][] = [
    ['the survey title has no English', (s) => { delete (s.title as Record<string, string>).en; }],
    ['a page title is a single string', (s) => { s.pages[2]!.title = 'Қоғамдық келісім' as never; }],
    ['a page description lacks Russian', (s) => { delete (s.pages[1]!.description as Record<string, string>).ru; }],
    ['a question title has an empty Kazakh text', (s) => { (element(s, 'a1').title as Record<string, string>).default = '  '; }, 'a1'],
    ['a question has no title at all', (s) => { delete element(s, 'sex').title; }, 'sex'],
    ['a choice text lacks English', (s) => { delete (choiceObjects(element(s, 'a2'))[0]!.text as Record<string, string>).en; }, 'a2'],
    ['a choice has no text (its raw value would show)', (s) => { delete choiceObjects(element(s, 'b3'))[2]!.text; }, 'b3'],
    ['a choice is a bare string', (s) => { element(s, 'settlement').choices!.push('suburban'); }, 'settlement'],
    ['a region name lacks Russian', (s) => { delete (choiceObjects(element(s, 'region'))[7]!.text as Record<string, string>).ru; }, 'region'],
    ['the html block lacks Kazakh', (s) => { delete (element(s, 'consent_info').html as Record<string, string>).default; }, 'consent_info'],
    ['completedHtml lacks Russian', (s) => { delete s.completedHtml.ru; }],
    ['the screen-out text lacks English', (s) => { delete s.completedHtmlOnCondition[0]!.html.en; }],
    ['a required-error text lacks Russian', (s) => { delete (element(s, 'region').requiredErrorText as Record<string, string>).ru; }, 'region'],
    ['a min-error text lacks English', (s) => { delete (element(s, 'age').minErrorText as Record<string, string>).en; }, 'age'],
    ['a placeholder is a single string', (s) => { element(s, 'ethnicity').placeholder = 'Select'; }, 'ethnicity'],
    ['a rating item text lacks Kazakh', (s) => { delete (rateItem(element(s, 'c5'), 'dk').text as Record<string, string>).default; }, 'c5'],
    ['a boolean label lacks Russian', (s) => { delete (element(s, 'consent').labelTrue as Record<string, string>).ru; }, 'consent'],
    ['a validator text lacks English', (s) => {
      element(s, 'age').validators = [{ type: 'numeric', minValue: 18, text: { default: 'Қате', ru: 'Ошибка' } }];
    }, 'age'],
  ];
  it.each(cases)('reports: %s', (_label, breakIt, question) => {
    expectOnly(problemsAfter((s) => breakIt(s)), 'missing_translation', question);
  });

  it('names the path of the untranslated string', () => {
    const problems = problemsAfter((s) => { delete (choiceObjects(element(s, 'a2'))[0]!.text as Record<string, string>).en; });
    expect(problems[0]?.path).toMatch(/^pages\[\d+\]\.elements\[\d+\]\.choices\[0\]\.text$/);
    expect(problems[0]?.message).toContain('"en"');
  });

  it('reports a locale key that is not default/ru/en', () => {
    const problems = problemsAfter((s) => { (element(s, 'c1').title as Record<string, string>).kz = 'Көңіл-күй'; });
    expectOnly(problems, 'unknown_locale', 'c1');
  });
});

describe('scored items against the survey', () => {
  it('reports a scored item whose question is missing', () => {
    const problems = problemsAfter((s) => {
      const page = s.pages.find((p) => p.elements.some((e) => e.name === 'a5'))!;
      page.elements = page.elements.filter((e) => e.name !== 'a5');
    });
    expectOnly(problems, 'scored_item_missing', 'a5');
  });

  it('reports a scale point with no choice', () => {
    const problems = problemsAfter((s) => {
      const el = element(s, 'a1');
      el.choices = choiceObjects(el).filter((c) => c.value !== 3);
    });
    expectOnly(problems, 'scale_mismatch', 'a1');
    expect(problems[0]?.message).toContain('3');
  });

  it('reports a choice value outside the declared scale', () => {
    const problems = problemsAfter((s) => {
      choiceObjects(element(s, 'c1'))[0]!.value = 6;
    });
    expectOnly(problems, 'scale_mismatch', 'c1');
  });

  it('reports a non-numeric choice that is not a declared missing code', () => {
    const problems = problemsAfter((s) => {
      const dk = choiceObjects(element(s, 'b4')).find((c) => c.value === 'dk')!;
      dk.value = 'hard_to_say';
    });
    expectOnly(problems, 'scale_mismatch', 'b4');
  });

  it('reports a spec whose scale differs from the rating question', () => {
    const problems = problemsAfter((s) => { dropRateValue(element(s, 'c5'), 10); });
    expectOnly(problems, 'scale_mismatch', 'c5');
  });

  it('reports a spec declaring another scale than the question offers', () => {
    const problems = problemsAfter((_s, sc) => { sc.indicators[0]!.items[1]!.max = 7; });
    expectOnly(problems, 'scale_mismatch', 'a2');
  });

  it('reports a scored question of a type that gives no single scale value', () => {
    const problems = problemsAfter((s) => { element(s, 'a4').type = 'checkbox'; });
    expectOnly(problems, 'scale_mismatch', 'a4');
  });

  it('reports a malformed scoring spec instead of throwing', () => {
    const problems = problemsAfter((_s, sc) => { sc.indicators[1]!.minAnsweredShare = 2; });
    expectOnly(problems, 'scoring_spec_invalid');
    expect(problems[0]?.message).toContain('minAnsweredShare');
  });
});

describe('what survey-core itself cannot read', () => {
  it('reports a misspelt property', () => {
    const problems = problemsAfter((s) => { element(s, 'a3').isRequried = true; });
    expectOnly(problems, 'json_error', 'a3');
    expect(problems[0]?.message).toContain('isRequried');
  });

  it('reports an unknown question type', () => {
    const problems = problemsAfter((s) => {
      s.pages[4]!.elements.push({ type: 'radiogrup', name: 'c6', title: { default: 'а', ru: 'б', en: 'c' } });
    });
    expectOnly(problems, 'json_error', 'c6');
  });
});

describe('logic that cannot work', () => {
  it('reports a screener condition naming a question that does not exist', () => {
    const problems = problemsAfter((s) => { s.pages[1]!.visibleIf = '{adlt} <> false and {resident} <> false'; });
    expectOnly(problems, 'expression_error');
    expect(problems[0]?.message).toContain('adlt');
    expect(problems[0]?.path).toBe('page "about_you".visibleIf');
  });

  it('reports a screen-out condition with a typo', () => {
    const problems = problemsAfter((s) => { s.completedHtmlOnCondition[1]!.expression = '{consnt} = false'; });
    expectOnly(problems, 'expression_error');
    expect(problems[0]?.message).toContain('consnt');
  });

  it('reports a condition with a syntax error', () => {
    const problems = problemsAfter((s) => { element(s, 'consent').visibleIf = '{adult} = true and'; });
    expectOnly(problems, 'expression_error', 'consent');
  });

  it('reports an unknown function', () => {
    const problems = problemsAfter((s) => { element(s, 'resident').visibleIf = 'isAdult({age})'; });
    expectOnly(problems, 'expression_error', 'resident');
    expect(problems[0]?.message).toContain('isAdult');
  });
});

describe('all problems at once', () => {
  it('returns every problem, not just the first', () => {
    const problems = problemsAfter((s, sc) => {
      element(s, 'b2').name = 'b1';
      delete s.completedHtml.en;
      dropRateValue(element(s, 'c5'), 0);
      sc.indicators[0]!.items.push({ name: 'a9', min: 1, max: 5 });
    });
    expect(new Set(problems.map((p) => p.code))).toEqual(
      new Set(['duplicate_name', 'missing_translation', 'scale_mismatch', 'scored_item_missing']),
    );
  });
});
