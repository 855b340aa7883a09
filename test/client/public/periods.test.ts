import { describe, expect, test } from 'vitest';
import type { PublishedPeriod } from '../../../client/public/api';
import { comparePeriodsDesc, defaultPeriod, illustrativeFrames, pickablePeriods } from '../../../client/public/periods';

const census = { name: 'Census 2021', illustrative: false };
const demo = { name: 'Illustrative 2026', illustrative: true };
const PERIODS: PublishedPeriod[] = [
  { period: '2025-Q4', kind: 'wave', runId: 7, n: 1500, frame: census, revised: false },
  { period: '2025', kind: 'year', runId: null, n: 1500, frame: census, revised: false },
  { period: '2026-Q1', kind: 'wave', runId: 9, n: 1500, frame: demo, revised: false },
  { period: '2026-Q2', kind: 'wave', runId: 13, n: 1500, frame: census, revised: true },
  { period: '2026', kind: 'year', runId: null, n: 3000, frame: census, revised: true },
];

describe('published periods', () => {
  test('newest first, a year listed after its own quarters', () => {
    expect(pickablePeriods(PERIODS)).toEqual(['2026-Q2', '2026-Q1', '2026', '2025-Q4', '2025']);
    expect(['2025-Q4', '2026', '2026-Q1'].sort(comparePeriodsDesc)).toEqual(['2026-Q1', '2026', '2025-Q4']);
  });

  test('the default breakdown period is the latest wave; none when nothing is published', () => {
    expect(defaultPeriod(PERIODS)).toBe('2026-Q2');
    expect(defaultPeriod([])).toBeNull();
    expect(defaultPeriod([{ period: '2025', kind: 'year' }])).toBe('2025');
  });

  test('an illustrative frame is found for its wave and for the year that pools it', () => {
    expect(illustrativeFrames(PERIODS, '2026-Q1')).toEqual(['Illustrative 2026']);
    expect(illustrativeFrames(PERIODS, '2026')).toEqual(['Illustrative 2026']);
    expect(illustrativeFrames(PERIODS, '2026-Q2')).toEqual([]);
    expect(illustrativeFrames(PERIODS, '2025')).toEqual([]);
  });
});
