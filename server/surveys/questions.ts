// The questions of a SurveyJS JSON, found by one walk: pages, then elements at any depth of panels
// (and, when asked, the template elements of dynamic panels). Used wherever the server reads the
// questionnaire's own definitions rather than a survey-core model: the choices a population frame's
// levels must match (server/frames/service.ts), how an imported CSV cell becomes an answer value
// (server/responses/import.ts).

/** A question of the survey JSON as written there: a named element that is not a panel or a page. */
export type SurveyQuestion = Record<string, unknown> & { name: string; type: string };

/**
 * Every question of `json`, depth first, in the order of a stack walk (the last page first). An
 * element counts as a question when its `name` and `type` are strings and its type is neither
 * `panel` nor `page`; `html` elements count too (callers that read answers skip them).
 * `panelTemplates`: also walk a dynamic panel's `templateElements` (its questions are answered once
 * per panel, inside the panel's value, not as variables of their own).
 * Cost: one visit per node of the pages/elements tree. Throws nothing: a malformed node is skipped.
 * @example [...surveyQuestions({ pages: [{ name: 'p', elements: [{ type: 'text', name: 'Q1' }] }] }, { panelTemplates: false })]
 * // → [ { type: 'text', name: 'Q1' } ]
 */
export function* surveyQuestions(json: Record<string, unknown>, o: { panelTemplates: boolean }): Generator<SurveyQuestion> {
  const stack: unknown[] = [json];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) { stack.push(...node); continue; }
    if (node === null || typeof node !== 'object') continue;
    const el = node as Record<string, unknown>;
    if (Array.isArray(el.pages)) stack.push(el.pages);
    if (Array.isArray(el.elements)) stack.push(el.elements);
    if (o.panelTemplates && Array.isArray(el.templateElements)) stack.push(el.templateElements);
    if (typeof el.name === 'string' && typeof el.type === 'string' && el.type !== 'panel' && el.type !== 'page') yield el as SurveyQuestion;
  }
}
