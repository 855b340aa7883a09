// Strict value-shape rules: what JSON value each question type may hold. survey-core alone keeps
// unknown keys, silently drops values outside the choices and compares "abc" with a number's min
// as if it were fine; these rules reject all of that (decision 003). The rules are read from the
// survey-core question built from the survey JSON, so the JSON stays their only source.
import { commentKey, type CoreItem, type CoreQuestion } from './survey-core-adapter';
import { strictMessage, type Locale, type StrictMessageKey } from './messages';

/** Cap for free text when the survey sets no maxLength: a long paragraph, not a payload. */
export const DEFAULT_TEXT_MAX_LENGTH = 2000;
export const DEFAULT_COMMENT_MAX_LENGTH = 10000;

export type Shape =
  | { kind: 'single'; allowed: Set<string> }
  | { kind: 'multi'; allowed: Set<string>; exclusive: Set<string>; maxSelected: number }
  | { kind: 'boolean'; allowed: Set<string> }
  | { kind: 'rating'; allowed: Set<string> }
  | { kind: 'number' }
  | { kind: 'text'; maxLength: number };

/** How a question's `<name>-Comment` key may be used. */
export type CommentRule =
  | { mode: 'none' }
  | { mode: 'always'; maxLength: number }
  | { mode: 'other'; otherKey: string; maxLength: number };

/** Types whose values these rules understand; any other type makes the survey unsupported. */
export const VALUE_TYPES = new Set(['radiogroup', 'dropdown', 'checkbox', 'tagbox', 'boolean', 'rating', 'text', 'comment']);
/** Types that hold no value at all (their name must never appear in the answers). */
export const NON_VALUE_TYPES = new Set(['html', 'image']);

/**
 * A canonical key for a scalar JSON value, type included: the choice 5 and the string "5" differ,
 * as they do in survey-core's stored data. Returns null for anything that is not a scalar.
 */
export function valueKey(v: unknown): string | null {
  switch (typeof v) {
    case 'string': return 's' + v;
    case 'number': return Number.isFinite(v) ? 'n' + v : null;
    case 'boolean': return v ? 'bt' : 'bf';
    default: return null;
  }
}

function keysOf(items: readonly CoreItem[] | undefined): Set<string> {
  const res = new Set<string>();
  for (const item of items ?? []) {
    const k = valueKey(item.value);
    if (k !== null) res.add(k);
  }
  return res;
}

function textLimit(q: CoreQuestion, fallback: number): number {
  const n = typeof q.getMaxLength === 'function' ? Number(q.getMaxLength()) : 0;
  return n > 0 ? n : fallback;
}

/**
 * Reads the shape rule of a question from survey-core's model of it. `visibleChoices` is used as
 * survey-core computes it (it adds the none/other/refuse/don't-know items the JSON switches on).
 */
export function shapeOf(q: CoreQuestion): Shape {
  const type = q.getType();
  switch (type) {
    case 'radiogroup':
    case 'dropdown':
      return { kind: 'single', allowed: keysOf(q.visibleChoices) };
    case 'checkbox':
    case 'tagbox': {
      const items = q.visibleChoices ?? [];
      const exclusive = keysOf(items.filter((i) => i.isExclusive === true));
      const max = Number(q.maxSelectedChoices ?? 0);
      return { kind: 'multi', allowed: keysOf(items), exclusive, maxSelected: max > 0 ? max : Infinity };
    }
    case 'boolean': {
      const t = q.getValueTrue ? q.getValueTrue() : true;
      const f = q.getValueFalse ? q.getValueFalse() : false;
      return { kind: 'boolean', allowed: keysOf([{ value: t }, { value: f }]) };
    }
    case 'rating':
      return { kind: 'rating', allowed: keysOf(q.visibleRateValues) };
    case 'text':
      if (q.inputType === 'number' || q.inputType === 'range') return { kind: 'number' };
      return { kind: 'text', maxLength: textLimit(q, DEFAULT_TEXT_MAX_LENGTH) };
    case 'comment':
      return { kind: 'text', maxLength: textLimit(q, DEFAULT_COMMENT_MAX_LENGTH) };
    default:
      throw new Error(`question "${q.name}" has type "${type}", which completion validation does not support`);
  }
}

export function commentRuleOf(q: CoreQuestion): CommentRule {
  if (q.showCommentArea) return { mode: 'always', maxLength: DEFAULT_COMMENT_MAX_LENGTH };
  if (q.showOtherItem && q.otherItem) {
    const otherKey = valueKey(q.otherItem.value);
    if (otherKey !== null) return { mode: 'other', otherKey, maxLength: DEFAULT_COMMENT_MAX_LENGTH };
  }
  return { mode: 'none' };
}

export { commentKey };

/** The answer's shape problem as a message key (and argument), or null when the shape is right. */
export function checkShape(shape: Shape, v: unknown): { key: StrictMessageKey; arg?: number } | null {
  switch (shape.kind) {
    case 'single': {
      const k = valueKey(v);
      return k !== null && shape.allowed.has(k) ? null : { key: 'notAChoice' };
    }
    case 'multi': {
      if (!Array.isArray(v)) return { key: 'notAList' };
      if (v.length > shape.allowed.size) return { key: 'tooManyChoices', arg: Math.min(shape.maxSelected, shape.allowed.size) };
      const seen = new Set<string>();
      let hasExclusive = false;
      for (const item of v) {
        const k = valueKey(item);
        if (k === null || !shape.allowed.has(k)) return { key: 'notAChoice' };
        if (seen.has(k)) return { key: 'duplicateChoice' };
        seen.add(k);
        if (shape.exclusive.has(k)) hasExclusive = true;
      }
      if (hasExclusive && v.length > 1) return { key: 'exclusiveChoice' };
      if (v.length > shape.maxSelected) return { key: 'tooManyChoices', arg: shape.maxSelected };
      return null;
    }
    case 'boolean': {
      const k = valueKey(v);
      return k !== null && shape.allowed.has(k) ? null : { key: 'notABoolean' };
    }
    case 'rating': {
      const k = valueKey(v);
      return k !== null && shape.allowed.has(k) ? null : { key: 'notOnScale' };
    }
    case 'number':
      // survey-core stores a number input's value as a JS number (QuestionTextModel.correctValueType);
      // a string such as "12abc" or a non-finite number (JSON 1e400 parses to Infinity) is not one.
      return typeof v === 'number' && Number.isFinite(v) ? null : { key: 'notANumber' };
    case 'text':
      if (typeof v !== 'string') return { key: 'notText' };
      return v.length > shape.maxLength ? { key: 'tooLong', arg: shape.maxLength } : null;
  }
}

/** Problem with a `<name>-Comment` value, or null. `value` is the question's own answer. */
export function checkComment(rule: CommentRule, comment: unknown, value: unknown): { key: StrictMessageKey; arg?: number } | null {
  if (rule.mode === 'none') return { key: 'unknownKey' };
  if (typeof comment !== 'string') return { key: 'notText' };
  if (comment.length > rule.maxLength) return { key: 'tooLong', arg: rule.maxLength };
  if (rule.mode === 'other') {
    const selected = Array.isArray(value) ? value.some((x) => valueKey(x) === rule.otherKey) : valueKey(value) === rule.otherKey;
    if (!selected) return { key: 'commentNotAllowed' };
  }
  return null;
}

export function shapeMessage(problem: { key: StrictMessageKey; arg?: number }, locale: Locale): string {
  return strictMessage(problem.key, locale, problem.arg);
}

/** survey-core's emptiness (Question.isEmpty): undefined, null, "", [], {} and, unless spaces are
 * allowed, a string of only spaces. */
export function isEmptyAnswer(v: unknown, allowSpace: boolean): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (typeof v === 'string') return !allowSpace && v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') {
    for (const key in v as Record<string, unknown>) {
      if (!isEmptyAnswer((v as Record<string, unknown>)[key], false)) return false;
    }
    return true;
  }
  return false;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
