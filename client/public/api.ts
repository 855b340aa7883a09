// The public API v1 as the dashboard reads it (docs/PUBLIC-API.md is the contract; these types
// follow it field for field). The dashboard reads nothing else: no respondent or console endpoint.

export type IndicatorId = 'consensus' | 'tolerance' | 'mood';
export const INDICATOR_IDS: readonly IndicatorId[] = ['consensus', 'tolerance', 'mood'];
export type BreakdownBy = 'region' | 'sex' | 'age' | 'settlement' | 'ethnicity';
export const BREAKDOWNS: readonly BreakdownBy[] = ['region', 'sex', 'age', 'settlement', 'ethnicity'];

/** A text meant for people, in every language. */
export interface Text { kk: string; ru: string; en: string }

export interface WavePoint {
  period: string;
  runId: number;
  publishedAt: string;
  n: number;
  value: number;
  se: number;
  ci95: [number, number];
  deff: number | null;
  change: { from: string; delta: number; z: number; significant: boolean } | null;
  revised: boolean;
}

export type TargetStatus = 'achieved' | 'achieved_not_significant' | 'below_target_not_significant' | 'below_target';

export interface YearPoint {
  year: number;
  waves: number;
  provisional: boolean;
  value: number;
  se: number;
  ci95: [number, number];
  target: number | null;
  gap: number | null;
  status: TargetStatus | null;
}

export type ProgressCategory = 'target_achieved' | 'on_track' | 'moderate_progress' | 'insufficient_progress' | 'moving_away';

/** `fromYear`: the baseline year; `toYear`: the year of the value it is measured at (decision 012). */
export interface Progress { category: ProgressCategory; ratio: number | null; fromYear: number; toYear: number }

export interface Target { year: number; value: number; alternatives?: { value: number; source: Text }[] }

export interface IndicatorHeadline {
  id: IndicatorId;
  name: Text;
  /** Null when the target document gives no baseline. */
  baseline: { year: number; value: number } | null;
  targets: Target[];
  latestWave: WavePoint | null;
  latestYear: YearPoint | null;
  progress: Progress | null;
}

export interface IndicatorsResponse {
  demo?: boolean;
  generatedAt: string;
  document: { id: string; title: Text; inForce: boolean; statusNote: Text | null };
  indicators: IndicatorHeadline[];
}

export interface SeriesResponse {
  demo?: boolean;
  indicator: { id: IndicatorId; name: Text };
  waves: WavePoint[];
  years: YearPoint[];
  targets: Target[];
}

export interface PublishedPeriod {
  period: string;
  kind: 'wave' | 'year';
  /** The run behind a wave; a year pools several runs, so it may have none (null or absent). */
  runId?: number | null;
  publishedAt?: string;
  n?: number;
  frame?: { name: string; illustrative: boolean };
  revised?: boolean;
  /** For a year: its published waves, and whether it is still provisional (decision 012). */
  waves?: string[];
  provisional?: boolean;
}

export interface PeriodsResponse { demo?: boolean; periods: PublishedPeriod[] }

export interface BreakdownLevel {
  level: string;
  label: Text;
  n: number | null;
  value: number | null;
  se: number | null;
  ci95: [number, number] | null;
  suppressed: boolean;
  lowPrecision: boolean;
}

export interface BreakdownsResponse {
  demo?: boolean;
  period: string;
  by: BreakdownBy;
  indicators: { id: IndicatorId; levels: BreakdownLevel[] }[];
}

/** The run document's shape is open in the contract (a list of what it holds, not field names):
 *  the provenance view shows what is there, naming the fields it knows. */
export type RunResponse = { demo?: boolean } & Record<string, unknown>;

export const API_BASE = '/api/public/v1';

/** A failed request: the network, a non-2xx status, or a body that is not JSON. */
export class PublicApiError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'PublicApiError';
  }
}

export async function getJson<T>(pathAndQuery: string, signal?: AbortSignal): Promise<T> {
  const url = API_BASE + pathAndQuery;
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new PublicApiError(url, null, `network error on ${url}`);
  }
  if (!res.ok) throw new PublicApiError(url, res.status, `${url} answered ${res.status}`);
  try {
    return (await res.json()) as T;
  } catch {
    throw new PublicApiError(url, res.status, `${url} did not return JSON`);
  }
}

export const seriesPath = (id: IndicatorId) => `/indicators/${encodeURIComponent(id)}/series`;
export const breakdownsPath = (period: string, by: BreakdownBy) =>
  `/breakdowns?period=${encodeURIComponent(period)}&by=${encodeURIComponent(by)}`;
export const runPath = (runId: number) => `/runs/${encodeURIComponent(String(runId))}`;

/** The API's CSV form of a JSON path, with the label language (docs/PUBLIC-API.md, `?format=csv`). */
export function csvUrl(pathAndQuery: string, lang: keyof Text): string {
  const sep = pathAndQuery.includes('?') ? '&' : '?';
  return `${API_BASE}${pathAndQuery}${sep}format=csv&lang=${lang}`;
}
