// The public results: what docs/PUBLIC-API.md serves, computed from the published state
// (state.ts) with analysis/ only — annual values, status against targets, Eurostat progress and
// wave change from analysis/targets.ts, annual domain values from analysis/pooling.ts (METHODOLOGY
// §5). The dashboard never recomputes any of it.
import { Z975 as Z } from '../../analysis/estimates';
import { poolDomains, type PoolingMoments } from '../../analysis/pooling';
import { annualValues, eurostatProgress, targetStatus, waveChange } from '../../analysis/targets';
import { INDICATOR_IDS, type Breakdown, type IndicatorId } from '../runs/result';
import { DomainError } from '../errors';
import type {
  BreakdownLevelT, BreakdownsBodyT, IndicatorsBodyT, LocalizedT, PeriodEntryT, PeriodsBodyT, ProgressT, RunBodyT, SeriesBodyT, TargetT, WavePointT, YearPointT,
} from './schemas';
import { type PublishedState, type PublishedWave, type TargetsDocument } from './state';

export const YEAR_PERIOD = /^(\d{4})$/;

/** The indicator's entry of the targets document (bootstrap.ts checks every indicator has one). */
function targetsOf(state: PublishedState, id: IndicatorId): TargetsDocument['indicators'][number] {
  const t = state.targets.indicators.find((i) => i.code === id);
  if (!t) throw new Error(`public results: the loaded targets have no entry for indicator "${id}"`);
  return t;
}

// The sources the targets document cites, in the three languages (targets.json labels them in
// English only). Unknown sections fall back to the English label.
function sourceText(section: string | undefined, label: string | undefined): LocalizedT {
  const direction = section ? /direction (\d+)/.exec(section) : null;
  if (section === '6') {
    return { kk: 'Тұжырымдама, 6-бөлім (нысаналы индикаторлар)', ru: 'Концепция, раздел 6 (целевые индикаторы)', en: label ?? 'Concept, section 6 (target indicators)' };
  }
  if (section?.startsWith('annex: action plan') && direction) {
    const d = direction[1]!;
    return {
      kk: `Тұжырымдамаға қоса берілген іс-қимыл жоспары, ${d}-бағыт`,
      ru: `План действий, прилагаемый к Концепции, направление ${d}`,
      en: label ?? `Action plan annexed to the Concept, direction ${d}`,
    };
  }
  const text = label ?? section ?? '';
  return { kk: text, ru: text, en: text };
}

function baselineOf(state: PublishedState, id: IndicatorId): { year: number; value: number } | null {
  const b = targetsOf(state, id).values.find((v) => v.kind === 'baseline_estimate');
  return b ? { year: b.year, value: b.value } : null;
}

function targetList(state: PublishedState, id: IndicatorId): TargetT[] {
  return targetsOf(state, id).values.filter((v) => v.kind === 'target').sort((a, b) => a.year - b.year).map((v) => {
    const t: TargetT = { year: v.year, value: v.value };
    if (v.alternatives && v.alternatives.length > 0) {
      t.alternatives = v.alternatives.map((a) => ({ value: a.value, source: sourceText(a.source.section, a.source.label) }));
    }
    return t;
  });
}

/** The indicator's published waves, oldest first, each with its change from the previous one. */
function wavePoints(state: PublishedState, id: IndicatorId): WavePointT[] {
  const out: WavePointT[] = [];
  let previous: WavePointT | undefined;
  for (const w of state.waves) {
    const r = w.result.analysis.indicators[id];
    if (!r || r.mean === null || r.se === null || r.ci95 === null) continue;
    let change: WavePointT['change'] = null;
    if (previous && (previous.se > 0 || r.se > 0)) {
      const c = waveChange({ mean: previous.value, se: previous.se }, { mean: r.mean, se: r.se });
      change = { from: previous.period, delta: c.difference, z: c.z, significant: c.significant };
    }
    const point: WavePointT = {
      period: w.period, runId: w.runId, publishedAt: w.publishedAt, n: r.nScored,
      value: r.mean, se: r.se, ci95: r.ci95, deff: r.deff, change, revised: w.revised,
    };
    out.push(point);
    previous = point;
  }
  return out;
}

function yearPoints(state: PublishedState, id: IndicatorId, waves: readonly WavePointT[], now: Date): YearPointT[] {
  const targets = new Map(targetList(state, id).map((t) => [t.year, t.value]));
  const wavesOfYear = new Map<number, number>();
  for (const w of waves) { const y = Number(w.period.slice(0, 4)); wavesOfYear.set(y, (wavesOfYear.get(y) ?? 0) + 1); }
  return annualValues(waves.map((w) => ({ year: Number(w.period.slice(0, 4)), mean: w.value, se: w.se }))).map((a) => {
    const target = targets.get(a.year) ?? null;
    const status = target === null ? null : targetStatus(a, target);
    return {
      year: a.year, waves: a.waves,
      provisional: !(a.waves === 4 && now.getUTCFullYear() > a.year),
      value: a.mean, se: a.se, ci95: [a.mean - Z * a.se, a.mean + Z * a.se],
      target, gap: status ? status.gap : null, status: status ? status.status : null,
    };
  });
}

function progressOf(state: PublishedState, id: IndicatorId, years: readonly YearPointT[]): ProgressT | null {
  const baseline = baselineOf(state, id);
  const targets = targetList(state, id);
  const latest = years[years.length - 1];
  const final = targets[targets.length - 1];
  if (!baseline || !latest || !final || latest.year <= baseline.year || latest.value <= 0) return null;
  const p = eurostatProgress({ baseline: baseline.value, baselineYear: baseline.year, value: latest.value, year: latest.year, target: final.value, targetYear: final.year });
  return { category: p.category, ratio: p.category === 'target_achieved' ? null : p.ratio, fromYear: baseline.year, toYear: latest.year };
}

function indicatorName(state: PublishedState, id: IndicatorId): LocalizedT {
  const n = targetsOf(state, id).name;
  return { kk: n.kk, ru: n.ru, en: n.en };
}

export function indicatorsBody(state: PublishedState, now: Date): IndicatorsBodyT {
  const doc = state.targets.documents[0]!;
  return {
    demo: state.demo,
    generatedAt: state.generatedAt,
    document: {
      id: doc.id,
      title: { kk: doc.title.kk, ru: doc.title.ru, en: doc.title.en },
      inForce: doc.status?.inForce ?? true,
      statusNote: doc.status ? { kk: doc.status.kk, ru: doc.status.ru, en: doc.status.en } : null,
    },
    indicators: INDICATOR_IDS.map((id) => {
      const waves = wavePoints(state, id);
      const years = yearPoints(state, id, waves, now);
      return {
        id, name: indicatorName(state, id), baseline: baselineOf(state, id), targets: targetList(state, id),
        latestWave: waves[waves.length - 1] ?? null, latestYear: years[years.length - 1] ?? null, progress: progressOf(state, id, years),
      };
    }),
  };
}

export function parseIndicator(raw: string): IndicatorId {
  if (!(INDICATOR_IDS as readonly string[]).includes(raw)) {
    throw new DomainError('not_found', 'unknown_indicator', `There is no indicator "${raw}"; the indicators are ${INDICATOR_IDS.join(', ')}.`);
  }
  return raw as IndicatorId;
}

export function seriesBody(state: PublishedState, id: IndicatorId, now: Date): SeriesBodyT {
  const waves = wavePoints(state, id);
  return { demo: state.demo, indicator: { id, name: indicatorName(state, id) }, waves, years: yearPoints(state, id, waves, now), targets: targetList(state, id) };
}

function frameOf(ws: readonly PublishedWave[]): { name: string; illustrative: boolean } {
  const names = [...new Set(ws.map((w) => w.result.frame.name))];
  return { name: names.join(', '), illustrative: ws.some((w) => w.result.frame.illustrative) };
}

export function periodsBody(state: PublishedState, now: Date): PeriodsBodyT {
  const periods: PeriodEntryT[] = [];
  const years = new Map<number, PublishedWave[]>();
  for (const w of state.waves) years.set(w.year, [...(years.get(w.year) ?? []), w]);
  for (const [year, ws] of years) {
    for (const w of ws) {
      periods.push({ period: w.period, kind: 'wave', runId: w.runId, publishedAt: w.publishedAt, n: w.result.sample.used, frame: frameOf([w]), revised: w.revised });
    }
    periods.push({
      period: String(year), kind: 'year', runId: null,
      publishedAt: ws.map((w) => w.publishedAt).sort().at(-1)!,
      n: ws.reduce((s, w) => s + w.result.sample.used, 0),
      frame: frameOf(ws), revised: ws.some((w) => w.revised),
      waves: ws.map((w) => w.period), provisional: !(ws.length === 4 && now.getUTCFullYear() > year),
    });
  }
  return { demo: state.demo, periods };
}

function levelLabel(state: PublishedState, by: Breakdown, level: string): LocalizedT {
  const l = state.labels[by]?.[level];
  if (l) return { kk: l.kk, ru: l.ru, en: l.en };
  // Age bands ('18-29', '60+') and levels the questionnaire has no choice for read the same in every language.
  const text = by === 'age' ? level.replace('-', '–') : level;
  return { kk: text, ru: text, en: text };
}

/** A published level, with suppression enforced: a level under 30 respondents carries no numbers. */
function publicLevel(state: PublishedState, by: Breakdown, level: string, e: { n: number; mean: number; se: number; suppressed: boolean; lowPrecision: boolean }): BreakdownLevelT {
  const label = levelLabel(state, by, level);
  if (e.suppressed) return { level, label, n: null, value: null, se: null, ci95: null, suppressed: true, lowPrecision: false };
  return { level, label, n: e.n, value: e.mean, se: e.se, ci95: [e.mean - Z * e.se, e.mean + Z * e.se], suppressed: false, lowPrecision: e.lowPrecision };
}

export function breakdownsBody(state: PublishedState, period: string, by: Breakdown): BreakdownsBodyT {
  const wave = state.waves.find((w) => w.period === period);
  if (wave) {
    return {
      demo: state.demo, period, by,
      indicators: INDICATOR_IDS.map((id) => ({
        id,
        levels: (wave.result.analysis.indicators[id]?.domains[by] ?? []).map((d) => publicLevel(state, by, d.level, d)),
      })),
    };
  }
  const year = YEAR_PERIOD.exec(period);
  const ws = year ? state.waves.filter((w) => w.year === Number(year[1])) : [];
  if (ws.length === 0) throw new DomainError('not_found', 'unknown_period', `Nothing is published for period ${period}.`);
  return {
    demo: state.demo, period, by,
    indicators: INDICATOR_IDS.map((id) => {
      // Levels in the order of the latest wave, then any a previous wave alone had.
      const order: string[] = [];
      const perWave: Record<string, PoolingMoments>[] = ws.map((w) => w.result.pooling[id]?.[by] ?? {});
      for (const m of [...perWave].reverse()) for (const level of Object.keys(m)) if (!order.includes(level)) order.push(level);
      return {
        id,
        levels: order.map((level) => {
          const p = poolDomains(perWave.map((m) => m[level]).filter((m): m is PoolingMoments => m !== undefined));
          return publicLevel(state, by, level, p);
        }),
      };
    }),
  };
}

export function parseRunId(raw: string): number {
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new DomainError('not_found', 'unknown_run', `There is no published run "${raw}"; run ids are positive whole numbers.`);
  return Number(raw);
}

export function runBody(state: PublishedState, runId: number): RunBodyT {
  const w = state.waves.find((x) => x.runId === runId);
  if (!w) throw new DomainError('not_found', 'unknown_run', `Run ${runId} is not published.`);
  const r = w.result;
  return {
    demo: state.demo,
    runId, period: w.period, publishedAt: w.publishedAt, revised: w.revised, computedAt: w.computedAt,
    frame: { name: r.frame.name, source: r.frame.source, referenceDate: r.frame.referenceDate, illustrative: r.frame.illustrative, contentHash: r.frame.contentHash },
    sample: { completes: r.sample.completes, used: r.sample.used, excluded: r.sample.excluded, excludedBy: { ...r.sample.excludedBy }, overruled: r.sample.overruled },
    weighting: {
      converged: r.analysis.raking.converged,
      iterations: r.analysis.raking.iterations,
      maxMarginError: r.analysis.raking.maxMarginError,
      kishEffectiveN: r.analysis.weights.kishEffectiveN,
      designEffect: r.analysis.weights.designEffect,
      weightRange: [r.analysis.weights.min, r.analysis.weights.max],
      merged: r.analysis.raking.merged.map((m) => ({ ...m })),
    },
    options: { minCellSize: r.options.minCellSize, bounds: r.options.bounds, exclude: [...r.options.exclude] },
    questionnaire: { surveyId: r.wave.surveyId, versions: [...w.surveyVersions] },
    engineVersion: r.engineVersion,
    inputHash: w.inputHash,
    scoringHash: w.scoringHash,
  };
}
