// createCompletionValidator on the official questionnaire and on the feature fixture: valid
// answer sets pass in every locale, each class of hostile input fails with an error on the right
// question in the respondent's language, and nothing ever throws.
import { describe, expect, it } from 'vitest';
import { surveyLocalization } from 'survey-core';
import { createCompletionValidator, type Locale, type ValidationResult } from '../../../server/validation';
import { strictMessages } from '../../../server/validation/messages';
import { MAX_ERRORS } from '../../../server/validation/types';
import { collectQuestions, makeRng, pick, type Rng } from './answer-generator';
import { load } from './differential-harness';

const LOCALES: Locale[] = ['kk', 'ru', 'en'];
const official = load('surveys/official/survey.json');
const validateOfficial = createCompletionValidator(official);
const features = load('test/fixtures/validation/features.json');
const validateFeatures = createCompletionValidator(features);

type Json = Record<string, unknown>;

/** The survey JSON's own text for a locale ('default' is Kazakh, decision 001). */
function jsonText(question: string, prop: string, locale: Locale, survey: Json = official): string {
  const q = collectQuestions(survey).find((x) => x.name === question);
  const text = q?.json[prop] as Record<string, string> | undefined;
  if (!text) throw new Error(`fixture: ${question}.${prop} missing`);
  return text[locale === 'kk' ? 'default' : locale] ?? text.default;
}

function coreText(name: string, locale: Locale, ...args: (string | number)[]): string {
  let text = surveyLocalization.getString(name, locale);
  args.forEach((a, i) => { text = text.replace(`{${i}}`, String(a)); });
  return text;
}

function errorsOf(r: ValidationResult): { question: string; message: string }[] {
  return r.ok ? [] : r.errors;
}

/** A complete, consistent interview of the official questionnaire, values drawn from the JSON. */
function officialInterview(rng: Rng): Json {
  const data: Json = { adult: true, resident: true, consent: true };
  for (const q of collectQuestions(official)) {
    if (q.name in data) continue;
    if (q.name === 'age') data.age = 18 + Math.floor(rng() * 93);
    else if (rng() < 0.9 || q.json.isRequired) data[q.name] = pick(rng, q.pool);
  }
  return data;
}

/** Expects exactly one error, on `question`, with `message(locale)`, in every locale. */
function expectRejected(validate: typeof validateOfficial, data: unknown, question: string, message: (l: Locale) => string): void {
  for (const locale of LOCALES) {
    const errors = errorsOf(validate(data, locale));
    expect(errors, `${locale}: ${JSON.stringify(data)}`).toContainEqual({ question, message: message(locale) });
  }
}

describe('official questionnaire: valid answer sets', () => {
  it('accepts 300 generated complete interviews in every locale', () => {
    const rng = makeRng(7);
    for (let i = 0; i < 300; i++) {
      const data = officialInterview(rng);
      for (const locale of LOCALES) expect(validateOfficial(data, locale), JSON.stringify(data)).toEqual({ ok: true });
    }
  });

  it('accepts each screen-out: only the screener answered', () => {
    for (const data of [{ adult: false }, { adult: true, resident: false }, { adult: true, resident: true, consent: false }]) {
      for (const locale of LOCALES) expect(validateOfficial(data, locale)).toEqual({ ok: true });
    }
  });

  it('uses the fast engine', () => {
    expect(validateOfficial.info).toEqual({ engine: 'fast' });
  });
});

describe('official questionnaire: every hostile class is rejected on the right question, in kk/ru/en', () => {
  const base = officialInterview(makeRng(99));

  it('non-object data', () => {
    for (const data of [[], 'answers', 42, null, undefined, true, [base]]) {
      expectRejected(validateOfficial, data, '', (l) => strictMessages.notAnObject[l]);
    }
  });

  it('unknown keys, including prototype names', () => {
    for (const key of ['zz', 'a6', 'toString', 'constructor', '__proto__', 'consent_info', 'a1-Comment']) {
      const data = JSON.parse(JSON.stringify(base).replace(/^\{/, `{${JSON.stringify(key)}:1,`)) as Json;
      expect(Object.keys(data)).toContain(key);
      expectRejected(validateOfficial, data, key, (l) => strictMessages.unknownKey[l]);
    }
  });

  it('values not among the choices', () => {
    for (const [q, v] of [['a1', 7], ['a1', 0], ['b1', 2], ['region', 'KZ-99'], ['ethnicity', 'martian'], ['sex', 'M'], ['a3', 'DK']] as const) {
      expectRejected(validateOfficial, { ...base, [q]: v }, q, (l) => strictMessages.notAChoice[l]);
    }
  });

  it('wrong JSON types: strings for numeric choices, arrays, objects, nested junk, null', () => {
    for (const [q, v] of [['a1', '5'], ['b2', '1'], ['c1', [5]], ['a2', { x: { y: [1] } }], ['settlement', ['urban']], ['sex', null]] as const) {
      expectRejected(validateOfficial, { ...base, [q]: v }, q, (l) => strictMessages.notAChoice[l]);
    }
    for (const v of ['true', 1, 0, [true], {}, null]) {
      expectRejected(validateOfficial, { ...base, adult: v }, 'adult', (l) => strictMessages.notABoolean[l]);
    }
  });

  it('a rating outside 0..10 or off the step', () => {
    for (const v of [11, -1, 5.5, '7', [7], 1e300]) {
      expectRejected(validateOfficial, { ...base, c5: v }, 'c5', (l) => strictMessages.notOnScale[l]);
    }
  });

  it('non-numbers in the number input: "abc", "12abc", "34", 1e400, objects', () => {
    const parsed = JSON.parse(JSON.stringify({ ...base, age: 0 }).replace('"age":0', '"age":1e400')) as Json;
    expect(parsed.age).toBe(Infinity);
    for (const data of [{ ...base, age: 'abc' }, { ...base, age: '12abc' }, { ...base, age: '34' }, parsed, { ...base, age: { n: 34 } }, { ...base, age: [34] }]) {
      expectRejected(validateOfficial, data, 'age', (l) => strictMessages.notANumber[l]);
    }
  });

  it('an answer to a question the other answers hide (screened out, yet answered on)', () => {
    expectRejected(validateOfficial, { adult: false, region: 'KZ-75' }, 'region', (l) => strictMessages.notShown[l]);
    expectRejected(validateOfficial, { ...base, adult: false, resident: undefined, consent: undefined }, 'a1', (l) => strictMessages.notShown[l]);
    expectRejected(validateOfficial, { adult: false, resident: true }, 'resident', (l) => strictMessages.notShown[l]);
  });

  it("survey-core's own rules, with the survey's own texts: required, min, max, step", () => {
    const { region: _omit, ...noRegion } = base;
    expectRejected(validateOfficial, noRegion, 'region', (l) => jsonText('region', 'requiredErrorText', l));
    expectRejected(validateOfficial, { adult: true, resident: true }, 'consent', (l) => jsonText('consent', 'requiredErrorText', l));
    expectRejected(validateOfficial, { ...base, age: 17 }, 'age', (l) => jsonText('age', 'minErrorText', l));
    expectRejected(validateOfficial, { ...base, age: 111 }, 'age', (l) => jsonText('age', 'maxErrorText', l));
    expectRejected(validateOfficial, { ...base, age: 34.5 }, 'age', (l) => jsonText('age', 'stepErrorText', l));
  });

  it('never throws, whatever it is given', () => {
    const throwing = new Proxy({}, { ownKeys() { throw new Error('boom'); }, getPrototypeOf() { throw new Error('boom'); } });
    const cyclic: Json = { ...base };
    cyclic.a1 = cyclic;
    const inputs: unknown[] = [throwing, cyclic, Object.create(null), new Date(), new Map([['a1', 5]]), () => 1, Symbol('x'), 10n];
    for (const data of inputs) {
      for (const locale of LOCALES) {
        const r = validateOfficial(data, locale);
        expect(r.ok).toBe(false);
        expect(errorsOf(r).every((e) => typeof e.message === 'string' && e.message.length > 0)).toBe(true);
      }
    }
  });

  it('caps the number of errors so hostile input cannot amplify the work', () => {
    const data: Json = {};
    for (let i = 0; i < 10_000; i++) data['k' + i] = i;
    const errors = errorsOf(validateOfficial(data, 'ru'));
    expect(errors.length).toBe(MAX_ERRORS + 1);
    expect(errors[MAX_ERRORS]).toEqual({ question: '', message: strictMessages.tooManyErrors.ru });
  });
});

describe('feature fixture: each rule survey-core and the strict pass apply', () => {
  // langs has minSelectedChoices: 2, which survey-core enforces even on an empty answer.
  const ok: Json = { mood: 3, agree: 'yes', score: 7, age: 40, ws: 'x', langs: ['kk', 'ru'] };
  const v = validateFeatures;
  const without = (data: Json, key: string): Json => Object.fromEntries(Object.entries(data).filter(([k]) => k !== key));
  const validatorText = (question: string, index: number, l: Locale): string => {
    const q = collectQuestions(features).find((x) => x.name === question);
    const text = (q?.json.validators as { text: Record<string, string> }[])[index].text;
    return text[l === 'kk' ? 'default' : l];
  };

  it('a minimal consistent set passes; survey-core messages come out in the locale', () => {
    for (const l of LOCALES) expect(v(ok, l)).toEqual({ ok: true });
    expect(v.info).toEqual({ engine: 'fast' });
    expectRejected(v, without(ok, 'mood'), 'mood', (l) => coreText('requiredError', l));
  });

  it('boolean with valueTrue/valueFalse takes exactly those values', () => {
    expectRejected(v, { ...ok, agree: true }, 'agree', (l) => strictMessages.notABoolean[l]);
    expect(v({ ...ok, plain: true, married: 'no' }, 'en')).toEqual({ ok: true });
  });

  it('requiredIf overrides isRequired; blank text counts as empty', () => {
    expect(v(without(ok, 'ws'), 'en')).toEqual({ ok: true });
    expectRejected(v, { ...ok, plain: false, ws: '   ' }, 'ws', (l) => coreText('requiredError', l));
  });

  it('checkbox: requiredIf, minSelectedChoices, exclusive "none", duplicates, maxSelectedChoices, not a list', () => {
    expectRejected(v, { ...without(ok, 'langs'), mood: 1 }, 'langs', (l) => coreText('requiredError', l));
    expectRejected(v, without(ok, 'langs'), 'langs', (l) => coreText('minSelectError', l, 2));
    expectRejected(v, { ...ok, langs: ['kk'] }, 'langs', (l) => coreText('minSelectError', l, 2));
    expect(v({ ...ok, mood: 1, langs: ['none'] }, 'en')).toEqual({ ok: true });
    expectRejected(v, { ...ok, langs: ['none', 'kk'] }, 'langs', (l) => strictMessages.exclusiveChoice[l]);
    expectRejected(v, { ...ok, langs: ['kk', 'kk'] }, 'langs', (l) => strictMessages.duplicateChoice[l]);
    expectRejected(v, { ...ok, langs: ['kk', 'ru', 'en', 'uz'] }, 'langs', (l) => strictMessages.tooManyChoices[l].replace('{0}', '3'));
    expectRejected(v, { ...ok, langs: 'kk' }, 'langs', (l) => strictMessages.notAList[l]);
    expectRejected(v, { ...ok, tags: ['w'] }, 'tags', (l) => strictMessages.notAChoice[l]);
    expectRejected(v, { ...ok, media: ['tv', 'web', 'radio'] }, 'media', (l) => coreText('maxSelectError', l, 2));
  });

  it('"other" needs its comment; a comment without "other" or on a question without comments is rejected', () => {
    expectRejected(v, { ...ok, city: 'other' }, 'city', (l) => coreText('otherRequiredError', l));
    expect(v({ ...ok, city: 'other', 'city-Comment': 'Taraz' }, 'en')).toEqual({ ok: true });
    expectRejected(v, { ...ok, city: 'almaty', 'city-Comment': 'Taraz' }, 'city', (l) => strictMessages.commentNotAllowed[l]);
    expectRejected(v, { ...ok, 'mood-Comment': 'x' }, 'mood-Comment', (l) => strictMessages.unknownKey[l]);
    expect(v({ ...ok, trust: 2, 'trust-Comment': 'because' }, 'en')).toEqual({ ok: true });
    expectRejected(v, { ...ok, 'trust-Comment': 'x'.repeat(10_001) }, 'trust', (l) => strictMessages.tooLong[l].replace('{0}', '10000'));
  });

  it('rating: rateMin/rateMax/rateStep and rateValues', () => {
    expect(v({ ...ok, stepped: 30, labelled: 'mid' }, 'en')).toEqual({ ok: true });
    expectRejected(v, { ...ok, stepped: 25 }, 'stepped', (l) => strictMessages.notOnScale[l]);
    expectRejected(v, { ...ok, labelled: 'L' }, 'labelled', (l) => strictMessages.notOnScale[l]);
  });

  it('number inputs: min, step; numeric and expression validators', () => {
    expectRejected(v, { ...ok, age: 17 }, 'age', (l) => coreText('minError', l, 18));
    expectRejected(v, { ...ok, hours: 1.25 }, 'hours', (l) => coreText('stepError', l, 0.5));
    expectRejected(v, { ...ok, children: 21 }, 'children', (l) => coreText('numericMinMax', l, coreText('value', l), 0, 20));
    expectRejected(v, { ...ok, age: 19, children: 20 }, 'children', (l) => validatorText('children', 1, l));
  });

  it('text: text validator (length, digits), regex, email, maxLength, comment maxLength', () => {
    expectRejected(v, { ...ok, nick: 'ab' }, 'nick', (l) => coreText('textMinLength', l, 3));
    expectRejected(v, { ...ok, nick: 'abc1' }, 'nick', (l) => coreText('textNoDigitsAllow', l));
    expectRejected(v, { ...ok, nick: 'x'.repeat(13) }, 'nick', (l) => strictMessages.tooLong[l].replace('{0}', '12'));
    expectRejected(v, { ...ok, postcode: '12345' }, 'postcode', (l) => validatorText('postcode', 0, l));
    expectRejected(v, { ...ok, email: 'not-an-email' }, 'email', (l) => coreText('invalidEmail', l));
    expectRejected(v, { ...ok, remarks: 'y'.repeat(201) }, 'remarks', (l) => strictMessages.tooLong[l].replace('{0}', '200'));
    expectRejected(v, { ...ok, remarks: 42 }, 'remarks', (l) => strictMessages.notText[l]);
  });

  it('visibility: hidden page, hidden panel, nested visibleIf, visible: false', () => {
    expectRejected(v, { ...ok, agree: 'no' }, 'score', (l) => strictMessages.notShown[l]);
    expect(v({ mood: 3, agree: 'no', ws: 'x', langs: ['none'] }, 'en')).toEqual({ ok: true });
    expectRejected(v, { ...ok, married: 'no' }, 'married', (l) => strictMessages.notShown[l]);
    expectRejected(v, { ...ok, plain: true }, 'married', (l) => coreText('requiredError', l));
    expectRejected(v, { ...ok, plain: true, married: 'yes' }, 'spouse_eth', (l) => coreText('requiredError', l));
    expectRejected(v, { ...ok, plain: true, married: 'no', spouse_eth: 'same' }, 'spouse_eth', (l) => strictMessages.notShown[l]);
    expectRejected(v, { ...ok, never: 'x' }, 'never', (l) => strictMessages.notShown[l]);
    expectRejected(v, { ...ok, intro: 'x' }, 'intro', (l) => strictMessages.unknownKey[l]);
  });

  it('enableIf: a disabled question is not required, an enabled one is', () => {
    expect(v(ok, 'en')).toEqual({ ok: true });
    expectRejected(v, { ...ok, mood: 5 }, 'locked', (l) => coreText('requiredError', l));
    expectRejected(v, { ...ok, locked: 'c' }, 'locked', (l) => strictMessages.notAChoice[l]);
  });
});

describe('engine choice and survey support', () => {
  it('falls back to the survey-core reference engine for features the fast one does not model, still strictly', () => {
    const v = createCompletionValidator(load('test/fixtures/validation/fallback.json'));
    expect(v.info.engine).toBe('reference');
    expect(v({ stop: false, fruit: 'plum' }, 'en')).toEqual({ ok: true });
    expectRejected(v, { stop: true, fruit: 'plum' }, 'fruit', (l) => strictMessages.notAChoice[l]);
    expectRejected(v, { stop: false, fruit: 'plum', zz: 1 }, 'zz', (l) => strictMessages.unknownKey[l]);
    expectRejected(v, { stop: false }, 'fruit', (l) => coreText('requiredError', l));
  });

  it('refuses, when built, a survey with a question type whose answers it cannot check', () => {
    const survey = { elements: [{ type: 'matrix', name: 'grid', columns: ['a'], rows: ['r'] }] };
    expect(() => createCompletionValidator(survey)).toThrow(/question "grid" has type "matrix"/);
  });
});
