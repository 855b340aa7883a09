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
import { and, asc, desc, eq, exists, sql, type SQL } from 'drizzle-orm';
import { QUALITY_FLAGS, type FlagsRun, type FlagState, type QualityFlagName, type ResponseDetail, type ResponseListQuery, type ResponseSummary } from '../../../contract/admin-api';
import { appendAudit } from '../../audit/service';
import type { Db, Queryable } from '../../db/open';
import { estimateRuns, flagOverrules, responses, runFlags, surveyVersions, type ResponseRow, type RunFlagSetRow } from '../../db/schema';
import { latestFlagSet, runFlagsOf } from '../../runs/run-flags';
import { parseScoringSpec } from '../../../analysis/scoring';
import { straightlineBlocks, straightlinedBlocks, BURST_MIN_COMPLETIONS, BURST_WINDOW_MS, SPEEDER_FACTOR } from '../../../analysis/quality';
import { DomainError } from '../../errors';
import type { Locale } from '../../../contract/locales';

const INCOMPLETE_SQL = sql`(${responses.status} = 'complete' and ${responses.consensus} is null and ${responses.tolerance} is null and ${responses.mood} is null)`;

function flagsOf(r: Pick<ResponseRow, 'status' | 'consensus' | 'tolerance' | 'mood'>): QualityFlagName[] {
  return r.status === 'complete' && r.consensus === null && r.tolerance === null && r.mood === null ? ['incomplete'] : [];
}

function summary(r: ResponseRow, runFlagsOfRow: readonly QualityFlagName[] = []): ResponseSummary {
  const flags = [...flagsOf(r), ...runFlagsOfRow];
  flags.sort((a, b) => QUALITY_FLAGS.indexOf(a) - QUALITY_FLAGS.indexOf(b));
  return {
    id: r.id, waveId: r.waveId, status: r.status, mode: r.mode, locale: r.locale, region: r.region,
    startedAt: r.startedAt, updatedAt: r.updatedAt, completedAt: r.completedAt, durationMs: r.durationMs, flags,
  };
}

function flagsRunOf(db: Queryable, set: RunFlagSetRow | undefined): FlagsRun {
  if (!set) return null;
  const run = db.select({ createdAt: estimateRuns.createdAt }).from(estimateRuns).where(eq(estimateRuns.id, set.runId)).get()!;
  return { runId: set.runId, createdAt: run.createdAt };
}

/** Up to this many flagged responses, the list sorts them; above, it walks the wave's index (see listResponses). */
const FEW_FLAGGED = 2000;

/** Cursor: `<updatedAt>|<id>` of the last row of the previous page, base64url. */
const encodeCursor = (r: ResponseRow) => Buffer.from(`${r.updatedAt}|${r.id}`).toString('base64url');
function decodeCursor(c: string): { at: string; id: string } {
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  if (!at || !id) throw new DomainError('bad_usage', 'invalid_option', 'cursor: not a cursor this list gave; start from the first page');
  return { at, id };
}

export function listResponses(db: Queryable, q: ResponseListQuery): { items: ResponseSummary[]; nextCursor: string | null; flagsRun: FlagsRun } {
  const limit = q.limit ?? 50;
  const newest = (q.sort ?? 'newest') === 'newest';
  const conds: (SQL | undefined)[] = [
    eq(responses.waveId, q.wave),
    q.status === undefined ? undefined : eq(responses.status, q.status),
    q.mode === undefined ? undefined : eq(responses.mode, q.mode),
    q.region === undefined ? undefined : eq(responses.region, q.region),
  ];
  const set = latestFlagSet(db, q.wave);
  const flagsRun = flagsRunOf(db, set);
  if (q.flag === 'incomplete') conds.push(INCOMPLETE_SQL);
  else if (q.flag === 'overruled') conds.push(exists(db.select({ one: sql`1` }).from(flagOverrules).where(eq(flagOverrules.responseId, responses.id))));
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
    const k = db.select({ n: sql<number>`count(*)` }).from(runFlags).where(and(eq(runFlags.runId, set.runId), eq(runFlags.flag, q.flag))).get()!.n;
    const otherFilters = q.status !== undefined || q.mode !== undefined || q.region !== undefined;
    if (k <= FEW_FLAGGED || otherFilters) {
      // `+wave_id`: a unary plus keeps SQLite off the wave's indexes, which it would otherwise walk for the ORDER BY.
      conds[0] = sql`+${responses.waveId} = ${q.wave}`;
      conds.push(sql`${responses.id} in (select ${runFlags.responseId} from ${runFlags} where ${runFlags.runId} = ${set.runId} and ${runFlags.flag} = ${q.flag})`);
    } else conds.push(exists(db.select({ one: sql`1` }).from(runFlags).where(and(eq(runFlags.runId, set.runId), eq(runFlags.flag, q.flag), eq(runFlags.responseId, responses.id)))));
  }
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    // A row-value comparison: SQLite walks the (wave_id, updated_at, id) index from the cursor on.
    conds.push(newest ? sql`(${responses.updatedAt}, ${responses.id}) < (${c.at}, ${c.id})` : sql`(${responses.updatedAt}, ${responses.id}) > (${c.at}, ${c.id})`);
  }
  const order = newest ? [desc(responses.updatedAt), desc(responses.id)] : [asc(responses.updatedAt), asc(responses.id)];
  const defined = conds.filter((c): c is SQL => c !== undefined);
  const rows = db.select().from(responses).where(defined.length ? and(...defined) : undefined).orderBy(...order).limit(limit + 1).all();
  const page = rows.slice(0, limit);
  const stored = set ? runFlagsOf(db, set.runId, page.map((r) => r.id)) : new Map<string, QualityFlagName[]>();
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

function requireResponse(db: Queryable, id: string): ResponseRow {
  const r = db.select().from(responses).where(eq(responses.id, id)).get();
  if (!r) throw new DomainError('not_found', 'response_not_found', `There is no response ${id}.`);
  return r;
}

export function responseDetail(db: Queryable, id: string, locale: Locale): ResponseDetail {
  const r = requireResponse(db, id);
  const version = db.select().from(surveyVersions).where(eq(surveyVersions.id, r.surveyVersionId)).get()!;
  const data = r.data;
  const answers = elementsInOrder(version.json)
    .filter((el) => data[el.name!] !== undefined)
    .map((el) => ({ name: el.name!, question: textIn(el.title, locale) ?? el.name!, value: data[el.name!], answer: answerText(el, data[el.name!], locale) }));
  const overrules = db.select().from(flagOverrules).where(eq(flagOverrules.responseId, id)).all();
  const set = latestFlagSet(db, r.waveId);
  const flagStates: FlagState[] = flagsOf(r).map((flag) => ({ flag, reason: 'no indicator could be scored from the answers', runId: null, overruled: null }));
  for (const flag of set ? runFlagsOf(db, set.runId, [r.id]).get(r.id) ?? [] : []) {
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
    answers, flagStates, flagsRun: flagsRunOf(db, set),
  };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** A run-time flag of `r` as run `set.runId` computed it, with the reason in English (the client words it per flag). */
function runFlagState(flag: QualityFlagName, r: ResponseRow, set: RunFlagSetRow, scoring: unknown): FlagState {
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
export function overruleFlag(db: Db, id: string, flag: QualityFlagName, reason: string, actor: string, now: Date): void {
  db.transaction((tx) => {
    const r = requireResponse(tx, id);
    if (r.status !== 'complete') throw new DomainError('conflict', 'flag_not_applicable', `Response ${id} is ${r.status}; only complete responses carry quality flags.`);
    const existing = tx.select().from(flagOverrules).where(and(eq(flagOverrules.responseId, id), eq(flagOverrules.flag, flag))).get();
    if (existing) throw new DomainError('conflict', 'already_overruled', `The ${flag} flag of response ${id} was already overruled by ${existing.actor} on ${existing.at}.`);
    tx.insert(flagOverrules).values({ responseId: id, flag, reason, actor, at: now.toISOString() }).run();
    appendAudit(tx, { actor, action: 'response.flag_overrule', subjectType: 'response', subjectId: id, before: { flag, overruled: false }, after: { flag, overruled: true }, reason }, now);
  }, { behavior: 'immediate' });
}
