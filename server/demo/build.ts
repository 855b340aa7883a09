// Builds the demonstration database of `npm run demo`: a fresh SQLite file (or, with
// KELISIM_DATABASE_URL, that PostgreSQL database, emptied first only if it is a demo already)
// holding the official questionnaire and targets, a marker that says the instance is a demo (read
// by every API answer), an illustrative frame, one wave per quarter from 2022-Q1 to the current
// quarter filled with synthetic respondents (synthetic.ts) through the responses data layer, and
// one computed and published estimate run per wave — all through the store, on either engine.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { appendAudit } from '../audit/service';
import { openDb, type Db } from '../db/open';
import { redactUrl } from '../db/pg-url';
import * as pgSchema from '../db/schema-pg';
import { pgShapes } from '../db/schema-shape';
import type { Store } from '../db/store';
import { createSqliteStore } from '../db/store-sqlite';
import { findFrameByName, storeFrame } from '../frames/service';
import { publishRun } from '../publications/service';
import { completionValidatorFor } from '../responses/completion-validator';
import { insertResponses } from '../responses/queries';
import { deriveColumns } from '../responses/service';
import { DEMO_MARKER_ACTION } from '../results/state';
import { createEstimateRun } from '../runs/service';
import { loadOfficialSurvey, loadTargets } from '../surveys/bootstrap';
import { getSurveyVersion, latestSurveyVersion, OFFICIAL_SURVEY_ID } from '../surveys/service';
import { parseCsvText } from '../tables/read-table';
import { createWave } from '../waves/service';
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
export async function addSyntheticQuarters(store: Store, db: Db | undefined, o: { periods: readonly string[]; perWave: number; now: Date; openLast?: boolean; log?: (line: string) => void }): Promise<number> {
  // `db`: SQLite's connection under the store, which its estimate runs read (absent on PostgreSQL).
  const { now, perWave } = o;
  const log = o.log ?? (() => undefined);
  const version = await latestSurveyVersion(store.sql, OFFICIAL_SURVEY_ID);
  if (!version) throw new Error('the official questionnaire is not loaded');
  const loaded = (await getSurveyVersion(store.sql, version.id, store))!;
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
    const wave = await createWave(store, OFFICIAL_SURVEY_ID, period, { closed: !current, actor: DEMO_ACTOR, now });
    const people = generateQuarter(t, perWave);
    // Face-to-face interviews until 2025, the web questionnaire after (as the institute moved).
    const mode = year < 2026 ? 'capi' as const : 'web' as const;
    // Validated and scored before the write, which then awaits nothing but the database.
    const rows = people.map((p, i) => {
      const verdict = validate(p.data, p.locale);
      if (!verdict.ok) throw new Error(`demo respondent ${i + 1} of ${period} is not valid for the questionnaire: ${verdict.errors.map((e) => `${e.question}: ${e.message}`).join('; ')}`);
      const completedAt = new Date(qStart + p.at * (qEnd - qStart)).toISOString();
      return {
        id: p.id, waveId: wave.id, surveyVersionId: version.id, invitationId: null, locale: p.locale, status: 'complete' as const, data: p.data,
        currentPageNo: 3, startedAt: new Date(Date.parse(completedAt) - p.durationMs).toISOString(), updatedAt: completedAt, completedAt,
        durationMs: p.durationMs, mode, interviewer: mode === 'capi' ? `INT-${String(1 + (i % 40)).padStart(3, '0')}` : null, baseWeight: null,
        ...deriveColumns(loaded.spec, p.data),
      };
    });
    await store.write((tx) => insertResponses(tx, rows));
    respondents += people.length;
    const run = await createEstimateRun(store, db, { wave: { id: wave.id }, frame: { name: DEMO_FRAME_NAME } }, DEMO_ACTOR, now);
    await publishRun(store, run.row.id, DEMO_ACTOR, now);
    log(`  ${period}: ${people.length} synthetic respondents (${run.result.sample.used} used), run ${run.row.id} published`);
  }
  return respondents;
}

/** The questionnaire, targets, demo marker and synthetic quarters, into an empty database's store. */
async function fillDemo(store: Store, db: Db | undefined, o: { surveysDir: string; now: Date; perWave: number; log: (line: string) => void }): Promise<{ waves: number; respondents: number }> {
  const { now } = o;
  await loadOfficialSurvey(store, o.surveysDir, now);
  await loadTargets(store, o.surveysDir, now);
  await store.write((tx) => appendAudit(tx, {
    actor: DEMO_ACTOR, action: DEMO_MARKER_ACTION, subjectType: 'instance', subjectId: null,
    after: { note: 'synthetic demonstration data (npm run demo): no answer in this database comes from a person' },
  }, now));
  const periods = demoPeriods(now);
  const respondents = await addSyntheticQuarters(store, db, { periods, perWave: o.perWave, now, openLast: true, log: o.log });
  return { waves: periods.length, respondents };
}

/** Deletes `file` (with its WAL and shared-memory files) and builds the demo database there. */
export async function buildDemoDatabase(o: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const now = o.now ?? new Date();
  refuseNonDemo(o.file);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${o.file}${suffix}`, { force: true });
  const db = openDb(o.file, { synchronous: 'normal' });
  const store = createSqliteStore(db);
  try {
    const { waves, respondents } = await fillDemo(store, db, { surveysDir: o.surveysDir, now, perWave: o.perWave ?? 1500, log: o.log ?? (() => undefined) });
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    return { waves, respondents, runs: waves, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}

export interface PgDemoOptions extends Omit<DemoOptions, 'file'> {
  /** The PostgreSQL database the demo is built into (KELISIM_DATABASE_URL). */
  url: string;
}

/**
 * Builds the demo into the PostgreSQL database `url` (migrated first, as the server does): an
 * empty database is filled; one that already holds a demo (its marker in the audit log) is
 * emptied first — its Kelisim tables truncated in one transaction, their immutability triggers
 * lifted for that statement only (the user that migrated the database owns them) — and filled
 * again; any other database with a row in any table, or with a table that is not Kelisim's, is
 * refused before anything is changed (the migrations too), so nothing is ever lost.
 * @throws Error naming the database (password hidden) and what to do
 */
export async function buildDemoDatabasePg(o: PgDemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const now = o.now ?? new Date();
  const [{ openPg }, { createPgStore }] = await Promise.all([import('../db/open-pg'), import('../db/store-pg')]);
  // Checked (and a demo emptied) before the migrations, which would add tables to a database that is not ours.
  const plain = await openPg(o.url, { migrateSchema: false });
  try {
    await emptyDemoOrRefuse(plain.$client, o.url);
  } finally {
    await plain.$client.end();
  }
  const pgdb = await openPg(o.url);
  const store = createPgStore(pgdb.$client);
  try {
    const { waves, respondents } = await fillDemo(store, undefined, { surveysDir: o.surveysDir, now, perWave: o.perWave ?? 1500, log: o.log ?? (() => undefined) });
    return { waves, respondents, runs: waves, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}

/** Empties a demo database's Kelisim tables, leaves an empty one as it is, refuses anything else (nothing changed). */
async function emptyDemoOrRefuse(pool: pg.Pool, url: string): Promise<void> {
  const where = `${redactUrl(url)} (KELISIM_DATABASE_URL)`;
  const known = new Set(pgShapes(pgSchema).keys());
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const tables = (await client.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY 1`)).rows.map((r) => r.name);
    const foreign = tables.filter((t) => !known.has(t));
    if (foreign.length > 0) throw new Error(`${where} has tables that are not Kelisim's (${foreign.slice(0, 5).join(', ')}); the demo is built only into an empty database or a demo one, and changes nothing here — give it a database of its own (CREATE DATABASE kelisim_demo)`);
    const ours = tables;
    if (ours.length === 0) { await client.query('COMMIT'); return; }
    // No server or other demo may write while the database is checked and emptied.
    await client.query(`LOCK TABLE ${ours.map((t) => `"${t}"`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const filled: string[] = [];
    for (const t of ours) if ((await client.query(`SELECT 1 FROM "${t}" LIMIT 1`)).rowCount) filled.push(t);
    if (filled.length > 0) {
      const demo = ours.includes('audit_log') && (await client.query('SELECT 1 FROM audit_log WHERE action = $1 LIMIT 1', [DEMO_MARKER_ACTION])).rowCount;
      if (!demo) throw new Error(`${where} holds data (tables ${filled.slice(0, 5).join(', ')}${filled.length > 5 ? ', …' : ''}) and is not a demo database; the demo empties its database before filling it, so it refuses this one and changes nothing — give it an empty database of its own (CREATE DATABASE kelisim_demo), or unset KELISIM_DATABASE_URL for the SQLite demo file`);
      // Runs, their flags and the audit log refuse deletion by trigger (they are immutable in a
      // real database); in a demo one, inside this transaction only, the table owner lifts them.
      const list = ours.map((t) => `"${t}"`);
      for (const t of list) await client.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
      await client.query(`TRUNCATE ${list.join(', ')} RESTART IDENTITY`);
      for (const t of list) await client.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
