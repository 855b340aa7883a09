// Every refusal in words the researcher can act on, in the page language: the server's error code
// picks a translated message when the catalogue has one (error_<code>); otherwise the server's own
// message (English, and always naming what to fix) is shown. Field-level problems, from the
// contract's zod schemas on this side or the server's 422 details, name the field and the rule.
import { ApiError } from './api';
import { isAdminKey, type AdminText } from './admin-text';

/** One problem with one field: `path` as zod gives it, and a message already in words. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The subset of a zod issue this module reads (classic zod and zod/mini issues both fit). */
export interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  expected?: string;
  format?: string;
  values?: readonly unknown[];
}

/** A zod issue in the reader's language: "at least 12 characters", "must be a whole number"… */
export function issueText(text: AdminText, issue: IssueLike): string {
  const { t } = text;
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? t('issueRequired') : t('issueMinLength', { n: Number(issue.minimum) });
      if (issue.origin === 'array' || issue.origin === 'set') return t('issueMinItems', { n: Number(issue.minimum) });
      return t('issueMin', { n: text.count(Number(issue.minimum)) });
    case 'too_big':
      if (issue.origin === 'string') return t('issueMaxLength', { n: Number(issue.maximum) });
      if (issue.origin === 'array' || issue.origin === 'set') return t('issueMaxItems', { n: Number(issue.maximum) });
      return t('issueMax', { n: text.count(Number(issue.maximum)) });
    case 'invalid_type':
      if (issue.expected === 'int' || issue.expected === 'number') return t('issueNumber');
      return t('issueRequired');
    case 'invalid_format':
      if (issue.format === 'email') return t('issueEmail');
      if (issue.format === 'regex' || issue.format === undefined) return t('issueFormat');
      return t('issueFormatNamed', { format: issue.format });
    case 'invalid_value':
      return t('issueOneOf', { values: (issue.values ?? []).map(String).join(', ') });
    case 'not_multiple_of':
      return t('issueNumber');
    default:
      return issue.message;
  }
}

/** The zod issues of a failed safeParse as field problems keyed by the first path segment. */
export function problemsOf(text: AdminText, issues: readonly IssueLike[]): FieldProblem[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    // The contract checks an e-mail with a pattern: say what an e-mail looks like, not "a pattern".
    const email = issue.code === 'invalid_format' && /(^|\.)email$/.test(path);
    return { path, message: email ? text.t('issueEmail') : issueText(text, issue) };
  });
}

/** The field problems a server's 422 carried (`details` as an array, or `details.issues`). */
export function serverProblems(text: AdminText, err: ApiError): FieldProblem[] {
  const raw = Array.isArray(err.details) ? err.details : (err.details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item): FieldProblem[] => {
    if (typeof item !== 'object' || item === null) return [];
    const issue = item as Partial<IssueLike> & { path?: unknown; field?: unknown };
    const path = Array.isArray(issue.path) ? issue.path.map(String).join('.') : typeof issue.path === 'string' ? issue.path : typeof issue.field === 'string' ? issue.field : '';
    const message = typeof issue.code === 'string' && Array.isArray(issue.path) ? issueText(text, issue as IssueLike) : String(issue.message ?? '');
    return [{ path, message }];
  });
}

/** What went wrong, in one or two sentences of the reader's language. */
export function errorText(text: AdminText, err: unknown): string {
  const { t } = text;
  if (!(err instanceof ApiError)) return t('errorUnexpected');
  if (err.status === 0) return t('errorNetwork');
  const key = `error_${err.code}`;
  if (isAdminKey(key)) return t(key);
  if (err.status === 401) return t('error_unauthenticated');
  if (err.status === 403) return t('error_forbidden');
  if (err.status >= 500) return t('errorServer');
  // The server's message names what was wrong and what to do (CONVENTIONS); shown as it is.
  return err.message;
}
