// The part of completion validation that both engines share: the top-level shape, unknown keys,
// answers to questions that are not shown, and each answer's strict shape (decision 003).
import { strictMessage, type Locale } from './messages';
import { checkComment, checkShape, isPlainObject, shapeMessage, type CommentRule, type Shape } from './shape';
import { MAX_ERRORS, type ValidationError } from './types';

export interface StrictQuestion {
  name: string;
  commentKey: string;
  shape: Shape;
  comment: CommentRule;
}

/** Owner of each answer key: a question's own value or its comment. */
export type KeyOwner = { index: number; isComment: boolean };

export function buildKeyIndex(questions: readonly StrictQuestion[], nonValueNames: readonly string[]): Map<string, KeyOwner | null> {
  const keys = new Map<string, KeyOwner | null>();
  questions.forEach((q, index) => {
    keys.set(q.name, { index, isComment: false });
    if (q.comment.mode !== 'none') keys.set(q.commentKey, { index, isComment: true });
  });
  // html/image elements have names but never values: a key with their name is unknown.
  for (const n of nonValueNames) if (!keys.has(n)) keys.set(n, null);
  return keys;
}

export class ErrorList {
  readonly items: ValidationError[] = [];
  private truncated = false;
  constructor(private readonly locale: Locale) {}
  add(question: string, message: string): void {
    if (this.items.length < MAX_ERRORS) this.items.push({ question, message });
    else if (!this.truncated) {
      this.truncated = true;
      this.items.push({ question: '', message: strictMessage('tooManyErrors', this.locale) });
    }
  }
  get full(): boolean { return this.truncated; }
}

/**
 * Rejects keys that are not a question's value or allowed comment. Returns false when `data` is
 * not an object at all (then nothing else can be checked).
 */
export function checkTopLevel(data: unknown, keys: Map<string, KeyOwner | null>, errors: ErrorList, locale: Locale): data is Record<string, unknown> {
  if (!isPlainObject(data)) {
    errors.add('', strictMessage('notAnObject', locale));
    return false;
  }
  for (const key of Object.keys(data)) {
    if (!keys.get(key)) {
      errors.add(key, strictMessage('unknownKey', locale));
      if (errors.full) break;
    }
  }
  return true;
}

/**
 * Strict checks of one question given whether it is visible. Returns true when survey-core's own
 * checks should run on it (visible, and its answer has the right shape).
 */
export function checkQuestionStrict(q: StrictQuestion, data: Record<string, unknown>, visible: boolean, errors: ErrorList, locale: Locale): boolean {
  const hasValue = Object.hasOwn(data, q.name);
  const hasComment = q.comment.mode !== 'none' && Object.hasOwn(data, q.commentKey);
  if (!visible) {
    // survey-core clears invisible values on complete (clearInvisibleValues: 'onComplete'), so an
    // answer here contradicts the other answers: reject it instead of silently dropping it.
    if (hasValue || hasComment) errors.add(q.name, strictMessage('notShown', locale));
    return false;
  }
  let ok = true;
  const value = data[q.name];
  if (hasValue) {
    const problem = checkShape(q.shape, value);
    if (problem) {
      errors.add(q.name, shapeMessage(problem, locale));
      ok = false;
    }
  }
  if (hasComment) {
    const problem = checkComment(q.comment, data[q.commentKey], value);
    if (problem) {
      errors.add(q.name, shapeMessage(problem, locale));
      ok = false;
    }
  }
  return ok;
}
