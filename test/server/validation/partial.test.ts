// The partial-save validator: the survey's keys only, every answer within the depth and size bounds.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerBoundsProblem, createPartialValidator, MAX_ANSWER_DEPTH, MAX_ANSWER_SIZE } from '../../../server/validation';
import { MINI_SURVEYS_DIR } from '../../helpers/app';

const survey = JSON.parse(fs.readFileSync(path.join(MINI_SURVEYS_DIR, 'official/survey.json'), 'utf8')) as object;
const validate = createPartialValidator(survey);

/** `depth` arrays around 1, built without recursion. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('answerBoundsProblem', () => {
  it('measures depth from a scalar (0) and stops at the limit, however deep the value', () => {
    expect(answerBoundsProblem('x')).toBeNull();
    expect(answerBoundsProblem(nested(MAX_ANSWER_DEPTH))).toBeNull();
    expect(answerBoundsProblem(nested(MAX_ANSWER_DEPTH + 1))).toBe('answerTooDeep');
    expect(answerBoundsProblem(nested(100_000))).toBe('answerTooDeep');
    expect(answerBoundsProblem({ a: { b: { c: 1 } } })).toBeNull();
    expect(answerBoundsProblem({ a: { b: { c: { d: 1 } } } })).toBe('answerTooDeep');
  });

  it('counts string characters, keys and values against the size limit', () => {
    expect(answerBoundsProblem('x'.repeat(MAX_ANSWER_SIZE - 1))).toBeNull();
    expect(answerBoundsProblem('x'.repeat(MAX_ANSWER_SIZE))).toBe('answerTooLarge');
    expect(answerBoundsProblem(Array.from({ length: MAX_ANSWER_SIZE }, () => null))).toBe('answerTooLarge');
    expect(answerBoundsProblem({ ['k'.repeat(MAX_ANSWER_SIZE)]: 1 })).toBe('answerTooLarge');
  });
});

describe('createPartialValidator', () => {
  it('accepts any subset of the survey\'s answers, even ones completion would refuse', () => {
    expect(validate({}, 'kk')).toEqual({ ok: true });
    expect(validate({ adult: true, a1: 'not a choice yet' }, 'kk')).toEqual({ ok: true });
  });

  it('refuses a non-object, unknown keys and html names, in the given language', () => {
    expect(validate([], 'en')).toEqual({ ok: false, errors: [{ question: '', message: 'Answers must be sent as an object (question name → answer).' }] });
    expect(validate({ zz: 1, 'a1-Comment': 'x' }, 'en')).toEqual({
      ok: false,
      errors: [{ question: 'zz', message: 'The questionnaire has no such question.' }, { question: 'a1-Comment', message: 'The questionnaire has no such question.' }],
    });
  });

  it('stops listing after 100 problems', () => {
    const data = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`q${i}`, 1]));
    const result = validate(data, 'en');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toHaveLength(101);
  });
});
