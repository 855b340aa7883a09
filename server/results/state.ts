// Reading the published state from the database: which run is published for which period (the
// publications feature's `publishedRuns`), the stored run documents, the targets, the level labels
// of the questionnaire and whether this instance is a demo. Everything the public API serves is
// computed from this state (service.ts) and cached under its version key.
import { createHash } from 'node:crypto';
import { asc, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/open';
import { auditLog, publications, surveyVersions, targetSets } from '../db/schema';
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

const versionStatements = new WeakMap<Db, () => VersionRow>();

/**
 * The version of the published state, in one small indexed query: the latest publication event,
 * the targets' content hash, the demo marker and the latest questionnaire version. Read on every
 * request (tens of µs) so a publication is visible at once, without invalidation messages.
 */
export function stateVersion(db: Db, now: Date): string {
  let read = versionStatements.get(db);
  if (!read) {
    const stmt = db.$client.prepare(`SELECT
      (SELECT coalesce(max(id), 0) FROM publications) AS pub,
      (SELECT content_hash FROM target_sets ORDER BY id DESC LIMIT 1) AS targets,
      (SELECT count(*) FROM audit_log WHERE action = ?) AS demo,
      (SELECT coalesce(max(id), 0) FROM survey_versions WHERE survey_id = ?) AS survey`);
    read = () => stmt.get(DEMO_MARKER_ACTION, OFFICIAL_SURVEY_ID) as VersionRow;
    versionStatements.set(db, read);
  }
  const v = read();
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
export function loadPublishedState(db: Db, key: string): PublishedState {
  const targetsRow = db.select().from(targetSets).orderBy(desc(targetSets.id)).limit(1).get();
  if (!targetsRow) throw new Error('public results: no targets are loaded (surveys/targets.json is loaded at server start)');
  const targets = targetsDocument.parse(targetsRow.json);
  const survey = db.select({ json: surveyVersions.json }).from(surveyVersions)
    .where(eq(surveyVersions.surveyId, OFFICIAL_SURVEY_ID)).orderBy(desc(surveyVersions.version)).limit(1).get();
  const labels = survey ? levelLabels(survey.json) : {};
  const demo = db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.action, DEMO_MARKER_ACTION)).limit(1).get() !== undefined;
  // What is published: the publications log replayed by the publications feature (the latest
  // event of a period is its state; a replaced run marks it revised).
  const waves: PublishedWave[] = [];
  for (const p of publishedRuns(db)) {
    const m = WAVE_PERIOD.exec(p.period);
    // Only waves of the official survey with a period are part of the public series.
    if (!m || p.result.wave.surveyId !== OFFICIAL_SURVEY_ID) continue;
    waves.push({
      period: p.period, year: Number(m[1]), quarter: Number(m[2]), runId: p.runId, publishedAt: p.publishedAt, revised: p.revised,
      computedAt: p.run.createdAt, inputHash: p.run.inputHash, scoringHash: p.run.scoringHash, surveyVersionIds: p.run.surveyVersionIds, result: p.result,
    });
  }
  waves.sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  const latest = db.select({ at: publications.at }).from(publications).orderBy(desc(publications.id)).limit(1).get();
  const generatedAt = latest?.at ?? targetsRow.loadedAt;
  return { key, demo, generatedAt, targets, labels, waves };
}

/** Survey version numbers of the given version ids (for a run's provenance). */
export function surveyVersionNumbers(db: Db, ids: readonly number[]): number[] {
  if (ids.length === 0) return [];
  return db.select({ version: surveyVersions.version }).from(surveyVersions).where(inArray(surveyVersions.id, [...ids]))
    .orderBy(asc(surveyVersions.version)).all().map((r) => r.version);
}
