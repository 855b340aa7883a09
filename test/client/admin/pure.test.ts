// The console's pure modules: its paths, the list state in the URL, the catalogues, and how a
// problem is put into words from the contract's own zod schemas.
import { describe, expect, test } from 'vitest';
import { adminText, type AdminText } from '../../../client/admin/admin-text';
import { navOf, parseAdminPath } from '../../../client/admin/admin-routes';
import { ApiError } from '../../../client/admin/api';
import { errorText, problemsOf, serverProblems, type IssueLike } from '../../../client/admin/errors';
import { validate } from '../../../client/admin/forms';
import { apiQuery, listParams, parseListQuery, withFilter } from '../../../client/admin/list-query';
import { adminEn } from '../../../client/admin/messages-en';
import { adminKk } from '../../../client/admin/messages-kk';
import { adminRu } from '../../../client/admin/messages-ru';
import { ADMIN_ERROR_CODES, changePasswordBody, createInvitationsBody, createWaveBody, loginBody, overruleBody } from '../../../contract/admin-api';
import type { Locale } from '../../../contract/locales';

const textOf = (locale: Locale): AdminText => ({
  locale,
  t: (key, vars) => adminText(locale, key, vars),
  count: (n) => String(n),
  num: (n) => String(n),
  percent: (s) => `${s * 100}%`,
  pick: (x) => x?.[locale] ?? '',
});

describe('paths under /admin', () => {
  test('each page and its navigation entry', () => {
    expect(parseAdminPath('')).toEqual({ page: 'waves' });
    expect(parseAdminPath('runs')).toEqual({ page: 'runs' });
    expect(parseAdminPath('runs/12')).toEqual({ page: 'run', id: '12' });
    expect(parseAdminPath('responses/0f8f%2Dad')).toEqual({ page: 'response', id: '0f8f-ad' });
    expect(parseAdminPath('waves/3')).toEqual({ page: 'wave', id: '3' });
    expect(parseAdminPath('runs/1/2')).toEqual({ page: 'notFound' });
    expect(parseAdminPath('nope')).toEqual({ page: 'notFound' });
    expect(parseAdminPath('audit/%E0%A4%A')).toEqual({ page: 'notFound' });
    expect(navOf(parseAdminPath('runs/12'))).toBe('runs');
    expect(navOf(parseAdminPath('nope'))).toBe(null);
  });
});

describe('a list in the URL', () => {
  const keys = ['wave', 'status'] as const;
  test('filters and the cursor are read, other parameters kept, a changed filter starts over', () => {
    const q = parseListQuery('?status=complete&cursor=abc&lang=ru&wave=', keys);
    expect(q).toEqual({ filters: { status: 'complete' }, cursor: 'abc' });
    expect(listParams(q, keys, new URLSearchParams('lang=ru&status=partial')).toString()).toBe('lang=ru&status=complete&cursor=abc');
    const changed = withFilter(q, 'wave', '3');
    expect(changed).toEqual({ filters: { status: 'complete', wave: '3' }, cursor: null });
    expect(withFilter(changed, 'status', '')).toEqual({ filters: { wave: '3' }, cursor: null });
    expect(apiQuery(q, 50)).toBe('?status=complete&cursor=abc&limit=50');
  });
});

describe('catalogues', () => {
  test('kk and ru say every message with the same placeholders as en, and none is left in English', () => {
    for (const [name, cat] of [['kk', adminKk], ['ru', adminRu]] as const) {
      for (const key of Object.keys(adminEn) as (keyof typeof adminEn)[]) {
        const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(vars(cat[key]), `${name}.${key}`).toEqual(vars(adminEn[key]));
        expect(cat[key].trim(), `${name}.${key}`).not.toBe('');
      }
      const same = (Object.keys(adminEn) as (keyof typeof adminEn)[]).filter((k) => cat[k] === adminEn[k] && /[a-z]{4}/i.test(adminEn[k]) && !/^\{/.test(adminEn[k]));
      expect(same, `${name}: untranslated`).toEqual([]);
    }
  });

  test('every error code of the console API has words in each language', () => {
    for (const code of ADMIN_ERROR_CODES) {
      expect(Object.prototype.hasOwnProperty.call(adminEn, `error_${code}`), code).toBe(true);
    }
  });
});

describe('problems in words, from the contract schemas', () => {
  test('a login form: an e-mail without @ and an empty password, in Kazakh', () => {
    const checked = validate(textOf('kk'), loginBody, { email: 'aigerim', password: '' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems).toEqual([
      { path: 'email', message: adminKk.issueEmail },
      { path: 'password', message: adminKk.issueRequired },
    ]);
  });

  test('a short new password, a missing or zero count, a bad period, a short reason (ru)', () => {
    const ru = textOf('ru');
    const msg = (schema: unknown, value: unknown) => {
      const r = validate(ru, schema, value);
      return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(msg(changePasswordBody, { currentPassword: 'x', newPassword: 'short' })).toEqual([`newPassword: ${adminRu.issueMinLength.replace('{n}', '12')}`]);
    expect(msg(createInvitationsBody, { count: 0 })).toEqual([`count: ${adminRu.issueMin.replace('{n}', '1')}`]);
    expect(msg(createInvitationsBody, { count: 2.5 })).toEqual([`count: ${adminRu.issueNumber}`]);
    expect(msg(createInvitationsBody, {})).toEqual([`count: ${adminRu.issueNumber}`]);
    expect(msg(createWaveBody, { period: '2026-3' })).toEqual([`period: ${adminRu.issueFormat}`]);
    expect(msg(overruleBody, { reason: '  ok  ' })).toEqual([`reason: ${adminRu.issueMinLength.replace('{n}', '5')}`]);
    expect(msg(overruleBody, { reason: 'the interviewer timed it wrongly' })).toEqual([]);
  });

  test('a server refusal: its code in the reader language, else its own message; 422 details per field', () => {
    const en = textOf('en');
    expect(errorText(en, new ApiError(401, 'invalid_credentials', 'Wrong.'))).toBe(adminEn.error_invalid_credentials);
    expect(errorText(textOf('kk'), new ApiError(403, 'csrf_failed', 'x'))).toBe(adminKk.error_csrf_failed);
    expect(errorText(en, new ApiError(409, 'period_taken', 'A wave for 2026-Q3 exists: import into it.'))).toBe('A wave for 2026-Q3 exists: import into it.');
    expect(errorText(en, new ApiError(500, 'internal_error', 'x'))).toBe(adminEn.errorServer);
    expect(errorText(en, new ApiError(0, 'network', 'x'))).toBe(adminEn.errorNetwork);
    expect(errorText(en, new Error('boom'))).toBe(adminEn.errorUnexpected);
    const issues: IssueLike[] = [{ code: 'too_small', path: ['reason'], message: 'The reason: at least 5 characters', minimum: 5, origin: 'string' }];
    expect(serverProblems(en, new ApiError(422, 'invalid_request', 'x', { issues }))).toEqual([{ path: 'reason', message: adminEn.issueMinLength.replace('{n}', '5') }]);
    expect(serverProblems(en, new ApiError(422, 'invalid_request', 'x', [{ path: 'count', message: 'too many' }]))).toEqual([{ path: 'count', message: 'too many' }]);
    expect(problemsOf(en, [])).toEqual([]);
  });
});
