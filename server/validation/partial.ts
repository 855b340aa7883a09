// Validation of a partial save (PUT …/responses/:id). A partial answer set is legitimately
// incomplete and may still hold answers to questions the respondent has since hidden (survey-core
// clears those only on completion), so the completion rules do not apply. What does: the same
// unknown-key rule as completion, and a depth and size bound on every answer, so that no stored
// value is something the completion validator, JSON.stringify or a later reader chokes on (an
// array nested 5,000 deep once overflowed the stack in the insert: issue 10 §4).
import { strictMessage, type Locale } from './messages';
import { commentRuleOf, DEFAULT_COMMENT_MAX_LENGTH, isPlainObject, NON_VALUE_TYPES } from './shape';
import { commentKey, createModel } from './survey-core-adapter';
import { MAX_ERRORS, type ValidationResult } from './types';

/**
 * Deepest nesting an answer may have: a scalar is 0, a checkbox's list 1, a matrix row's list 2.
 * Every question type SurveyJS stores (including the dynamic and matrix ones we do not use yet)
 * fits in 3.
 */
export const MAX_ANSWER_DEPTH = 3;
/**
 * Largest answer, counted as characters of every string (keys included) plus one per value: twice
 * the longest free text an answer may hold (DEFAULT_COMMENT_MAX_LENGTH), so a real answer never
 * comes near it, while the body limit alone would let one answer be 256 KB.
 */
export const MAX_ANSWER_SIZE = 2 * DEFAULT_COMMENT_MAX_LENGTH;

/** Whether `value` is within the depth and size bounds; iterative, so any nesting is safe to walk. */
export function answerBoundsProblem(value: unknown): 'answerTooDeep' | 'answerTooLarge' | null {
  let size = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    size += typeof v === 'string' ? v.length + 1 : 1;
    if (typeof v === 'object' && v !== null) {
      if (depth >= MAX_ANSWER_DEPTH) return 'answerTooDeep';
      if (Array.isArray(v)) {
        for (const item of v) stack.push([item, depth + 1]);
      } else {
        for (const [k, item] of Object.entries(v)) {
          size += k.length;
          stack.push([item, depth + 1]);
        }
      }
    }
    if (size > MAX_ANSWER_SIZE) return 'answerTooLarge';
  }
  return null;
}

export type PartialValidator = (data: unknown, locale: Locale) => ValidationResult;

/**
 * Builds the partial-save validator of one survey version: answers must be an object whose keys
 * are the survey's question values (and their allowed `-Comment` keys), each within the bounds
 * above. Costs one survey-core Model at build time; cache it per version.
 */
export function createPartialValidator(surveyJson: object): PartialValidator {
  const keys = new Set<string>();
  for (const q of createModel(surveyJson, 'kk').getAllQuestions(false, false, true)) {
    if (NON_VALUE_TYPES.has(q.getType())) continue;
    keys.add(q.name);
    if (commentRuleOf(q).mode !== 'none') keys.add(commentKey(q.name));
  }
  return (data, locale) => {
    if (!isPlainObject(data)) return { ok: false, errors: [{ question: '', message: strictMessage('notAnObject', locale) }] };
    const errors: { question: string; message: string }[] = [];
    for (const [key, value] of Object.entries(data)) {
      const problem = keys.has(key) ? answerBoundsProblem(value) : 'unknownKey';
      if (problem === null) continue;
      errors.push({ question: key, message: strictMessage(problem, locale, problem === 'answerTooDeep' ? MAX_ANSWER_DEPTH : undefined) });
      if (errors.length >= MAX_ERRORS) {
        errors.push({ question: '', message: strictMessage('tooManyErrors', locale) });
        break;
      }
    }
    return errors.length === 0 ? { ok: true } : { ok: false, errors };
  };
}
