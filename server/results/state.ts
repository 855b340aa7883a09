// Reading the published state from the database: which run is published for which period (the
// publications feature's `publishedRuns`), the stored run documents, the targets, the level labels
// of the questionnaire and whether this instance is a demo. Everything the public API serves is
// computed from this state (service.ts) and cached under its version key.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, publications, surveyVersions, targetSets } from '../db/schema';
import { statement, type Prepared, type Sql } from '../db/sql';
import { jsonValue } from '../runs/rows';
import { publishedRuns } from '../publications/service';
import type { StoredRunResult } from '../runs/result';
import { OFFICIAL_SURVEY_ID } from '../surveys/service';

/**
 * The audit-log action that marks a database as a demonstration instance (docs/decisions/012):
 * written once by `npm run demo` when it fills the database with synthetic data. A stored marker,
 * not an environment variable, so the database says what it is whichever process opens it.
 */
export const DEMO_MARKER_ACTION = 'instance.demo';

/** A wave period, e.g. '2026-Q3'. */
export const WAVE_PERIOD = /^(\d{4})-Q([1-4])$/;

/** One currently published run of a wave of the official survey. */
export interface PublishedWave {
  period: string;
  year: number;
  quarter: number;
  runId: number;
  /** When the publish event that made this run current was written. */
  publishedAt: string;
  /** An earlier published run for this period was replaced. */
  revised: boolean;
  computedAt: string;
  inputHash: string;
  scoringHash: string;
  surveyVersionIds: number[];
  /** The questionnaire version numbers of `surveyVersionIds` (the run's provenance). */
  surveyVersions: number[];
  result: StoredRunResult;
}

/** The parts of surveys/targets.json the API serves (see server/surveys/bootstrap.ts for the outline it checks at load). */
const localized = z.object({ kk: z.string(), ru: z.string(), en: z.string() });
const targetsDocument = z.object({
  documents: z.array(z.object({
    id: z.string(),
    title: localized,
    status: z.object({ inForce: z.boolean(), kk: z.string(), ru: z.string(), en: z.string() }).loose().optional(),
  }).loose()).min(1),
  indicators: z.array(z.object({
    code: z.string(),
    name: localized,
    values: z.array(z.object({
      year: z.number().int(),
      kind: z.string().optional(),
      value: z.number(),
      alternatives: z.array(z.object({
        value: z.number(),
        source: z.object({ section: z.string().optional(), label: z.string().optional() }).loose(),
      }).loose()).optional(),
    }).loose()),
  }).loose()),
}).loose();
export type TargetsDocument = z.infer<typeof targetsDocument>;

/** A choice label of the questionnaire, per domain variable and level. */
export type LevelLabels = Record<string, Record<string, { kk: string; ru: string; en: string }>>;

export interface PublishedState {
  /** The version key: a new publication, targets, questionnaire or calendar year changes it. */
  key: string;
  demo: boolean;
  /** The latest publication event's time (or the targets' load time when nothing was published). */
  generatedAt: string;
  targets: TargetsDocument;
  labels: LevelLabels;
  /** Published waves, oldest first. */
  waves: PublishedWave[];
}

interface VersionRow { pub: number; targets: string | null; demo: number; survey: number }

// One prepared statement, read on every request: the latest publication event (the primary key's
// last entry), the targets' content hash, the demo marker (an index on audit_log.action) and the
// latest questionnaire version. Tens of µs on SQLite; on PostgreSQL one round trip.
type VersionParams = { demoAction: string; surveyId: string };
const VERSION_PARAMS: VersionParams = { demoAction: DEMO_MARKER_ACTION, surveyId: OFFICIAL_SURVEY_ID };
/** The statement bound to each executor once (the request path makes no object per call). */
const versionReaders = new WeakMap<Sql, Prepared<VersionParams, VersionRow>>();
const versionStatement = statement<VersionParams>('results.stateVersion', (p) => sql`SELECT
  (SELECT coalesce(max(${publications.id}), 0) FROM ${publications}) AS "pub",
  (SELECT ${targetSets.contentHash} FROM ${targetSets} ORDER BY ${targetSets.id} DESC LIMIT 1) AS "targets",
  (SELECT count(*) FROM ${auditLog} WHERE ${auditLog.action} = ${p.demoAction}) AS "demo",
  (SELECT coalesce(max(${surveyVersions.id}), 0) FROM ${surveyVersions} WHERE ${surveyVersions.surveyId} = ${p.surveyId}) AS "survey"`);

/**
 * The version of the published state, in one small indexed query: the latest publication event,
 * the targets' content hash, the demo marker and the latest questionnaire version. Read on every
 * request so a publication — by this server or another on the same database — is visible at the
 * next request, without invalidation messages.
 */
export async function stateVersion(q: Sql, now: Date): Promise<string> {
  let read = versionReaders.get(q);
  if (!read) versionReaders.set(q, (read = q.prepared<VersionParams, VersionRow>(versionStatement)));
  const v = (await read.get(VERSION_PARAMS))!;
  // The year is part of the key: "provisional" flips when a year ends, with no publication.
  const raw = `v1|${v.pub}|${v.targets ?? ''}|${v.demo > 0 ? 1 : 0}|${v.survey}|${now.getUTCFullYear()}`;
  if (lastKey?.raw !== raw) lastKey = { raw, key: createHash('sha256').update(raw).digest('base64url').slice(0, 27) };
  return lastKey.key;
}

// The hash of the last version seen: the version rarely changes, so most requests skip the hash.
let lastKey: { raw: string; key: string } | undefined;

/** Choice labels of the questionnaire's domain questions (kk is SurveyJS's `default`). */
function levelLabels(json: Record<string, unknown>): LevelLabels {
  const out: LevelLabels = {};
  const text = (t: unknown, fallback: string): { kk: string; ru: string; en: string } => {
    if (typeof t === 'string') return { kk: t, ru: t, en: t };
    if (typeof t !== 'object' || t === null) return { kk: fallback, ru: fallback, en: fallback };
    const o = t as Record<string, unknown>;
    const kk = typeof o.default === 'string' ? o.default : typeof o.kk === 'string' ? o.kk : fallback;
    return { kk, ru: typeof o.ru === 'string' ? o.ru : kk, en: typeof o.en === 'string' ? o.en : kk };
  };
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) { x.forEach(walk); return; }
    if (typeof x !== 'object' || x === null) return;
    const o = x as Record<string, unknown>;
    if (typeof o.name === 'string' && ['region', 'sex', 'settlement', 'ethnicity'].includes(o.name) && Array.isArray(o.choices)) {
      const m: Record<string, { kk: string; ru: string; en: string }> = {};
      for (const c of o.choices as unknown[]) {
        if (typeof c === 'object' && c !== null && 'value' in c) {
          const value = String((c as { value: unknown }).value);
          m[value] = text((c as { text?: unknown }).text, value);
        }
      }
      out[o.name] = m;
    }
    for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
  };
  walk(json);
  return out;
}

/** Reads the whole published state. Cost: one query per table plus parsing the published runs' documents. */
export async function loadPublishedState(q: Sql, key: string): Promise<PublishedState> {
  const targetsRow = await q.get<{ json: unknown; loadedAt: string }>(sql`SELECT ${targetSets.json} AS "json", ${targetSets.loadedAt} AS "loadedAt"
    FROM ${targetSets} ORDER BY ${targetSets.id} DESC LIMIT 1`);
  if (!targetsRow) throw new Error('public results: no targets are loaded (surveys/targets.json is loaded at server start)');
  const targets = targetsDocument.parse(jsonValue(targetsRow.json));
  const survey = await q.get<{ json: unknown }>(sql`SELECT ${surveyVersions.json} AS "json" FROM ${surveyVersions}
    WHERE ${surveyVersions.surveyId} = ${OFFICIAL_SURVEY_ID} ORDER BY ${surveyVersions.version} DESC LIMIT 1`);
  const labels = survey ? levelLabels(jsonValue<Record<string, unknown>>(survey.json)) : {};
  const demo = (await q.get(sql`SELECT ${auditLog.id} AS "id" FROM ${auditLog} WHERE ${auditLog.action} = ${DEMO_MARKER_ACTION} LIMIT 1`)) !== undefined;
  // What is published: the publications log replayed by the publications feature (the latest
  // event of a period is its state; a replaced run marks it revised).
  const waves: PublishedWave[] = [];
  for (const p of await publishedRuns(q)) {
    const m = WAVE_PERIOD.exec(p.period);
    // Only waves of the official survey with a period are part of the public series.
    if (!m || p.result.wave.surveyId !== OFFICIAL_SURVEY_ID) continue;
    waves.push({
      period: p.period, year: Number(m[1]), quarter: Number(m[2]), runId: p.runId, publishedAt: p.publishedAt, revised: p.revised,
      computedAt: p.run.createdAt, inputHash: p.run.inputHash, scoringHash: p.run.scoringHash, surveyVersionIds: p.run.surveyVersionIds,
      surveyVersions: await surveyVersionNumbers(q, p.run.surveyVersionIds), result: p.result,
    });
  }
  waves.sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  const latest = await q.get<{ at: string }>(sql`SELECT ${publications.at} AS "at" FROM ${publications} ORDER BY ${publications.id} DESC LIMIT 1`);
  const generatedAt = latest?.at ?? targetsRow.loadedAt;
  return { key, demo, generatedAt, targets, labels, waves };
}

/** Survey version numbers of the given version ids (for a run's provenance). */
export async function surveyVersionNumbers(q: Sql, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await q.all<{ version: number }>(sql`SELECT ${surveyVersions.version} AS "version" FROM ${surveyVersions}
    WHERE ${surveyVersions.id} IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) ORDER BY ${surveyVersions.version}`);
  return rows.map((r) => r.version);
}
