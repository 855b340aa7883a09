// What the published periods (GET /periods) say about a number: its frame and whether it was revised.
import type { PublishedPeriod } from './api';

/** The wave periods a period covers: a wave itself, or the published waves of a year. */
function coveredWaves(periods: readonly PublishedPeriod[], period: string): PublishedPeriod[] {
  if (/^\d{4}$/.test(period)) return periods.filter((p) => p.kind === 'wave' && p.period.startsWith(`${period}-`));
  return periods.filter((p) => p.kind === 'wave' && p.period === period);
}

/**
 * The names of the illustrative frames behind a period's numbers (empty when every frame is
 * official). A year counts its own entry and the waves pooled into it.
 * Example: illustrativeFrames(periods, '2026') → ['Illustrative frame 2026'].
 */
export function illustrativeFrames(periods: readonly PublishedPeriod[], period: string): string[] {
  const own = periods.filter((p) => p.period === period);
  const names = [...own, ...coveredWaves(periods, period)]
    .filter((p) => p.frame?.illustrative)
    .map((p) => p.frame?.name ?? '');
  return [...new Set(names)];
}

/** The periods a reader can pick for a breakdown, newest first (waves and years). */
export function pickablePeriods(periods: readonly PublishedPeriod[]): string[] {
  return [...new Set(periods.map((p) => p.period))].sort(comparePeriodsDesc);
}

/** Newest first; a year sorts after its own quarters ("2026-Q3", "2026-Q2", …, "2026", "2025-Q4"). */
export function comparePeriodsDesc(a: string, b: string): number {
  const key = (p: string) => {
    const m = /^(\d{4})(?:-Q([1-4]))?$/.exec(p);
    if (!m) return -1;
    return Number(m[1]) * 10 + (m[2] ? Number(m[2]) : 0);
  };
  return key(b) - key(a);
}

/** The latest published wave, else the latest period, else null. */
export function defaultPeriod(periods: readonly PublishedPeriod[]): string | null {
  const waves = periods.filter((p) => p.kind === 'wave').map((p) => p.period).sort(comparePeriodsDesc);
  return waves[0] ?? pickablePeriods(periods)[0] ?? null;
}
