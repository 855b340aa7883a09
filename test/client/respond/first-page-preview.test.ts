import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { previewOf } from '../../../client/respond/first-page-preview';

const official = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../../surveys/official/survey.json'), 'utf8')) as Record<string, unknown>;

describe('previewOf', () => {
  test('the official questionnaire: the introduction and the first question, up to the first conditional one; five pages', () => {
    const p = previewOf(official);
    expect(p).not.toBeNull();
    expect(p!.elements.map((e) => (e.kind === 'html' ? `html:${e.name}` : `question:${e.name}`))).toEqual(['html:consent_info', 'question:adult']);
    const adult = p!.elements[1];
    if (adult.kind !== 'question') throw new Error('adult is a question');
    expect(adult.required).toBe(true);
    // swapOrder: "Yes" first, as survey-core draws it.
    expect(adult.choices.map((c) => c.value)).toEqual([true, false]);
    expect(p!.pageCount).toBe(5);
  });

  const page = (elements: unknown[], extra: Record<string, unknown> = {}) => ({ pages: [{ name: 'p1', elements, ...extra }, { name: 'p2', elements: [] }] });

  test('a radiogroup with plain and object choices', () => {
    const p = previewOf(page([{ type: 'radiogroup', name: 'q', title: 'Q?', choices: ['a', { value: 'b', text: { default: 'Б', en: 'B' } }] }]));
    const q = p!.elements[0];
    if (q.kind !== 'question') throw new Error('q is a question');
    expect(q.choices).toEqual([{ value: 'a', text: 'a' }, { value: 'b', text: { default: 'Б', en: 'B' } }]);
    expect(p!.pageCount).toBe(2);
  });

  test('nothing to draw: a first page with a condition, or starting with a question it does not know', () => {
    expect(previewOf(page([{ type: 'radiogroup', name: 'q', choices: ['a'] }], { visibleIf: '{x} = 1' }))).toBeNull();
    expect(previewOf(page([{ type: 'text', name: 'age' }, { type: 'radiogroup', name: 'q', choices: ['a'] }]))).toBeNull();
    expect(previewOf(page([{ type: 'html', name: 'intro', html: '<p>Hi</p>' }]))).toBeNull();
    expect(previewOf({})).toBeNull();
  });

  test('the progress is left out when a page condition cannot be judged without survey-core', () => {
    const json = page([{ type: 'boolean', renderAs: 'radio', name: 'b' }]);
    (json.pages[1] as Record<string, unknown>).visibleIf = '{b} = true';
    expect(previewOf(json)!.pageCount).toBeNull();
  });
});
