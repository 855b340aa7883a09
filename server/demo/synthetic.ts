// Synthetic respondents for `npm run demo`: answer sets exactly as the official questionnaire
// (surveys/official/survey.json) would record them, so they pass the completion validator and are
// scored by the real scoring. Nothing here is data about Kazakhstan: the levels, trends and group
// differences are invented to look plausible next to the Concept's targets (some met, some not),
// and every screen and API answer of the demo says "demo".
//
// The model: each respondent has a latent attitude per indicator, θ = centre(indicator, quarter)
// + region, settlement, age and ethnicity effects + N(0, 1); each item's answer is drawn from
// sigmoid(θ + N(0, 0.6)) on the item's scale (reverse-keyed items mirrored), with 3% "don't know".
// The centre is solved so that the population mean score hits the wanted level of the quarter.

import { rng } from '../../analysis/random';

function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function weighted<T extends string>(random: () => number, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [v, w] of entries) {
    r -= w;
    if (r < 0) return v;
  }
  return entries[entries.length - 1]![0];
}

export type DemoIndicator = 'consensus' | 'tolerance' | 'mood';

/**
 * The wanted population mean score of each indicator at quarter index t (0 = 2022-Q1): consensus
 * rises past its targets, tolerance grows too slowly to reach them, mood ends close to its 2026
 * target. A small seasonal swing keeps wave-to-wave changes from looking drawn with a ruler.
 */
export function wantedLevel(ind: DemoIndicator, t: number): number {
  const years = t / 4;
  const season = Math.sin((t * Math.PI) / 2) * 0.25;
  // The last term offsets what the group effects and the weighting add to the latent centre's own
  // mean score (measured on a built demo: +0.9 consensus, −2.7 tolerance, ±0 mood), so the
  // published annual values land near the first two terms.
  if (ind === 'consensus') return 80.3 + 0.32 * years + season - 0.9;
  if (ind === 'tolerance') return 67.2 + 0.16 * years - season + 2.7;
  return 75.3 + 0.44 * years + season;
}

/** Regions of the questionnaire with an illustrative sampling share and urban share. */
const REGIONS: readonly (readonly [code: string, share: number, urban: number])[] = [
  ['KZ-10', 430, 0.55], ['KZ-11', 560, 0.5], ['KZ-15', 640, 0.75], ['KZ-19', 1000, 0.16], ['KZ-23', 480, 0.55],
  ['KZ-27', 480, 0.57], ['KZ-31', 800, 0.43], ['KZ-33', 490, 0.4], ['KZ-35', 840, 0.82], ['KZ-39', 630, 0.55],
  ['KZ-43', 570, 0.45], ['KZ-47', 520, 0.47], ['KZ-55', 560, 0.72], ['KZ-59', 420, 0.49], ['KZ-61', 1500, 0.25],
  ['KZ-62', 160, 0.79], ['KZ-63', 540, 0.67], ['KZ-71', 1000, 1], ['KZ-75', 1600, 1], ['KZ-79', 850, 1],
];

const ETHNICITY: readonly (readonly [string, number])[] = [
  ['kazakh', 68], ['russian', 17], ['uzbek', 3.4], ['ukrainian', 1.8], ['uyghur', 1.5], ['german', 1.1], ['tatar', 1],
  ['azerbaijani', 0.7], ['korean', 0.6], ['turkish', 0.5], ['dungan', 0.4], ['belarusian', 0.4], ['tajik', 0.3],
  ['kurdish', 0.3], ['chechen', 0.2], ['polish', 0.2], ['kyrgyz', 0.2], ['other', 1.4], ['refused', 1],
];

const ITEMS: Record<DemoIndicator, readonly { name: string; kind: 'likert' | 'binary' | 'scale10'; reverse?: boolean }[]> = {
  consensus: [{ name: 'a1', kind: 'likert' }, { name: 'a2', kind: 'likert' }, { name: 'a3', kind: 'likert', reverse: true }, { name: 'a4', kind: 'likert' }, { name: 'a5', kind: 'likert' }],
  tolerance: ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((name) => ({ name, kind: 'binary' as const })),
  mood: [{ name: 'c1', kind: 'likert' }, { name: 'c2', kind: 'likert' }, { name: 'c3', kind: 'likert' }, { name: 'c4', kind: 'likert', reverse: true }, { name: 'c5', kind: 'scale10' }],
};
const INDICATORS: readonly DemoIndicator[] = ['consensus', 'tolerance', 'mood'];
const DK = 0.03;

/** Fixed group effects on the latent scale (0.1 ≈ 1.5 points near the levels above). */
function regionEffects(): Map<string, Record<DemoIndicator, number>> {
  const random = rng(2022);
  return new Map(REGIONS.map(([code]) => [code, {
    consensus: (random() - 0.5) * 0.5, tolerance: (random() - 0.5) * 0.6, mood: (random() - 0.5) * 0.5,
  }]));
}
const REGION_EFFECTS = regionEffects();

interface Person { region: string; settlement: 'urban' | 'rural'; sex: 'm' | 'f'; age: number; ethnicity: string }

function effect(ind: DemoIndicator, p: Person): number {
  let e = REGION_EFFECTS.get(p.region)![ind];
  if (ind === 'tolerance') e += (p.settlement === 'rural' ? -0.12 : 0.05) + (p.age < 30 ? 0.12 : p.age >= 60 ? -0.12 : 0);
  if (ind === 'mood') e += (p.age >= 60 ? -0.15 : p.age < 30 ? 0.1 : 0) + (p.settlement === 'rural' ? -0.05 : 0);
  if (ind === 'consensus') e += p.ethnicity === 'kazakh' ? 0.04 : -0.08;
  return e;
}

function drawPerson(random: () => number): Person {
  const code = weighted(random, REGIONS.map(([c, s]) => [c, s] as const));
  const [region, , urban] = REGIONS.find((r) => r[0] === code)!;
  // Adults' ages: roughly the bands' population shares, uniform within a band.
  const band = weighted(random, [['18-29', 25], ['30-44', 32], ['45-59', 24], ['60+', 19]] as const);
  const [lo, hi] = band === '18-29' ? [18, 29] : band === '30-44' ? [30, 44] : band === '45-59' ? [45, 59] : [60, 85];
  return {
    region,
    settlement: random() < urban ? 'urban' : 'rural',
    sex: random() < 0.48 ? 'm' : 'f',
    age: lo + Math.floor(random() * (hi - lo + 1)),
    ethnicity: weighted(random, ETHNICITY),
  };
}

function answerItem(random: () => number, kind: 'likert' | 'binary' | 'scale10', reverse: boolean, theta: number): number | 'dk' {
  if (random() < DK) return 'dk';
  const u = sigmoid(theta + 0.6 * normal(random));
  if (kind === 'binary') return random() < u ? 1 : 0;
  if (kind === 'scale10') return Math.min(10, Math.max(0, Math.round(u * 10)));
  const v = Math.min(5, Math.max(1, 1 + Math.round(u * 4)));
  return reverse ? 6 - v : v;
}

/** Expected score (0–100) of an indicator's items for a latent θ, by simulation with common random numbers. */
function meanScoreAt(ind: DemoIndicator, centre: number, draws: number): number {
  const random = rng(77);
  let total = 0;
  let count = 0;
  for (let k = 0; k < draws; k++) {
    const theta = centre + normal(random) + (random() - 0.5) * 0.3;
    for (const it of ITEMS[ind]) {
      const a = answerItem(random, it.kind, false, theta);
      if (a === 'dk') continue;
      total += it.kind === 'binary' ? a * 100 : it.kind === 'scale10' ? a * 10 : ((a - 1) / 4) * 100;
      count++;
    }
  }
  return total / count;
}

const centreCache = new Map<string, number>();

/** The latent centre whose mean score is `level` (bisection; the mean score rises with θ). */
export function centreFor(ind: DemoIndicator, level: number): number {
  const key = `${ind}|${level.toFixed(3)}`;
  const hit = centreCache.get(key);
  if (hit !== undefined) return hit;
  let lo = -3;
  let hi = 5;
  for (let i = 0; i < 22; i++) {
    const mid = (lo + hi) / 2;
    if (meanScoreAt(ind, mid, 1500) < level) lo = mid;
    else hi = mid;
  }
  const c = (lo + hi) / 2;
  centreCache.set(key, c);
  return c;
}

export interface SyntheticRespondent {
  id: string;
  locale: 'kk' | 'ru' | 'en';
  data: Record<string, unknown>;
  durationMs: number;
  /** Offset of the completion within the quarter, in [0, 1). */
  at: number;
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) + 8)).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * `n` respondents of quarter index t (0 = 2022-Q1), seeded by t: answers of every question the
 * questionnaire shows an adult resident who consents (the screener answered yes), optional
 * background questions mostly answered, about 2% speeders.
 */
export function generateQuarter(t: number, n: number): SyntheticRespondent[] {
  const random = rng(1000 + t);
  const centres = Object.fromEntries(INDICATORS.map((ind) => [ind, centreFor(ind, wantedLevel(ind, t))])) as Record<DemoIndicator, number>;
  const out: SyntheticRespondent[] = [];
  for (let k = 0; k < n; k++) {
    const p = drawPerson(random);
    const data: Record<string, unknown> = {
      adult: true, resident: true, consent: true,
      region: p.region, settlement: p.settlement, sex: p.sex, age: p.age, ethnicity: p.ethnicity,
    };
    if (random() < 0.9) {
      data.native_language = p.ethnicity === 'kazakh' ? weighted(random, [['kazakh', 85], ['russian', 15]] as const)
        : p.ethnicity === 'russian' ? 'russian' : p.ethnicity === 'uzbek' ? 'uzbek' : p.ethnicity === 'uyghur' ? 'uyghur' : weighted(random, [['russian', 70], ['other', 30]] as const);
    }
    if (random() < 0.9) data.home_language = weighted(random, [['kazakh', 40], ['russian', 30], ['kazakh_russian', 27], ['other', 3]] as const);
    if (random() < 0.85) data.education = weighted(random, [['secondary_or_less', 25], ['vocational', 33], ['incomplete_higher', 7], ['higher', 33], ['postgraduate', 2]] as const);
    if (random() < 0.85) {
      data.occupation = p.age >= 63 ? 'retired' : p.age < 23 && random() < 0.5 ? 'student'
        : weighted(random, [['employee', 60], ['entrepreneur', 14], ['homemaker', 9], ['unemployed', 5], ['other', 4]] as const);
    }
    for (const ind of INDICATORS) {
      const theta = centres[ind] + effect(ind, p) + normal(random);
      for (const it of ITEMS[ind]) {
        const a = answerItem(random, it.kind, it.reverse === true, theta);
        // The 0–10 rating has no "don't know" choice: a respondent who has no answer skips it.
        if (a !== 'dk' || it.kind !== 'scale10') data[it.name] = a;
      }
    }
    const speeder = random() < 0.02;
    const minutes = speeder ? 1 + random() : Math.exp(Math.log(9) + 0.35 * normal(random));
    out.push({
      id: uuid(random),
      locale: weighted(random, [['kk', 55], ['ru', 43], ['en', 2]] as const),
      data,
      durationMs: Math.round(minutes * 60_000),
      at: random(),
    });
  }
  return out;
}
