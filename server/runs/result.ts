// The document an estimate run stores in `estimate_runs.result` (server/db/schema.ts): what the
// run computed, written once and never changed. The estimate-runs feature (server/runs/) writes it;
// the public results API (server/results/) and the console read it. It is the seam between them,
// so a field may be added, never renamed or removed without a migration of stored runs.
import type { AnalysisResult } from '../../analysis/analyze';
import type { MarginCellShare } from '../../analysis/diagnostics';
import type { PoolingMoments } from '../../analysis/pooling';
import { QUALITY_FLAGS, type QualityFlagName } from '../../contract/quality-flags';

/** The indicators, in their fixed order (METHODOLOGY §1). */
export const INDICATOR_IDS = ['consensus', 'tolerance', 'mood'] as const;
export type IndicatorId = (typeof INDICATOR_IDS)[number];

/** The domain variables every run computes (docs/PUBLIC-API.md `by`); `age` is the age band. */
export const BREAKDOWNS = ['region', 'sex', 'age', 'settlement', 'ethnicity'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/**
 * Quality flags of METHODOLOGY §6 that a run computes (excluded by default). The last three guard
 * the open link against ballot stuffing (analysis/quality.ts, docs/decisions/021); a run stored
 * before they existed has no count for them in `excludedBy`.
 */
export { QUALITY_FLAGS };
export type QualityFlag = QualityFlagName;

/**
 * Sufficient statistics of one domain of one wave for pooling waves into an annual domain value
 * (METHODOLOGY §5), defined and documented in analysis/pooling.ts, which computes and pools them.
 */
export type { PoolingMoments };

export interface StoredRunResult {
  /** Version of the estimation code (package.json version + analysis engine revision). */
  engineVersion: string;
  wave: { id: number; surveyId: string; period: string | null };
  frame: { id: number; name: string; source: string; referenceDate: string; illustrative: boolean; contentHash: string };
  /** Options the run was computed with, as given on the command line or in the console. */
  options: { minCellSize: number; bounds: [number, number] | null; exclude: QualityFlag[] };
  sample: {
    /** Complete responses of the wave read as input. */
    completes: number;
    /** Respondents the estimate used (completes minus exclusions). */
    used: number;
    /** Respondents excluded, per flag (a respondent with two flags counts under each). */
    excludedBy: Record<QualityFlag, number>;
    /** Respondents excluded in total. */
    excluded: number;
    /** Flagged respondents kept because a researcher overruled the flag. */
    overruled: number;
  };
  /**
   * The analysis as `kelisim analyze` prints it (analysis/analyze.ts), with domains for every
   * variable of {@link BREAKDOWNS}.
   */
  analysis: AnalysisResult;
  /** Weighted vs population share of every margin cell (METHODOLOGY §3.6). */
  marginCells: MarginCellShare[];
  /** For annual pooling: indicator → breakdown → level → moments. */
  pooling: Record<IndicatorId, Record<Breakdown, Record<string, PoolingMoments>>>;
}
