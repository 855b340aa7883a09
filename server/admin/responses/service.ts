// The console's view of responses: a keyset-paginated list of one wave (newest or oldest first by
// last change, over the (wave_id, updated_at, id) index, so a page costs the same at any depth), one response with its questions' texts and answers'
// labels in a chosen language, and a researcher's overrule of a quality flag (audited).
//
// Flags here: `incomplete` (a complete response none of whose indicators could be scored, as the
// run computes it) is known from the stored row; speeder, straightliner, burst, duplicate_answers
// and automation are computed by a run over the whole wave (server/runs/compute.ts), which stores
// the pairs it flagged (server/runs/run-flags.ts): the list and the detail show and filter them as
// of the wave's latest run that recorded flags (docs/decisions/024). An overrule is stored per
// response and flag, whatever the run, and every later run respects it.
import { sql, type SQL } from 'drizzle-orm';
import { QUALITY_FLAGS, type FlagsRun, type FlagState, type QualityFlagName, type ResponseDetail, type ResponseListQuery, type ResponseSummary } from '../../../contract/admin-api';
import { appendAudit } from '../../audit/service';
import { estimateRuns, flagOverrules, responses, runFlags, runFlagSets, surveyVersions, type ResponseRow, type RunFlagSetRow } from '../../db/schema';
import { bare, type Sql } from '../../db/sql';
import type { Store } from '../../db/store';
import { STORED_RUN_FLAGS } from '../../runs/run-flags';
import { parseScoringSpec } from '../../../analysis/scoring';
import { straightlineBlocks, straightlinedBlocks, BURST_MIN_COMPLETIONS, BURST_WINDOW_MS, SPEEDER_FACTOR } from '../../../analysis/quality';
import { DomainError } from '../../errors';
import type { Locale } from '../../../contract/locales';

const INCOMPLETE_SQL = sql`(${responses.status} = 'complete' and ${responses.consensus} is null and ${responses.tolerance} is null and ${responses.mood} is null)`;

/** What the list shows of a response (the answers, `data`, are read by the detail only). */
type ListedRow = Pick<ResponseRow, 'id' | 'waveId' | 'status' | 'mode' | 'locale' | 'region' | 'startedAt' | 'updatedAt' | 'completedAt' | 'durationMs' | 'consensus' | 'tolerance' | 'mood'>;
type DetailRow = ListedRow & Pick<ResponseRow, 'interviewer' | 'surveyVersionId' | 'data'>;

const LISTED_COLUMNS = sql`${responses.id} AS "id", ${responses.waveId} AS "waveId", ${responses.status} AS "status", ${responses.mode} AS "mode",
  ${responses.locale} AS "locale", ${responses.region} AS "region", ${responses.startedAt} AS "startedAt", ${responses.updatedAt} AS "updatedAt",
  ${responses.completedAt} AS "completedAt", ${responses.durationMs} AS "durationMs", ${responses.consensus} AS "consensus",
  ${responses.tolerance} AS "tolerance", ${responses.mood} AS "mood"`;

function flagsOf(r: Pick<ResponseRow, 'status' | 'consensus' | 'tolerance' | 'mood'>): QualityFlagName[] {
  return r.status === 'complete' && r.consensus === null && r.tolerance === null && r.mood === null ? ['incomplete'] : [];
}

function summary(r: ListedRow, runFlagsOfRow: readonly QualityFlagName[] = []): ResponseSummary {
  const flags = [...flagsOf(r), ...runFlagsOfRow];
  flags.sort((a, b) => QUALITY_FLAGS.indexOf(a) - QUALITY_FLAGS.indexOf(b));
  return {
    id: r.id, waveId: r.waveId, status: r.status, mode: r.mode, locale: r.locale, region: r.region,
    startedAt: r.startedAt, updatedAt: r.updatedAt, completedAt: r.completedAt, durationMs: r.durationMs, flags,
  };
}

/** The wave's latest run that recorded its flags, or undefined (no run yet, or only runs from before decision 024). */
async function latestFlagSet(db: Sql, waveId: number): Promise<RunFlagSetRow | undefined> {
  return db.get<RunFlagSetRow>(sql`SELECT ${runFlagSets.runId} AS "runId", ${runFlagSets.waveId} AS "waveId", ${runFlagSets.speederMedianMs} AS "speederMedianMs",
    ${runFlagSets.speederThresholdMs} AS "speederThresholdMs", ${runFlagSets.flagged} AS "flagged"
    FROM ${runFlagSets} WHERE ${runFlagSets.waveId} = ${waveId} ORDER BY ${runFlagSets.runId} DESC LIMIT 1`);
}

/** Response id → the flags run `runId` stored for it, for the given responses (a page of the list). */
async function runFlagsOf(db: Sql, runId: number, responseIds: readonly string[]): Promise<Map<string, QualityFlagName[]>> {
  const out = new Map<string, QualityFlagName[]>();
  if (responseIds.length === 0) return out;
  const rows = await db.all<{ id: string; flag: QualityFlagName }>(sql`SELECT ${runFlags.responseId} AS "id", ${runFlags.flag} AS "flag" FROM ${runFlags}
    WHERE ${runFlags.runId} = ${runId} AND ${runFlags.flag} IN (${sql.join(STORED_RUN_FLAGS.map((f) => sql`${f}`), sql`, `)})
    AND ${runFlags.responseId} IN (${sql.join(responseIds.map((id) => sql`${id}`), sql`, `)})`);
  for (const r of rows) {
    const list = out.get(r.id);
    if (list) list.push(r.flag); else out.set(r.id, [r.flag]);
  }
  // QUALITY_FLAGS order, whatever order the index gave.
  for (const list of out.values()) list.sort((a, b) => QUALITY_FLAGS.indexOf(a) - QUALITY_FLAGS.indexOf(b));
  return out;
}

async function flagsRunOf(db: Sql, set: RunFlagSetRow | undefined): Promise<FlagsRun> {
  if (!set) return null;
  const run = await db.get<{ createdAt: string }>(sql`SELECT ${estimateRuns.createdAt} AS "createdAt" FROM ${estimateRuns} WHERE ${estimateRuns.id} = ${set.runId}`);
  return { runId: set.runId, createdAt: run!.createdAt };
}

/** Up to this many flagged responses, the list sorts them; above, it walks the wave's index (see listResponses). */
const FEW_FLAGGED = 2000;

/** Cursor: `<updatedAt>|<id>` of the last row of the previous page, base64url. */
const encodeCursor = (r: ListedRow) => Buffer.from(`${r.updatedAt}|${r.id}`).toString('base64url');
function decodeCursor(c: string): { at: string; id: string } {
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  if (!at || !id) throw new DomainError('bad_usage', 'invalid_option', 'cursor: not a cursor this list gave; start from the first page');
  return { at, id };
}

export async function listResponses(db: Sql, q: ResponseListQuery): Promise<{ items: ResponseSummary[]; nextCursor: string | null; flagsRun: FlagsRun }> {
  const limit = q.limit ?? 50;
  const newest = (q.sort ?? 'newest') === 'newest';
  const conds: SQL[] = [
    sql`${responses.waveId} = ${q.wave}`,
    ...(q.status === undefined ? [] : [sql`${responses.status} = ${q.status}`]),
    ...(q.mode === undefined ? [] : [sql`${responses.mode} = ${q.mode}`]),
    ...(q.region === undefined ? [] : [sql`${responses.region} = ${q.region}`]),
  ];
  const set = await latestFlagSet(db, q.wave);
  const flagsRun = await flagsRunOf(db, set);
  if (q.flag === 'incomplete') conds.push(INCOMPLETE_SQL);
  else if (q.flag === 'overruled') conds.push(sql`exists (select 1 from ${flagOverrules} where ${flagOverrules.responseId} = ${responses.id})`);
  else if (q.flag !== undefined) {
    // A run-time flag: as of the wave's latest run that recorded flags; none yet, nobody is flagged.
    if (!set) return { items: [], nextCursor: null, flagsRun };
    // Two plans (measured with bench/admin-responses.ts, 900,000 responses in the wave):
    // - walk the wave's (wave_id, updated_at, id) index, probing run_flags per entry, and stop after a
    //   page: SQLite reads a table row only for a match, so a page costs ~50 / (share flagged) index
    //   steps (2 % flagged: ~15 ms); but a filter on the row (mode, region) matching nobody walks
    //   the whole wave (1.2 s);
    // - look the run's flagged ids up by the responses' key and sort them: ~K row reads (16,000: 400
    //   ms, the `data` column is read past), whatever else is filtered.
    // So: the walk for a flag alone when the run flagged more than FEW_FLAGGED, else the look-up.
    // (PostgreSQL plans both forms itself from its statistics; the unary plus is a no-op there.)
    const k = (await db.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${runFlags} WHERE ${runFlags.runId} = ${set.runId} AND ${runFlags.flag} = ${q.flag}`))!.n;
    const otherFilters = q.status !== undefined || q.mode !== undefined || q.region !== undefined;
    if (k <= FEW_FLAGGED || otherFilters) {
      // `+wave_id`: a unary plus keeps SQLite off the wave's indexes, which it would otherwise walk for the ORDER BY.
      conds[0] = sql`+${responses.waveId} = ${q.wave}`;
      conds.push(sql`${responses.id} in (select ${runFlags.responseId} from ${runFlags} where ${runFlags.runId} = ${set.runId} and ${runFlags.flag} = ${q.flag})`);
    } else conds.push(sql`exists (select 1 from ${runFlags} where ${runFlags.runId} = ${set.runId} and ${runFlags.flag} = ${q.flag} and ${runFlags.responseId} = ${responses.id})`);
  }
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    // A row-value comparison: SQLite walks the (wave_id, updated_at, id) index from the cursor on.
    conds.push(newest ? sql`(${responses.updatedAt}, ${responses.id}) < (${c.at}, ${c.id})` : sql`(${responses.updatedAt}, ${responses.id}) > (${c.at}, ${c.id})`);
  }
  const order = newest ? sql`${responses.updatedAt} desc, ${responses.id} desc` : sql`${responses.updatedAt} asc, ${responses.id} asc`;
  const rows = await db.all<ListedRow>(sql`select ${LISTED_COLUMNS} from ${responses} where ${sql.join(conds, sql` and `)} order by ${order} limit ${limit + 1}`);
  const page = rows.slice(0, limit);
  const stored = set ? await runFlagsOf(db, set.runId, page.map((r) => r.id)) : new Map<string, QualityFlagName[]>();
  return { items: page.map((r) => summary(r, stored.get(r.id))), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null, flagsRun };
}

type Text = string | Record<string, string> | undefined;
function textIn(t: Text, locale: Locale): string | undefined {
  if (t === undefined) return undefined;
  if (typeof t === 'string') return t;
  return t[locale] ?? t.default ?? Object.values(t)[0];
}

interface Element { name?: string; title?: Text; type?: string; choices?: unknown[]; elements?: Element[]; templateElements?: Element[]; rows?: unknown[]; columns?: unknown[] }

function elementsInOrder(json: Record<string, unknown>): Element[] {
  const out: Element[] = [];
  const walk = (els: unknown) => {
    if (!Array.isArray(els)) return;
    for (const e of els as Element[]) {
      if (e.name && e.type !== 'panel' && e.type !== 'html') out.push(e);
      walk(e.elements);
      walk(e.templateElements);
    }
  };
  for (const p of (json.pages as { elements?: unknown }[] | undefined) ?? []) walk(p.elements);
  return out;
}

function choiceLabel(choices: unknown[] | undefined, value: unknown, locale: Locale): string | undefined {
  for (const c of choices ?? []) {
    if (c !== null && typeof c === 'object' && 'value' in c) {
      if ((c as { value: unknown }).value === value) return textIn((c as { text?: Text }).text, locale) ?? String(value);
    } else if (c === value) return String(c);
  }
  return undefined;
}

function answerText(el: Element, value: unknown, locale: Locale): string {
  if (value === null || value === undefined) return '';
  if (el.type === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => choiceLabel(el.choices, v, locale) ?? (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('; ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      const row = (el.rows ?? []).find((r) => (r as { value?: unknown })?.value === k) as { text?: Text } | undefined;
      const col = (el.columns ?? []).find((c) => (c as { value?: unknown })?.value === v) as { text?: Text } | undefined;
      return `${textIn(row?.text, locale) ?? k}: ${textIn(col?.text, locale) ?? String(v)}`;
    }).join('; ');
  }
  return choiceLabel(el.choices, value, locale) ?? String(value);
}

async function requireResponse(db: Sql, id: string): Promise<DetailRow> {
  const r = await db.get<Omit<DetailRow, 'data'> & { data: string }>(sql`SELECT ${LISTED_COLUMNS}, ${responses.interviewer} AS "interviewer",
    ${responses.surveyVersionId} AS "surveyVersionId", CAST(${responses.data} AS TEXT) AS "data" FROM ${responses} WHERE ${responses.id} = ${id}`);
  if (!r) throw new DomainError('not_found', 'response_not_found', `There is no response ${id}.`);
  return { ...r, data: JSON.parse(r.data) as Record<string, unknown> };
}

export async function responseDetail(db: Sql, id: string, locale: Locale): Promise<ResponseDetail> {
  const r = await requireResponse(db, id);
  const stored = (await db.get<{ json: string; scoring: string }>(sql`SELECT CAST(${surveyVersions.json} AS TEXT) AS "json", CAST(${surveyVersions.scoring} AS TEXT) AS "scoring"
    FROM ${surveyVersions} WHERE ${surveyVersions.id} = ${r.surveyVersionId}`))!;
  const version = { json: JSON.parse(stored.json) as Record<string, unknown>, scoring: JSON.parse(stored.scoring) as unknown };
  const data = r.data;
  const answers = elementsInOrder(version.json)
    .filter((el) => data[el.name!] !== undefined)
    .map((el) => ({ name: el.name!, question: textIn(el.title, locale) ?? el.name!, value: data[el.name!], answer: answerText(el, data[el.name!], locale) }));
  const overrules = await db.all<{ flag: QualityFlagName; reason: string; actor: string; at: string }>(sql`SELECT ${flagOverrules.flag} AS "flag", ${flagOverrules.reason} AS "reason",
    ${flagOverrules.actor} AS "actor", ${flagOverrules.at} AS "at" FROM ${flagOverrules} WHERE ${flagOverrules.responseId} = ${id} ORDER BY ${flagOverrules.id}`);
  const set = await latestFlagSet(db, r.waveId);
  const flagStates: FlagState[] = flagsOf(r).map((flag) => ({ flag, reason: 'no indicator could be scored from the answers', runId: null, overruled: null }));
  for (const flag of set ? (await runFlagsOf(db, set.runId, [r.id])).get(r.id) ?? [] : []) {
    flagStates.push(runFlagState(flag, r, set!, version.scoring));
  }
  for (const o of overrules) {
    const s = flagStates.find((f) => f.flag === o.flag);
    const overruled = { reason: o.reason, by: o.actor, at: o.at };
    if (s) s.overruled = overruled;
    else flagStates.push({ flag: o.flag, reason: set ? `not flagged by run ${set.runId}, the wave's latest run` : 'flagged by an estimate run', runId: null, overruled });
  }
  flagStates.sort((a, b) => QUALITY_FLAGS.indexOf(a.flag) - QUALITY_FLAGS.indexOf(b.flag));
  return {
    ...summary(r, flagStates.filter((f) => f.runId !== null).map((f) => f.flag)), interviewer: r.interviewer, surveyVersionId: r.surveyVersionId,
    scores: { consensus: r.consensus, tolerance: r.tolerance, mood: r.mood },
    answers, flagStates, flagsRun: await flagsRunOf(db, set),
  };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** A run-time flag of `r` as run `set.runId` computed it, with the reason in English (the client words it per flag). */
function runFlagState(flag: QualityFlagName, r: Pick<ResponseRow, 'durationMs' | 'data'>, set: RunFlagSetRow, scoring: unknown): FlagState {
  const base = { flag, runId: set.runId, overruled: null };
  switch (flag) {
    case 'speeder': {
      if (set.speederMedianMs === null || set.speederThresholdMs === null) return { ...base, reason: `run ${set.runId}: completed faster than ${SPEEDER_FACTOR} × the wave's median` };
      return {
        ...base,
        reason: `run ${set.runId}: completed in ${r.durationMs === null ? 'an unknown time' : seconds(r.durationMs)}, under ${SPEEDER_FACTOR} × the wave's median of ${seconds(set.speederMedianMs)} (${seconds(set.speederThresholdMs)})`,
        speeder: { durationMs: r.durationMs, medianMs: set.speederMedianMs, thresholdMs: set.speederThresholdMs },
      };
    }
    case 'straightliner': {
      // Which block, from the stored answers and the version's scoring spec (the run compared the same items).
      let blocks: string[] = [];
      try { blocks = straightlinedBlocks(r.data, straightlineBlocks(parseScoringSpec(scoring))); } catch { /* a spec the run read; the generic reason */ }
      return { ...base, reason: `run ${set.runId}: the same answer to every item of ${blocks.length ? `the ${blocks.join(', ')} block` : 'a block of same-scale items'}` };
    }
    case 'burst': return { ...base, reason: `run ${set.runId}: one of ${BURST_MIN_COMPLETIONS} or more completions from one address within ${BURST_WINDOW_MS / 60_000} minutes` };
    case 'duplicate_answers': return { ...base, reason: `run ${set.runId}: exactly the same answers, demographics included, as an earlier interview of the wave` };
    case 'automation': return { ...base, reason: `run ${set.runId}: no valid proof of work, or answered faster than a person can` };
    default: return { ...base, reason: `run ${set.runId}` };
  }
}

/** Records a researcher's overrule of `flag` on a response (once per flag), audited with the reason. */
export async function overruleFlag(store: Store, id: string, flag: QualityFlagName, reason: string, actor: string, now: Date): Promise<void> {
  await store.write(async (tx) => {
    const r = await requireResponse(tx, id);
    if (r.status !== 'complete') throw new DomainError('conflict', 'flag_not_applicable', `Response ${id} is ${r.status}; only complete responses carry quality flags.`);
    const existing = await tx.get<{ actor: string; at: string }>(sql`SELECT ${flagOverrules.actor} AS "actor", ${flagOverrules.at} AS "at" FROM ${flagOverrules}
      WHERE ${flagOverrules.responseId} = ${id} AND ${flagOverrules.flag} = ${flag}`);
    if (existing) throw new DomainError('conflict', 'already_overruled', `The ${flag} flag of response ${id} was already overruled by ${existing.actor} on ${existing.at}.`);
    await tx.run(sql`INSERT INTO ${flagOverrules} (${bare(flagOverrules.responseId)}, ${bare(flagOverrules.flag)}, ${bare(flagOverrules.reason)}, ${bare(flagOverrules.actor)}, ${bare(flagOverrules.at)})
      VALUES (${id}, ${flag}, ${reason}, ${actor}, ${now.toISOString()})`);
    await appendAudit(tx, { actor, action: 'response.flag_overrule', subjectType: 'response', subjectId: id, before: { flag, overruled: false }, after: { flag, overruled: true }, reason }, now);
  });
}
