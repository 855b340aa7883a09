// Forms check their input with the contract's zod schemas before sending (the server parses the
// same schemas again), and show each problem next to its field, in the reader's language.
import { useState } from 'react';
import type { AdminText } from './admin-text';
import { ApiError } from './api';
import { problemsOf, serverProblems, type FieldProblem, type IssueLike } from './errors';

export interface Parser<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: readonly IssueLike[] } };
}

/** The parsed value, or the problems in words. */
export function validate<T>(text: AdminText, schema: unknown, value: unknown): { ok: true; data: T } | { ok: false; problems: FieldProblem[] } {
  const parsed = (schema as Parser<T>).safeParse(value);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, problems: problemsOf(text, parsed.error.issues) };
}

export type Submit = { state: 'idle' } | { state: 'sending' } | { state: 'failed'; error: unknown; problems: FieldProblem[] } | { state: 'invalid'; problems: FieldProblem[] };

/**
 * A form's sending state: `run(schema, value, send)` validates, sends, and keeps the problems (the
 * client's or the server's 422 details) for the fields to show.
 */
export function useSubmit(text: AdminText) {
  const [submit, setSubmit] = useState<Submit>({ state: 'idle' });
  async function run<T, R>(schema: unknown, value: unknown, send: (data: T) => Promise<R>): Promise<R | undefined> {
    const checked = validate<T>(text, schema, value);
    if (!checked.ok) {
      setSubmit({ state: 'invalid', problems: checked.problems });
      return undefined;
    }
    setSubmit({ state: 'sending' });
    try {
      const result = await send(checked.data);
      setSubmit({ state: 'idle' });
      return result;
    } catch (error) {
      setSubmit({ state: 'failed', error, problems: error instanceof ApiError ? serverProblems(text, error) : [] });
      return undefined;
    }
  }
  const problems = submit.state === 'invalid' || submit.state === 'failed' ? submit.problems : [];
  return { submit, run, problems, reset: () => setSubmit({ state: 'idle' }) };
}

/** For actions without a body to check (close a wave, publish a run). */
export const noBody: Parser<unknown> = { safeParse: (data: unknown) => ({ success: true, data }) };
