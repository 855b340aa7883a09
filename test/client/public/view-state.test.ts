import { describe, expect, test } from 'vitest';
import { DEFAULT_VIEW, parseView, viewHref, viewParams } from '../../../client/public/view-state';

describe('the dashboard view in the URL (permalinks)', () => {
  test('a full link is read back', () => {
    expect(parseView('?indicator=tolerance&period=2026-Q3&by=ethnicity&lang=ru')).toEqual({
      page: 'dashboard',
      indicator: 'tolerance',
      period: '2026-Q3',
      by: 'ethnicity',
      lang: 'ru',
    });
    expect(parseView('?page=method&lang=en')).toEqual({ ...DEFAULT_VIEW, page: 'method', lang: 'en' });
  });

  test('unknown or malformed values fall back to the defaults', () => {
    expect(parseView('?indicator=happiness&period=2026-Q5&by=income&lang=de&page=admin')).toEqual(DEFAULT_VIEW);
    expect(parseView('?period=26')).toEqual(DEFAULT_VIEW);
    expect(parseView('')).toEqual(DEFAULT_VIEW);
  });

  test('writing leaves out defaults, keeps other parameters, and round-trips', () => {
    const view = { page: 'dashboard' as const, indicator: 'mood' as const, period: '2026', by: 'sex' as const, lang: 'kk' as const };
    const q = viewParams(view, new URLSearchParams('utm_source=x&by=region'));
    expect(q.get('utm_source')).toBe('x');
    expect(parseView(`?${q.toString()}`)).toEqual(view);
    expect(viewHref(DEFAULT_VIEW)).toBe('/');
    expect(viewHref({ ...DEFAULT_VIEW, page: 'method', lang: 'en' })).toBe('/?page=method&lang=en');
  });
});
