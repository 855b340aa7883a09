import { describe, expect, test } from 'vitest';
import {
  formatCi,
  formatCount,
  formatDate,
  formatDelta,
  formatPeriod,
  formatShare,
  formatSmall,
  formatValue,
  integerTicks,
  periodMidpoint,
  publicText,
} from '../../../client/public/format';
import { publicEn } from '../../../client/public/messages-en';
import { publicKk } from '../../../client/public/messages-kk';
import { publicRu } from '../../../client/public/messages-ru';

const NBSP = '\u00a0';

describe('numbers per language', () => {
  test('one decimal for values: a comma in kk and ru, a point in en', () => {
    expect(formatValue('kk', 80.614)).toBe('80,6');
    expect(formatValue('ru', 80.614)).toBe('80,6');
    expect(formatValue('en', 80.614)).toBe('80.6');
    expect(formatValue('en', 80)).toBe('80.0');
    // Half away from zero on the decimal value, as people round: 80.55 → 80.6.
    expect(formatValue('en', 80.55)).toBe('80.6');
  });

  test('confidence limits with two decimals and an en dash', () => {
    expect(formatCi('en', [79.591, 81.634])).toBe('79.59–81.63');
    expect(formatCi('kk', [79.591, 81.634])).toBe('79,59–81,63');
  });

  test('differences carry their sign, with a true minus; zero has none', () => {
    expect(formatDelta('ru', -0.45)).toBe('\u22120,5');
    expect(formatDelta('en', 1.49)).toBe('+1.5');
    expect(formatDelta('kk', 0.02)).toBe('0,0');
    expect(formatDelta('en', -0.02)).toBe('0.0');
  });

  test('counts are grouped the way each language groups them', () => {
    expect(formatCount('en', 1503)).toBe('1,503');
    expect(formatCount('ru', 1503).replace(/\s/g, ' ')).toBe('1 503');
    expect(formatCount('kk', 1503).replace(/\s/g, ' ')).toBe('1 503');
  });

  test('shares and tiny diagnostics', () => {
    expect(formatShare('en', 0.72)).toBe('72%');
    expect(formatShare('kk', 0.62)).toBe('62%');
    expect(formatShare('ru', 0.62).replace(NBSP, ' ')).toBe('62 %');
    expect(formatShare('en', -0.04)).toBe('\u22124%');
    expect(formatSmall('en', 0.0000021)).toBe('2.1E-6');
  });
});

describe('periods and dates', () => {
  test('a quarter and a year in each language', () => {
    expect(formatPeriod('en', '2026-Q3')).toBe('Q3 2026');
    expect(formatPeriod('ru', '2026-Q3')).toBe('3 кв. 2026');
    expect(formatPeriod('kk', '2026-Q3')).toBe('2026 ж. 3-тоқсан');
    expect(formatPeriod('en', '2026')).toBe('Year 2026');
    expect(formatPeriod('ru', '2026')).toBe('2026 год');
    expect(formatPeriod('en', 'spring')).toBe('spring');
  });

  test('a publication date, the same day for every reader (UTC)', () => {
    expect(formatDate('en', '2026-11-29T23:30:00Z')).toBe('29 November 2026');
    expect(formatDate('ru', '2026-11-29T10:00:00Z')).toBe('29 ноября 2026 г.');
    expect(formatDate('kk', '2026-11-29T10:00:00Z')).toBe('2026 ж. 29 қараша');
    expect(formatDate('kk', '2026-01-01')).toBe('2026 ж. 1 қаңтар');
    expect(formatDate('en', 'not a date')).toBe('not a date');
  });

  test('time positions: mid-quarter for a wave, mid-year for a year', () => {
    expect(periodMidpoint('2026-Q1').toISOString()).toBe('2026-02-15T00:00:00.000Z');
    expect(periodMidpoint('2026-Q4').toISOString()).toBe('2026-11-15T00:00:00.000Z');
    expect(periodMidpoint('2026').toISOString()).toBe('2026-07-01T00:00:00.000Z');
  });

  test('axis ticks are whole numbers, never repeated when shown without decimals', () => {
    expect(integerTicks(78.2, 83.9)).toEqual([79, 80, 81, 82, 83]);
    expect(integerTicks(60, 90, 8)).toEqual([60, 65, 70, 75, 80, 85, 90]);
    const ticks = integerTicks(77.3, 77.9);
    expect(new Set(ticks).size).toBe(ticks.length);
  });
});

describe('the dashboard catalogues', () => {
  const catalogues = { kk: publicKk, ru: publicRu, en: publicEn };
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  test('every message exists in kk, ru and en, none empty, with the same placeholders', () => {
    for (const key of Object.keys(publicEn) as (keyof typeof publicEn)[]) {
      for (const [lang, catalogue] of Object.entries(catalogues)) {
        expect(catalogue[key].trim(), `${lang}.${key}`).not.toBe('');
        expect(placeholders(catalogue[key]), `${lang}.${key}`).toEqual(placeholders(publicEn[key]));
      }
    }
  });

  test('placeholders are filled, unknown ones kept visible', () => {
    expect(publicText('en', 'targetLine', { year: 2026, value: '81.0' })).toBe('Target for 2026: 81.0');
    expect(publicText('en', 'targetLine', { year: 2026 })).toBe('Target for 2026: {value}');
  });
});
