// The one generator of a big synthetic wave for the benchmarks that need stored responses
// (bench/results.ts, bench/export.ts): complete web responses of the official questionnaire
// written by direct SQL inserts (answers drawn with the tests' seeded generator, scored with
// analysis/ exactly as a completion is), and an illustrative frame to rake them to.
import { ageBand, scoreRespondent, type ScoringSpec } from '../analysis/scoring';
import type { Db } from '../server/db/open';
import { packDerivedColumns, specItemNames, storedNumber } from '../server/runs/packed-input';
import { rng as makeRng } from '../test/helpers/random';

export const REGIONS = ['KZ-10', 'KZ-11', 'KZ-15', 'KZ-19', 'KZ-23', 'KZ-27', 'KZ-31', 'KZ-33', 'KZ-35', 'KZ-39', 'KZ-43', 'KZ-47', 'KZ-55', 'KZ-59', 'KZ-61', 'KZ-62', 'KZ-63', 'KZ-71', 'KZ-75', 'KZ-79'];
/** Regions drawn in proportion to the frame (1–5 by position). */
const REGION_DRAW = REGIONS.flatMap((r, i) => Array.from({ length: 1 + (i % 5) }, () => r));
/** Ethnic groups near the frame's shares, with a few refusals (imputed for weighting). */
export const ETHNIC = [...Array.from({ length: 64 }, () => 'kazakh'), ...Array.from({ length: 16 }, () => 'russian'), 'uzbek', 'uzbek', 'uzbek', 'ukrainian', 'ukrainian', 'uyghur', 'uyghur', 'german', 'tatar', 'other', 'other', 'other', 'other', 'refused'];

/** An illustrative frame (not official figures) over the weighting variables, each margin summing to 14,070,000. */
export function illustrativeFrameCsv(): string {
  const total = 14_070_000;
  const lines = ['margin,level,population'];
  const regionWeights = REGIONS.map((_, i) => 1 + (i % 5));
  const rw = regionWeights.reduce((a, b) => a + b, 0);
  let acc = 0;
  REGIONS.forEach((r, i) => {
    const p = i === REGIONS.length - 1 ? total - acc : Math.round((total * regionWeights[i]!) / rw);
    acc += p;
    lines.push(`region,${r},${p}`);
  });
  const sexAge = [['m:18-29', 0.12], ['m:30-44', 0.15], ['m:45-59', 0.11], ['m:60+', 0.09], ['f:18-29', 0.13], ['f:30-44', 0.16], ['f:45-59', 0.12]] as const;
  acc = 0;
  for (const [l, s] of sexAge) { const p = Math.round(total * s); acc += p; lines.push(`sex:age,${l},${p}`); }
  lines.push(`sex:age,f:60+,${total - acc}`);
  lines.push(`settlement,urban,${Math.round(total * 0.62)}`, `settlement,rural,${total - Math.round(total * 0.62)}`);
  const eth = [['kazakh', 0.7], ['russian', 0.155], ['uzbek', 0.032], ['ukrainian', 0.02], ['uyghur', 0.015], ['german', 0.012], ['tatar', 0.011]] as const;
  acc = 0;
  for (const [l, s] of eth) { const p = Math.round(total * s); acc += p; lines.push(`ethnicity,${l},${p}`); }
  lines.push(`ethnicity,other,${total - acc}`);
  return lines.join('\n') + '\n';
}

/**
 * Writes `responses` complete responses (ids `b0000000`, `b0000001`, …) into wave `waveId` on
 * survey version `versionId`, 50,000 per transaction, then checkpoints the WAL. Seeded: the same
 * call writes the same rows. `education`: also answer the unscored education question (exports
 * write every question).
 */
export function writeSyntheticWave(db: Db, o: { waveId: number; versionId: number; spec: ScoringSpec; responses: number; education?: boolean }): void {
  const rng = makeRng(20261129);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const five = [1, 2, 3, 4, 5, 'dk'] as const;
  const insert = db.$client.prepare(`INSERT INTO responses (id, wave_id, survey_version_id, locale, status, data, current_page_no, started_at, updated_at,
    completed_at, duration_ms, mode, region, settlement, sex, age, age_band, ethnicity, item_scores, consensus, tolerance, mood, run_input)
    VALUES (?, ?, ?, ?, 'complete', ?, 0, ?, ?, ?, ?, 'web', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const itemNames = specItemNames(o.spec);
  const at = '2025-11-15T10:00:00.000Z';
  const BATCH = 50_000;
  for (let start = 0; start < o.responses; start += BATCH) {
    db.$client.transaction(() => {
      for (let i = start; i < Math.min(o.responses, start + BATCH); i++) {
        // A mild tilt by region so regional estimates differ; answers otherwise uniform over the
        // choices. Regions and ethnic groups near the frame: modest weighting factors, as a real wave has.
        const region = REGION_DRAW[Math.floor(rng() * REGION_DRAW.length)]!;
        const tilt = REGIONS.indexOf(region) % 3 === 0 ? 0.15 : 0;
        const item = () => (rng() < tilt ? 5 : pick(five));
        const data: Record<string, unknown> = {
          adult: true, resident: true, consent: true, region, settlement: rng() < 0.6 ? 'urban' : 'rural', sex: rng() < 0.47 ? 'm' : 'f',
          age: 18 + Math.floor(rng() * rng() * 70), ethnicity: pick(ETHNIC),
          ...(o.education ? { education: pick(['secondary_or_less', 'vocational', 'higher']) } : {}),
          a1: item(), a2: item(), a3: item(), a4: item(), a5: item(),
          b1: pick([1, 0, 1, 'dk']), b2: pick([1, 0, 1, 'dk']), b3: pick([1, 0, 1, 'dk']), b4: pick([1, 0, 'dk']), b5: pick([1, 0, 1]), b6: pick([1, 0, 'dk']),
          c1: item(), c2: item(), c3: item(), c4: item(), c5: Math.floor(rng() * 11),
        };
        const s = scoreRespondent(o.spec, data);
        // The derived columns as a completion stores them (server/responses deriveColumns), packed as it packs them.
        const derived = {
          region, settlement: data.settlement as string, sex: data.sex as string, age: data.age as number, ageBand: ageBand(data.age as number), ethnicity: data.ethnicity as string,
          itemScores: s.items, consensus: storedNumber(s.indicators.consensus ?? null), tolerance: storedNumber(s.indicators.tolerance ?? null), mood: storedNumber(s.indicators.mood ?? null),
        };
        insert.run(
          `b${String(i).padStart(7, '0')}`, o.waveId, o.versionId, pick(['kk', 'ru', 'en'] as const), JSON.stringify(data), at, at, at,
          Math.floor(240_000 + rng() * 900_000), region, derived.settlement, derived.sex, derived.age, derived.ageBand, derived.ethnicity,
          JSON.stringify(s.items), derived.consensus, derived.tolerance, derived.mood, packDerivedColumns(itemNames, derived),
        );
      }
    })();
  }
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
}
