// Static checks of a SurveyJS questionnaire and its scoring spec, run when a survey is loaded at
// start and by the tests over every survey under surveys/. survey-core itself accepts a lot in
// silence (a misspelt property, a question without a translation, two questions with one name,
// a scored item whose choices do not match its scale): each of those would corrupt data or show
// a respondent the wrong language without any error, so they are found here, all at once.
//
// Translations are checked against survey-core's own property metadata (Serializer): every
// property survey-core marks as localizable (title, description, choice text, html,
// completedHtml, validator text, placeholders, rate descriptions, labelTrue/labelFalse, error
// texts, ...) must be `{ "default": <Kazakh>, "ru": ..., "en": ... }` (docs/decisions/001). Using
// the metadata instead of a hand-kept list of keys means a property we never thought of is
// still checked.

import { Model, Serializer, type JsonObjectProperty, type Question } from 'survey-core';
import { parseScoringSpec, type ScoringItem, type ScoringSpec } from '../../analysis/scoring';

/** Locale keys every visible string must have: `default` holds Kazakh (decision 001). */
export const REQUIRED_LOCALE_KEYS = ['default', 'ru', 'en'] as const;

/** Question names double as data keys and column names: lower-case, digits, underscores. */
export const QUESTION_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

export type SurveyProblemCode =
  | 'not_a_survey' // the JSON is not an object with pages
  | 'json_error' // survey-core could not read part of the JSON (unknown property or type, ...)
  | 'expression_error' // a visibleIf/requiredIf/condition that cannot work (syntax, unknown name, ...)
  | 'invalid_name' // question name not matching QUESTION_NAME_PATTERN
  | 'duplicate_name' // two questions with the same name
  | 'missing_translation' // a visible string without one of the kk/ru/en texts
  | 'unknown_locale' // a localized string with a key other than default/ru/en (e.g. a typo "kz")
  | 'scoring_spec_invalid' // the scoring spec's own format is wrong (analysis/scoring.ts rules)
  | 'scored_item_missing' // the spec scores a question the survey does not have
  | 'scale_mismatch'; // a scored question's answer values do not match the declared scale

export interface SurveyProblem {
  code: SurveyProblemCode;
  /** Where: a JSON path into the survey (`pages[2].elements[0].choices[5].text`) or scoring spec. */
  path: string;
  /** The question concerned, when there is one. */
  question?: string;
  /** What is wrong and what to do about it. */
  message: string;
}

interface ElementRecord {
  name: string;
  path: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(value: unknown): string {
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A plain number, or a string holding one (answers may arrive either way; scoring accepts both). */
function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(v.trim())) return Number(v);
  return undefined;
}

/**
 * Checks one survey JSON (and optionally the scoring spec that scores it) and returns every
 * problem found, in document order; an empty array means the survey is fit to load.
 * Never throws for bad input: a malformed scoring spec is reported as a problem.
 *
 * Cost: one survey-core Model construction (a few ms for the official questionnaire) plus one
 * walk over the JSON.
 *
 * @example
 * checkSurvey({ pages: [{ name: 'p', elements: [{ type: 'text', name: 'Q1', title: 'Age' }] }] })
 * // → [ { code: 'missing_translation', path: 'pages[0].elements[0].title', question: 'Q1', ... },
 * //     { code: 'invalid_name', path: 'pages[0].elements[0]', question: 'Q1', ... } ]
 */
export function checkSurvey(surveyJson: unknown, scoringSpec?: unknown): SurveyProblem[] {
  if (!isRecord(surveyJson) || !Array.isArray(surveyJson.pages)) {
    return [{ code: 'not_a_survey', path: '(root)', message: 'the survey must be a JSON object with a "pages" array (SurveyJS format)' }];
  }
  const problems: SurveyProblem[] = [];
  const elements: ElementRecord[] = [];
  walkObject(surveyJson, 'survey', '', undefined, problems, elements);

  const model = new Model(surveyJson);
  for (const err of model.jsonErrors ?? []) {
    const where = isRecord(err.jsonObj) && typeof err.jsonObj.name === 'string' ? err.jsonObj.name : undefined;
    problems.push({
      code: 'json_error',
      path: where !== undefined ? `element "${where}"` : '(survey)',
      ...(where !== undefined ? { question: where } : {}),
      message: `survey-core cannot read this part of the survey: ${err.message} (object ${describe(err.jsonObj)}); fix the property or type name`,
    });
  }

  checkExpressions(model, problems);
  checkNames(model, elements, problems);

  if (scoringSpec !== undefined) {
    let spec: ScoringSpec | undefined;
    try {
      spec = parseScoringSpec(scoringSpec);
    } catch (err) {
      problems.push({ code: 'scoring_spec_invalid', path: 'scoring', message: (err as Error).message });
    }
    if (spec) checkScoring(model, spec, elements, problems);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Expressions: survey-core evaluates a condition naming an unknown question as false, without
// an error, so a typo in the screener logic ({adlt}) would silently change who is screened out.

const EXPRESSION_ERROR_TEXT: Record<number, (e: { functionName?: string; variableName?: string }) => string> = {
  0: () => 'has a syntax error',
  1: (e) => `calls the unknown function "${e.functionName ?? '?'}"`,
  2: (e) => `refers to "{${e.variableName ?? '?'}}", which is no question, calculated value or variable of this survey`,
  3: () => 'always gives the same result, so it decides nothing',
};

function checkExpressions(model: Model, problems: SurveyProblem[]): void {
  for (const res of model.validateExpressions()) {
    const obj = res.obj as unknown as Record<string, unknown> & { getType(): string };
    const name = typeof obj.name === 'string' && obj.name !== '' ? obj.name : undefined;
    const expression = typeof obj[res.propertyName] === 'string' ? (obj[res.propertyName] as string) : '';
    const where = `${obj.getType()}${name !== undefined ? ` "${name}"` : ''}`;
    for (const e of res.errors) {
      const what = (EXPRESSION_ERROR_TEXT[e.errorType] ?? (() => 'is not valid'))(e);
      problems.push({
        code: 'expression_error', path: `${where}.${res.propertyName}`,
        ...(name !== undefined && Serializer.isDescendantOf(obj.getType(), 'question') ? { question: name } : {}),
        message: `${res.propertyName} ${describe(expression)} of ${where} ${what}; fix the expression`,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Names

function checkNames(model: Model, elements: ElementRecord[], problems: SurveyProblem[]): void {
  const pathOf = new Map<string, string[]>();
  for (const e of elements) pathOf.set(e.name, [...(pathOf.get(e.name) ?? []), e.path]);

  const seen = new Map<string, number>();
  // includeNested: questions inside panels and dynamic panels are data keys too.
  for (const q of model.getAllQuestions(false, true, true)) seen.set(q.name, (seen.get(q.name) ?? 0) + 1);

  for (const [name, count] of seen) {
    const paths = pathOf.get(name) ?? [];
    if (!QUESTION_NAME_PATTERN.test(name)) {
      problems.push({
        code: 'invalid_name', path: paths[0] ?? `question "${name}"`, question: name,
        message: `question name "${name}" must match ${QUESTION_NAME_PATTERN.source} (lower-case letters, digits, underscores; a letter first), because it is the data key and the column name`,
      });
    }
    if (count > 1) {
      problems.push({
        code: 'duplicate_name', path: paths.join(', ') || `question "${name}"`, question: name,
        message: `${count} questions are named "${name}"; answers would overwrite each other. Give each question a unique name`,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Translations: a walk over the JSON guided by survey-core's property metadata.

function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** The survey-core class of a JSON object found under `prop`, or undefined if none applies. */
function classOfItem(item: Record<string, unknown>, prop: JsonObjectProperty): string | undefined {
  if (typeof item.type === 'string') {
    const byType = item.type + (prop.classNamePart ?? '');
    if (Serializer.findClass(byType)) return byType;
    if (Serializer.findClass(item.type)) return item.type;
    return undefined; // unknown type: survey-core reports it as a json_error
  }
  return prop.className || undefined;
}

function checkLocalized(value: unknown, path: string, question: string | undefined, problems: SurveyProblem[]): void {
  const q = question !== undefined ? { question } : {};
  if (typeof value === 'string') {
    if (value.trim() === '') return; // shows nothing
    problems.push({
      code: 'missing_translation', path, ...q,
      message: `${describe(value)} is a single text; write it as { "default": <Kazakh>, "ru": <Russian>, "en": <English> }`,
    });
    return;
  }
  if (!isRecord(value)) return;
  const missing = REQUIRED_LOCALE_KEYS.filter((k) => typeof value[k] !== 'string' || (value[k] as string).trim() === '');
  if (missing.length > 0) {
    problems.push({
      code: 'missing_translation', path, ...q,
      message: `no text for ${missing.map((k) => (k === 'default' ? '"default" (Kazakh)' : `"${k}"`)).join(', ')} in ${describe(value)}`,
    });
  }
  for (const key of Object.keys(value)) {
    if (!(REQUIRED_LOCALE_KEYS as readonly string[]).includes(key)) {
      problems.push({
        code: 'unknown_locale', path: joinPath(path, key), ...q,
        message: `locale key "${key}" is not one of ${REQUIRED_LOCALE_KEYS.join(', ')} (Kazakh goes under "default"); survey-core would ignore or misplace it`,
      });
    }
  }
}

/**
 * Checks a choice given as a bare value (e.g. `"dk"` instead of `{ "value": "dk", "text": {...} }`):
 * survey-core shows the value itself, untranslated. A bare number is language-neutral and allowed.
 */
function checkBareItem(item: unknown, path: string, question: string | undefined, problems: SurveyProblem[]): void {
  if (typeof item === 'string' && item.trim() !== '') {
    problems.push({
      code: 'missing_translation', path, ...(question !== undefined ? { question } : {}),
      message: `choice ${describe(item)} has no text, so respondents would see the raw value; write { "value": ${describe(item)}, "text": { "default", "ru", "en" } }`,
    });
  }
}

function walkObject(
  obj: Record<string, unknown>, className: string, path: string, question: string | undefined,
  problems: SurveyProblem[], elements: ElementRecord[],
): void {
  const isQuestion = Serializer.isDescendantOf(className, 'question');
  if (isQuestion && typeof obj.name === 'string') {
    question = obj.name;
    elements.push({ name: obj.name, path });
  }
  // survey-core shows a question's name where it has no title: that is visible, untranslated text.
  if (isQuestion && obj.title === undefined && className !== 'html' && className !== 'image'
      && obj.titleLocation !== 'hidden' && typeof obj.name === 'string') {
    problems.push({
      code: 'missing_translation', path: joinPath(path, 'title'), question: obj.name,
      message: `question "${obj.name}" has no title, so respondents would see its name; add a title in default (Kazakh), ru and en`,
    });
  }
  // An item without text shows its value (itemvalue and its descendants such as choiceitem).
  if (Serializer.isDescendantOf(className, 'itemvalue') && obj.text === undefined) {
    checkBareItem(obj.value, joinPath(path, 'text'), question, problems);
  }

  for (const [key, value] of Object.entries(obj)) {
    const prop = Serializer.findProperty(className, key);
    if (!prop) continue; // unknown properties are reported from survey-core's jsonErrors
    const here = joinPath(path, key);
    if (prop.isLocalizable) {
      checkLocalized(value, here, question, problems);
      continue;
    }
    const items = Array.isArray(value) ? value : isRecord(value) ? [value] : [];
    items.forEach((item, i) => {
      const itemPath = Array.isArray(value) ? joinPath(here, i) : here;
      if (isRecord(item)) {
        const cls = classOfItem(item, prop);
        if (cls) walkObject(item, cls, itemPath, question, problems, elements);
      } else if (prop.className && Serializer.isDescendantOf(prop.className, 'itemvalue')) {
        checkBareItem(item, itemPath, question, problems);
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Scoring spec against the survey

/** The answer values a question can produce, or a reason why they cannot be listed. */
function answerValues(q: Question): { values: unknown[] } | { range: [number, number] } | { reason: string } {
  const type = q.getType();
  const props = q as unknown as Record<string, unknown>;
  if (type === 'rating') {
    const rate = props.visibleRateValues as { value: unknown }[];
    return { values: rate.map((r) => r.value) };
  }
  if (type === 'radiogroup' || type === 'dropdown') {
    if (props.choicesByUrl && (props.choicesByUrl as { url?: string }).url) return { reason: 'its choices are loaded from a URL' };
    if (typeof props.choicesFromQuestion === 'string' && props.choicesFromQuestion !== '') return { reason: 'its choices are copied from another question' };
    const values = (props.choices as { value: unknown }[]).map((c) => c.value);
    // Special items survey-core adds on its own; their values must be declared missing codes.
    const specials: [string, string][] = [
      ['showNoneItem', 'noneItem'], ['showOtherItem', 'otherItem'],
      ['showRefuseItem', 'refuseItem'], ['showDontKnowItem', 'dontKnowItem'],
    ];
    for (const [flag, item] of specials) {
      if (props[flag] === true && isRecord(props[item])) values.push((props[item] as { value: unknown }).value);
    }
    return { values };
  }
  if (type === 'boolean') return { values: [props.valueTrue ?? true, props.valueFalse ?? false] };
  if (type === 'text' && props.inputType === 'number') {
    const min = numericValue(props.min);
    const max = numericValue(props.max);
    if (min === undefined || max === undefined) return { reason: 'it is a number input without both min and max' };
    return { range: [min, max] };
  }
  return { reason: `a "${type}" question does not give one value on a scale (use radiogroup, dropdown, rating or a number input)` };
}

function checkScoredItem(q: Question, item: ScoringItem, path: string, problems: SurveyProblem[]): void {
  const fail = (message: string): void => {
    problems.push({ code: 'scale_mismatch', path, question: item.name, message });
  };
  const scale = `${item.min}–${item.max}`;
  const got = answerValues(q);
  if ('reason' in got) {
    fail(`question "${item.name}" cannot be scored on ${scale}: ${got.reason}`);
    return;
  }
  if ('range' in got) {
    const [min, max] = got.range;
    if (min !== item.min || max !== item.max) fail(`question "${item.name}" accepts ${min}–${max} but the spec declares ${scale}`);
    return;
  }
  const missing = new Set((item.missingCodes ?? []).map(String));
  const numeric = new Set<number>();
  for (const v of got.values) {
    const n = numericValue(v);
    if (n === undefined) {
      if (!missing.has(String(v))) {
        fail(`question "${item.name}" has the non-numeric answer ${describe(v)}, which is not among the item's missingCodes [${[...missing].join(', ')}]; add it there or give it a value on ${scale}`);
      }
    } else if (missing.has(String(v))) {
      // A number declared missing is fine (e.g. 9 = refused); it is not a scale point.
    } else if (n < item.min || n > item.max) {
      fail(`question "${item.name}" has the answer ${n}, outside the declared scale ${scale}`);
    } else {
      numeric.add(n);
    }
  }
  // Every whole point of an integer scale must be answerable, or scores would be biased.
  if (Number.isInteger(item.min) && Number.isInteger(item.max)) {
    const absent: number[] = [];
    for (let x = item.min; x <= item.max; x++) if (!numeric.has(x)) absent.push(x);
    if (absent.length > 0) fail(`question "${item.name}" offers no answer for ${absent.join(', ')} of the declared scale ${scale}`);
  } else if (!numeric.has(item.min) || !numeric.has(item.max)) {
    fail(`question "${item.name}" does not offer both ends (${item.min} and ${item.max}) of the declared scale`);
  }
}

function checkScoring(model: Model, spec: ScoringSpec, elements: ElementRecord[], problems: SurveyProblem[]): void {
  spec.indicators.forEach((ind, i) => {
    ind.items.forEach((item, j) => {
      const path = `scoring.indicators[${i}].items[${j}]`;
      const q = model.getQuestionByName(item.name);
      if (!q) {
        problems.push({
          code: 'scored_item_missing', path, question: item.name,
          message: `indicator "${ind.id}" scores "${item.name}", but the survey has no question with that name (questions: ${elements.map((e) => e.name).join(', ')})`,
        });
        return;
      }
      checkScoredItem(q, item, path, problems);
    });
  });
}
