// Builds the demonstration database of `npm run demo`: a fresh SQLite file holding the official
// questionnaire and targets, a marker that says the instance is a demo (read by every API answer),
// an illustrative frame, one wave per quarter from 2022-Q1 to the current quarter filled with
// synthetic respondents (synthetic.ts) through the responses data layer, and one computed and
// published estimate run per wave.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { openDb, type Db } from '../db/open';
import { createSqliteStore } from '../db/store-sqlite';
import { auditLog } from '../db/schema';
import { findFrameByName, storeFrame } from '../frames/service';
import { publishRun } from '../publications/service';
import { completionValidatorFor } from '../responses/completion-validator';
import { insertResponse } from '../responses/sqlite-sync';
import { deriveColumns } from '../responses/service';
import { DEMO_MARKER_ACTION } from '../results/state';
import { createEstimateRun } from '../runs/service';
import { loadOfficialSurvey, loadTargets } from '../surveys/sqlite-sync';
import { OFFICIAL_SURVEY_ID } from '../surveys/service';
import { getSurveyVersion, latestSurveyVersion } from '../surveys/sqlite-sync';
import { parseCsvText } from '../tables/read-table';
import { createWave } from '../waves/sqlite-sync';
import { generateQuarter } from './synthetic';

export const DEMO_ACTOR = 'system:demo';
export const DEMO_FRAME_NAME = 'demo-illustrative';

/**
 * The illustrative frame: invented region populations, sex × age bands and settlement of the
 * order of Kazakhstan's adults, and the 2021 census's ethnic composition (surveys/population)
 * scaled to the same total. Not a source: the frame is marked illustrative everywhere it is used.
 */
function illustrativeMargins(): { margin: string; level: string; population: number }[] {
  const rows: { margin: string; level: string; population: number }[] = [];
  const regions: [string, number][] = [
    ['KZ-10', 430000], ['KZ-11', 560000], ['KZ-15', 640000], ['KZ-19', 1000000], ['KZ-23', 480000], ['KZ-27', 480000],
    ['KZ-31', 800000], ['KZ-33', 490000], ['KZ-35', 840000], ['KZ-39', 630000], ['KZ-43', 570000], ['KZ-47', 520000],
    ['KZ-55', 560000], ['KZ-59', 420000], ['KZ-61', 1500000], ['KZ-62', 160000], ['KZ-63', 540000], ['KZ-71', 1000000],
    ['KZ-75', 1600000], ['KZ-79', 850000],
  ];
  for (const [level, population] of regions) rows.push({ margin: 'region', level, population });
  const total = regions.reduce((s, [, p]) => s + p, 0);
  const sexAge: [string, number][] = [
    ['m:18-29', 0.12], ['m:30-44', 0.1536], ['m:45-59', 0.1152], ['m:60+', 0.0912],
    ['f:18-29', 0.13], ['f:30-44', 0.1664], ['f:45-59', 0.1248], ['f:60+', 0.0988],
  ];
  for (const [level, share] of sexAge) rows.push({ margin: 'sex:age', level, population: Math.round(share * total) });
  rows.push({ margin: 'settlement', level: 'urban', population: Math.round(0.62 * total) }, { margin: 'settlement', level: 'rural', population: total - Math.round(0.62 * total) });
  // 2021 census counts (surveys/population/kz-census-2021-frame.csv), scaled to the total.
  const census: [string, number][] = [
    ['kazakh', 13479995], ['russian', 2967897], ['uzbek', 612727], ['ukrainian', 382954], ['uyghur', 287216], ['german', 229773],
    ['tatar', 210625], ['azerbaijani', 153182], ['korean', 114886], ['turkish', 95739], ['dungan', 76591], ['belarusian', 76591],
    ['tajik', 57443], ['kurdish', 57443], ['chechen', 38295], ['polish', 38295], ['kyrgyz', 38295], ['other', 268068],
  ];
  const censusTotal = census.reduce((s, [, p]) => s + p, 0);
  for (const [level, p] of census) rows.push({ margin: 'ethnicity', level, population: (p / censusTotal) * total });
  return rows;
}

/**
 * The demo recreates its database on every run, so it must never delete a real one: an existing
 * file is replaced only if it carries the demo marker.
 */
function refuseNonDemo(file: string): void {
  if (!fs.existsSync(file)) return;
  let demo = false;
  try {
    const sqlite = new Database(file, { readonly: true, fileMustExist: true });
    try {
      demo = sqlite.prepare('SELECT 1 FROM audit_log WHERE action = ? LIMIT 1').get(DEMO_MARKER_ACTION) !== undefined;
    } finally {
      sqlite.close();
    }
  } catch {
    demo = false;
  }
  if (!demo) throw new Error(`${file} exists and is not a demo database; the demo recreates its file, so give it another (KELISIM_DEMO_DB)`);
}

/** The quarters from 2022-Q1 to the quarter of `now`, oldest first. */
export function demoPeriods(now: Date): string[] {
  const out: string[] = [];
  const last = now.getUTCFullYear() * 4 + Math.floor(now.getUTCMonth() / 3);
  for (let k = 2022 * 4; k <= last; k++) out.push(`${Math.floor(k / 4)}-Q${(k % 4) + 1}`);
  return out;
}

export interface DemoOptions {
  /** Where the demo database is (re)created. */
  file: string;
  surveysDir: string;
  now?: Date;
  /** Respondents per quarter. Default 1500. */
  perWave?: number;
  log?: (line: string) => void;
}

export interface DemoSummary { waves: number; respondents: number; runs: number; seconds: number }

/**
 * Adds one wave per period (closed; the last one open with `openLast`) to a database that has the
 * official questionnaire, each filled with `perWave` synthetic respondents inserted through the
 * responses data layer after the completion validator accepted them, then computes and publishes
 * one estimate run per wave on the illustrative frame (stored on first use) through the same
 * services as `kelisim frame import`, `kelisim estimate` and `kelisim publish`. Also used by
 * `npm run bench:results` to publish 20 runs beside its big wave. Returns the respondents added.
 */
export async function addSyntheticQuarters(db: Db, o: { periods: readonly string[]; perWave: number; now: Date; openLast?: boolean; log?: (line: string) => void }): Promise<number> {
  // The moved services (frames, runs, publications) write through the store on the same connection.
  const store = createSqliteStore(db);
  const { now, perWave } = o;
  const log = o.log ?? (() => undefined);
  const version = latestSurveyVersion(db, OFFICIAL_SURVEY_ID);
  if (!version) throw new Error('the official questionnaire is not loaded');
  const loaded = getSurveyVersion(db, version.id)!;
  const validate = completionValidatorFor(loaded);
  if (!(await findFrameByName(store.sql, DEMO_FRAME_NAME))) {
    const csv = ['margin,level,population', ...illustrativeMargins().map((r) => `${r.margin},${r.level},${r.population}`)].join('\n');
    await storeFrame(store, parseCsvText(csv, 'demo-illustrative.csv'), {
      name: DEMO_FRAME_NAME, source: 'Illustrative figures for the demonstration (not an official source)', referenceDate: '2021-01-01', illustrative: true,
    }, DEMO_ACTOR, now);
  }
  let respondents = 0;
  for (const [k, period] of o.periods.entries()) {
    const current = o.openLast === true && k === o.periods.length - 1;
    const [year, q] = [Number(period.slice(0, 4)), Number(period.slice(6))];
    // The synthetic trend is indexed by quarters since 2022-Q1.
    const t = (year - 2022) * 4 + (q - 1);
    const qStart = Date.UTC(year, (q - 1) * 3, 1);
    const qEnd = Math.max(qStart, Math.min(Date.UTC(year, q * 3, 1), now.getTime()));
    const wave = createWave(db, OFFICIAL_SURVEY_ID, period, { closed: !current, actor: DEMO_ACTOR, now });
    const people = generateQuarter(t, perWave);
    // Face-to-face interviews until 2025, the web questionnaire after (as the institute moved).
    const mode = year < 2026 ? 'capi' as const : 'web' as const;
    db.transaction(() => {
      people.forEach((p, i) => {
        const verdict = validate(p.data, p.locale);
        if (!verdict.ok) throw new Error(`demo respondent ${i + 1} of ${period} is not valid for the questionnaire: ${verdict.errors.map((e) => `${e.question}: ${e.message}`).join('; ')}`);
        const completedAt = new Date(qStart + p.at * (qEnd - qStart)).toISOString();
        insertResponse(db, {
          id: p.id, waveId: wave.id, surveyVersionId: version.id, invitationId: null, locale: p.locale, status: 'complete', data: p.data,
          currentPageNo: 3, startedAt: new Date(Date.parse(completedAt) - p.durationMs).toISOString(), updatedAt: completedAt, completedAt,
          durationMs: p.durationMs, mode, interviewer: mode === 'capi' ? `INT-${String(1 + (i % 40)).padStart(3, '0')}` : null, baseWeight: null,
          ...deriveColumns(loaded.spec, p.data),
        });
      });
    });
    respondents += people.length;
    const run = await createEstimateRun(store, db, { wave: { id: wave.id }, frame: { name: DEMO_FRAME_NAME } }, DEMO_ACTOR, now);
    await publishRun(store, run.row.id, DEMO_ACTOR, now);
    log(`  ${period}: ${people.length} synthetic respondents (${run.result.sample.used} used), run ${run.row.id} published`);
  }
  return respondents;
}

/** Deletes `file` (with its WAL and shared-memory files) and builds the demo database there. */
export async function buildDemoDatabase(o: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const now = o.now ?? new Date();
  const perWave = o.perWave ?? 1500;
  const log = o.log ?? (() => undefined);
  refuseNonDemo(o.file);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${o.file}${suffix}`, { force: true });
  const db = openDb(o.file, { synchronous: 'normal' });
  try {
    loadOfficialSurvey(db, o.surveysDir, now);
    loadTargets(db, o.surveysDir);
    const at = now.toISOString();
    db.insert(auditLog).values({
      at, actor: DEMO_ACTOR, action: DEMO_MARKER_ACTION, subjectType: 'instance', subjectId: null,
      after: { note: 'synthetic demonstration data (npm run demo): no answer in this database comes from a person' },
    }).run();
    const periods = demoPeriods(now);
    const respondents = await addSyntheticQuarters(db, { periods, perWave, now, openLast: true, log });
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    return { waves: periods.length, respondents, runs: periods.length, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.$client.close();
  }
}
