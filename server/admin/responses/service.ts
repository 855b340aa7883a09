// The console's view of responses: a keyset-paginated list of one wave (newest or oldest first by
// last change, over the (wave_id, updated_at, id) index, so a page costs the same at any depth), one response with its questions' texts and answers'
// labels in a chosen language, and a researcher's overrule of a quality flag (audited).
//
// Flags here: `incomplete` (a complete response none of whose indicators could be scored, as the
// run computes it) is known from the stored row; `speeder` and `straightliner` are computed by
// the run over the whole wave (server/runs/compute.ts) and not stored per response, so the list
// cannot show or filter them yet (docs/decisions/019, open points). An overrule is stored per
// response and flag whatever the flag.
import { and, asc, desc, eq, exists, sql, type SQL } from 'drizzle-orm';
import type { FlagState, QualityFlagName, ResponseDetail, ResponseListQuery, ResponseSummary } from '../../../contract/admin-api';
import { appendAudit } from '../../audit/service';
import type { Db, Queryable } from '../../db/open';
import { flagOverrules, responses, surveyVersions, type ResponseRow } from '../../db/schema';
import { DomainError } from '../../errors';
import type { Locale } from '../../../contract/locales';

const INCOMPLETE_SQL = sql`(${responses.status} = 'complete' and ${responses.consensus} is null and ${responses.tolerance} is null and ${responses.mood} is null)`;

function flagsOf(r: Pick<ResponseRow, 'status' | 'consensus' | 'tolerance' | 'mood'>): QualityFlagName[] {
  return r.status === 'complete' && r.consensus === null && r.tolerance === null && r.mood === null ? ['incomplete'] : [];
}

function summary(r: ResponseRow): ResponseSummary {
  return {
    id: r.id, waveId: r.waveId, status: r.status, mode: r.mode, locale: r.locale, region: r.region,
    startedAt: r.startedAt, updatedAt: r.updatedAt, completedAt: r.completedAt, durationMs: r.durationMs, flags: flagsOf(r),
  };
}

/** Cursor: `<updatedAt>|<id>` of the last row of the previous page, base64url. */
const encodeCursor = (r: ResponseRow) => Buffer.from(`${r.updatedAt}|${r.id}`).toString('base64url');
function decodeCursor(c: string): { at: string; id: string } {
  const [at, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  if (!at || !id) throw new DomainError('bad_usage', 'invalid_option', 'cursor: not a cursor this list gave; start from the first page');
  return { at, id };
}

export function listResponses(db: Queryable, q: ResponseListQuery): { items: ResponseSummary[]; nextCursor: string | null } {
  const limit = q.limit ?? 50;
  const newest = (q.sort ?? 'newest') === 'newest';
  const conds: (SQL | undefined)[] = [
    eq(responses.waveId, q.wave),
    q.status === undefined ? undefined : eq(responses.status, q.status),
    q.mode === undefined ? undefined : eq(responses.mode, q.mode),
    q.region === undefined ? undefined : eq(responses.region, q.region),
  ];
  if (q.flag === 'incomplete') conds.push(INCOMPLETE_SQL);
  else if (q.flag === 'overruled') conds.push(exists(db.select({ one: sql`1` }).from(flagOverrules).where(eq(flagOverrules.responseId, responses.id))));
  else if (q.flag !== undefined) {
    throw new DomainError('bad_usage', 'invalid_option', `flag=${q.flag}: speeder and straightliner flags are computed by an estimate run over the whole wave and are not stored per response yet; filter by incomplete or overruled`);
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
  return { items: page.map(summary), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null };
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
  const flagStates: FlagState[] = flagsOf(r).map((flag) => ({ flag, reason: 'no indicator could be scored from the answers', overruled: null }));
  for (const o of overrules) {
    const s = flagStates.find((f) => f.flag === o.flag);
    const overruled = { reason: o.reason, by: o.actor, at: o.at };
    if (s) s.overruled = overruled;
    else flagStates.push({ flag: o.flag, reason: 'flagged by an estimate run', overruled });
  }
  return {
    ...summary(r), interviewer: r.interviewer, surveyVersionId: r.surveyVersionId,
    scores: { consensus: r.consensus, tolerance: r.tolerance, mood: r.mood },
    answers, flagStates,
  };
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

/**
 * The overrules of a wave's responses, response id → overruled flags: the seam for the estimate
 * run (server/runs/compute.ts) to keep an overruled response that a flag would exclude and count
 * it in `sample.overruled` (METHODOLOGY §6). Not read by the run yet (decision 019, open points).
 */
export function overrulesOfWave(db: Queryable, waveId: number): Map<string, Set<QualityFlagName>> {
  const rows = db.select({ id: flagOverrules.responseId, flag: flagOverrules.flag }).from(flagOverrules)
    .innerJoin(responses, eq(responses.id, flagOverrules.responseId)).where(eq(responses.waveId, waveId)).all();
  const out = new Map<string, Set<QualityFlagName>>();
  for (const r of rows) {
    let set = out.get(r.id);
    if (!set) out.set(r.id, (set = new Set()));
    set.add(r.flag);
  }
  return out;
}
