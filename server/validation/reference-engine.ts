// The reference engine: survey-core itself decides visibility, required-ness and every rule it
// knows, on a Model reused per survey version and locale; the shared strict pass adds what
// survey-core lets through. Slow (milliseconds per answer set) but it is the definition the fast
// engine is tested against, and the engine used for surveys the fast one does not model.
import { createModel, commentKey, type CoreModel, type CoreQuestion } from './survey-core-adapter';
import { commentRuleOf, NON_VALUE_TYPES, shapeOf, VALUE_TYPES } from './shape';
import { buildKeyIndex, checkQuestionStrict, checkTopLevel, ErrorList, type StrictQuestion } from './strict-pass';
import { strictMessage } from './messages';
import type { CompletionValidator } from './types';

/** Fails with a clear message when the survey uses a question type these rules cannot check. */
export function assertSupportedTypes(model: CoreModel): void {
  for (const q of model.getAllQuestions(false, false, true)) {
    const type = q.getType();
    if (!VALUE_TYPES.has(type) && !NON_VALUE_TYPES.has(type)) {
      throw new Error(`completion validation: question "${q.name}" has type "${type}", which is not supported; supported types are ${[...VALUE_TYPES, ...NON_VALUE_TYPES].join(', ')}`);
    }
    if (q.valueName && q.valueName !== q.name) {
      throw new Error(`completion validation: question "${q.name}" sets valueName "${q.valueName}", which is not supported`);
    }
  }
}

/**
 * Validates with a fresh survey-core Model per answer set (~15–40 ms). A reused Model is faster
 * (~5 ms) but not a faithful reference: after some hostile answer sets it keeps stale state and
 * then reports errors a fresh Model does not (found by the differential test), so the reference
 * pays for a new Model every time.
 */
export function createReferenceValidator(surveyJson: object): CompletionValidator {
  assertSupportedTypes(createModel(surveyJson, 'kk'));
  return (data, locale) => {
    const errors = new ErrorList(locale);
    let model: CoreModel | undefined;
    try {
      model = createModel(surveyJson, locale);
      const all = model.getAllQuestions(false, false, true);
      const valueQuestions = all.filter((q) => VALUE_TYPES.has(q.getType()));
      const nonValue = all.filter((q) => NON_VALUE_TYPES.has(q.getType())).map((q) => q.name);
      // Choice lists are read after the data is set, because survey-core may filter them by it.
      const describe = (q: CoreQuestion): StrictQuestion => ({ name: q.name, commentKey: commentKey(q.name), shape: shapeOf(q), comment: commentRuleOf(q) });
      const keys = buildKeyIndex(valueQuestions.map(describe), nonValue);
      if (!checkTopLevel(data, keys, errors, locale)) return { ok: false, errors: errors.items };
      const rejectInvisible = (model as unknown as { clearInvisibleValues?: string }).clearInvisibleValues !== 'none';
      model.data = { ...data };
      model.validate(true, false);
      for (const q of valueQuestions) {
        if (errors.full) break;
        const visible = q.isVisible && q.isParentVisible;
        if (!checkQuestionStrict(describe(q), data, visible || !rejectInvisible, errors, locale)) continue;
        if (!visible || q.isReadOnly) continue;
        for (const e of q.errors) if (e.isError) errors.add(q.name, e.getText());
      }
    } catch {
      // survey-core met something it could not digest; the answers are not acceptable as they are.
      errors.add('', strictMessage('unreadable', locale));
    } finally {
      model?.dispose();
    }
    return errors.items.length === 0 ? { ok: true } : { ok: false, errors: errors.items };
  };
}
