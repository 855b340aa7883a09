// Random answer sets for a SurveyJS JSON, valid and hostile, for the validation tests and the
// differential test. Everything is derived from the survey JSON, so the same generator serves the
// fixtures and the official questionnaire. Deterministic for a given seed.

import { rng } from '../../helpers/random';

export type Rng = () => number;

/** The shared seeded generator (mulberry32, test/helpers/random.ts). */
export const makeRng: (seed: number) => Rng = rng;

export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

type Json = Record<string, unknown>;

export interface QuestionInfo {
  name: string;
  type: string;
  json: Json;
  /** Values that are well-shaped for the question (the generator's "valid" pool). */
  pool: unknown[];
  multi: boolean;
  hasComment: boolean;
}

function itemValue(item: unknown): unknown {
  return typeof item === 'object' && item !== null && 'value' in item ? (item as Json).value : item;
}

function choicePool(q: Json): unknown[] {
  const values = ((q.choices as unknown[]) ?? []).map(itemValue);
  if (q.showOtherItem || q.hasOther) values.push('other');
  if (q.showNoneItem || q.hasNone) values.push('none');
  if (q.showRefuseItem) values.push('refused');
  if (q.showDontKnowItem) values.push('dontknow');
  return values;
}

function ratingPool(q: Json): unknown[] {
  if (Array.isArray(q.rateValues) && q.rateValues.length > 0) return q.rateValues.map(itemValue);
  const min = typeof q.rateMin === 'number' ? q.rateMin : 1;
  const max = typeof q.rateMax === 'number' ? q.rateMax : 5;
  const step = typeof q.rateStep === 'number' ? q.rateStep : 1;
  const res: number[] = [];
  for (let v = min; v <= max; v += step) res.push(v);
  return res;
}

function numberPool(q: Json): unknown[] {
  const min = typeof q.min === 'number' ? q.min : 0;
  const max = typeof q.max === 'number' ? q.max : 100;
  const res: number[] = [min, max, min - 1, max + 1, Math.round((min + max) / 2), min + 0.5, 0];
  for (let i = 0; i < 6; i++) res.push(Math.round(min + ((max - min) * i) / 5));
  return res;
}

const TEXTS = ['hello', 'Сәлем', 'Привет', 'a', 'ab', 'abc1', '123456', '12345', 'x@y.kz', 'not-an-email', '   ', '', 'Алматы 050000'];

export function collectQuestions(survey: Json): QuestionInfo[] {
  const out: QuestionInfo[] = [];
  const walk = (elements: unknown): void => {
    for (const e of (elements as Json[] | undefined) ?? []) {
      const type = String(e.type);
      if (type === 'panel') { walk(e.elements); continue; }
      if (type === 'html' || type === 'image') continue;
      let pool: unknown[];
      switch (type) {
        case 'radiogroup': case 'dropdown': case 'checkbox': case 'tagbox': pool = choicePool(e); break;
        case 'boolean': pool = [e.valueTrue ?? true, e.valueFalse ?? false]; break;
        case 'rating': pool = ratingPool(e); break;
        case 'text': pool = e.inputType === 'number' ? numberPool(e) : TEXTS; break;
        default: pool = TEXTS;
      }
      out.push({ name: String(e.name), type, json: e, pool, multi: type === 'checkbox' || type === 'tagbox', hasComment: !!(e.showOtherItem || e.hasOther || e.showCommentArea) });
    }
  };
  for (const page of (survey.pages as Json[] | undefined) ?? []) walk(page.elements);
  walk(survey.elements);
  return out;
}

/** A well-shaped answer for q (it may still break a rule such as min/max or a validator). */
export function shapedValue(rng: Rng, q: QuestionInfo): unknown {
  if (!q.multi) return pick(rng, q.pool);
  const n = Math.floor(rng() * Math.min(4, q.pool.length + 1));
  const res = new Set<unknown>();
  for (let i = 0; i < n; i++) res.add(pick(rng, q.pool));
  return [...res];
}

/** Values no question of `q`'s type accepts. */
export function hostileValues(q: QuestionInfo): unknown[] {
  const junk: unknown[] = [null, {}, { a: 1 }, [[1]], { nested: { deep: [1, { x: 'y' }] } }, 'x'.repeat(20001), Number.POSITIVE_INFINITY, Number.NaN];
  switch (q.type) {
    case 'text':
      return q.json.inputType === 'number' ? [...junk, 'abc', '12abc', '42', true, [5]] : [...junk, 42, true, ['a']];
    case 'comment':
      return [...junk, 42, false, ['a']];
    case 'boolean':
      return [...junk, 'true', 1, 0, 'yes-ish', [true]];
    case 'rating': {
      const nums = q.pool.filter((x): x is number => typeof x === 'number');
      const max = nums.length ? Math.max(...nums) : 5;
      const min = nums.length ? Math.min(...nums) : 1;
      return [...junk, max + 1, min - 1, 9, String(q.pool[0]), [q.pool[0]], 1.5];
    }
    case 'checkbox': case 'tagbox':
      return [...junk, q.pool[0], [q.pool[0], q.pool[0]], ['zz-not-a-choice'], q.pool.includes('none') ? ['none', q.pool[0]] : [q.pool[0], 'zz']];
    default: // single choice
      return [...junk, 'zz-not-a-choice', typeof q.pool[0] === 'number' ? String(q.pool[0]) : 12345, [q.pool[0]], true];
  }
}

export interface GeneratedSet {
  data: unknown;
  hostile: boolean;
}

/** Random answers for every question, each left out with probability `omit`. */
export function randomAnswers(rng: Rng, qs: readonly QuestionInfo[], omit: number): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const q of qs) {
    if (rng() < omit) continue;
    data[q.name] = shapedValue(rng, q);
    if (q.hasComment && rng() < 0.5) data[q.name + '-Comment'] = pick(rng, TEXTS);
  }
  return data;
}

/** Applies one hostile mutation in place (or returns a non-object replacement). */
export function mutate(rng: Rng, qs: readonly QuestionInfo[], data: Record<string, unknown>): unknown {
  const r = rng();
  if (r < 0.04) return pick(rng, [[], 'answers', 42, null, true, [data]]);
  if (r < 0.14) {
    const key = pick(rng, ['zz_unknown', '__proto__', 'constructor', 'toString', 'a1-Comment', 'intro', '']);
    // defineProperty so "__proto__" becomes an own key, as JSON.parse makes it.
    Object.defineProperty(data, key, { value: pick(rng, [1, 'x', { a: 1 }]), enumerable: true, configurable: true, writable: true });
    return data;
  }
  const q = pick(rng, qs);
  if (r < 0.2) {
    data[q.name + '-Comment'] = pick(rng, ['why', 42, 'y'.repeat(20001)]);
    return data;
  }
  data[q.name] = pick(rng, hostileValues(q));
  return data;
}

type Validate = (data: unknown, locale: 'kk' | 'ru' | 'en') => { ok: true } | { ok: false; errors: { question: string; message: string }[] };

/**
 * Nudges random answers towards a consistent set: answers to hidden questions are removed and
 * questions with errors get another answer or none. Many sets end valid, many do not.
 */
export function repair(rng: Rng, qs: readonly QuestionInfo[], data: Record<string, unknown>, validate: Validate, rounds: number): Record<string, unknown> {
  const byName = new Map(qs.map((q) => [q.name, q]));
  for (let i = 0; i < rounds; i++) {
    const res = validate(data, 'en');
    if (res.ok) break;
    for (const e of res.errors) {
      const q = byName.get(e.question);
      if (!q) { delete data[e.question]; continue; }
      if (/not shown/.test(e.message) || rng() < 0.3) {
        delete data[q.name];
        delete data[q.name + '-Comment'];
      } else {
        data[q.name] = shapedValue(rng, q);
        if (q.hasComment) data[q.name + '-Comment'] = pick(rng, TEXTS.filter((t) => t.trim() !== ''));
      }
    }
  }
  return data;
}
