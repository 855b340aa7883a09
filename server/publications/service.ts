// Publishing estimate runs (DESIGN.md data flow, step 3). `publications` is an append-only event
// log (DB triggers refuse UPDATE and DELETE): a 'publish' event makes its run the published one
// for the run's period — replacing an earlier one, which marks the period revised — and a
// 'withdraw' event takes the run back. The current state of a period is its latest event. Every
// event is also written to the audit log in the same transaction.
//
// The public API reads only through `publishedRuns` and `currentPublication`.
import { sql } from 'drizzle-orm';
import { estimateRuns, publications, waves, type EstimateRunRow, type PublicationRow, type WaveRow } from '../db/schema';
import { bare, type Sql } from '../db/sql';
import type { Store } from '../db/store';
import { DomainError } from '../errors';
import type { StoredRunResult } from '../runs/result';
import { appendAuditTx, PUBLICATION_COLUMNS, RUN_COLUMNS, toRun, waveById } from '../runs/rows';
import { requireRun, type StoredRun } from '../runs/service';

/** The published run of a period, as the public API needs it. */
export interface PublishedRun {
  period: string;
  runId: number;
  waveId: number;
  /** When this run was published (the latest publish event of the period). */
  publishedAt: string;
  /** True when another run had been published for this period before this one (a revision). */
  revised: boolean;
  /** Runs published for this period before, oldest first (replaced or withdrawn). */
  previousRunIds: number[];
  run: EstimateRunRow;
  result: StoredRunResult;
}

const PUBLICATION_ORDER = sql`${publications.id}`;

async function periodEvents(q: Sql, period: string): Promise<PublicationRow[]> {
  return q.all<PublicationRow>(sql`SELECT ${PUBLICATION_COLUMNS} FROM ${publications} WHERE ${publications.period} = ${period} ORDER BY ${PUBLICATION_ORDER}`);
}

async function toPublished(q: Sql, period: string, events: PublicationRow[]): Promise<PublishedRun | null> {
  const last = events[events.length - 1];
  if (!last || last.action !== 'publish') return null;
  const r = await q.get<Record<string, unknown>>(sql`SELECT ${RUN_COLUMNS} FROM ${estimateRuns} WHERE ${estimateRuns.id} = ${last.runId}`);
  if (!r) return null;
  const run = toRun(r);
  const earlier = [...new Set(events.filter((e) => e.action === 'publish' && e.runId !== last.runId && e.id < last.id).map((e) => e.runId))];
  return {
    period, runId: run.id, waveId: run.waveId, publishedAt: last.at,
    revised: earlier.length > 0, previousRunIds: earlier,
    run, result: run.result as unknown as StoredRunResult,
  };
}

/**
 * The currently published run of `period` ('2026-Q3'), or null when nothing is published (never
 * published, or withdrawn). Cost: one indexed query over the period's events plus the run row.
 */
export async function currentPublication(q: Sql, period: string): Promise<PublishedRun | null> {
  return toPublished(q, period, await periodEvents(q, period));
}

/** Every period's currently published run, ordered by period (oldest first). */
export async function publishedRuns(q: Sql): Promise<PublishedRun[]> {
  const all = await q.all<PublicationRow>(sql`SELECT ${PUBLICATION_COLUMNS} FROM ${publications} ORDER BY ${PUBLICATION_ORDER}`);
  const byPeriod = new Map<string, PublicationRow[]>();
  for (const e of all) byPeriod.set(e.period, [...(byPeriod.get(e.period) ?? []), e]);
  const out: PublishedRun[] = [];
  // Periods sorted in JS (the engines order text differently).
  for (const [period, events] of [...byPeriod].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const p = await toPublished(q, period, events);
    if (p) out.push(p);
  }
  return out;
}

/** The full publication history (every event), newest first: for the console and audits. */
export async function publicationHistory(q: Sql, period?: string): Promise<PublicationRow[]> {
  const where = period === undefined ? sql`` : sql` WHERE ${publications.period} = ${period}`;
  return q.all<PublicationRow>(sql`SELECT ${PUBLICATION_COLUMNS} FROM ${publications}${where} ORDER BY ${publications.id} DESC`);
}

async function runWave(tx: Sql, runId: number): Promise<{ run: StoredRun; wave: WaveRow }> {
  const run = await requireRun(tx, runId);
  return { run, wave: (await waveById(tx, run.row.waveId))! };
}

async function insertEvent(tx: Sql, e: Omit<PublicationRow, 'id'>): Promise<PublicationRow> {
  const row = await tx.get<PublicationRow>(sql`INSERT INTO ${publications}
    (${bare(publications.runId)}, ${bare(publications.period)}, ${bare(publications.action)}, ${bare(publications.reason)}, ${bare(publications.actor)}, ${bare(publications.at)})
    VALUES (${e.runId}, ${e.period}, ${e.action}, ${e.reason}, ${e.actor}, ${e.at})
    RETURNING ${PUBLICATION_COLUMNS}`);
  return row!;
}

/**
 * The write lock of a period's publication events, taken before reading its current state: two
 * servers publishing for one period at once are serialised (SQLite's one writer already does it;
 * on PostgreSQL the wave's row is locked).
 */
async function lockWave(tx: Sql, waveId: number): Promise<void> {
  if (tx.dialect === 'postgres') await tx.run(sql`SELECT ${waves.id} FROM ${waves} WHERE ${waves.id} = ${waveId} FOR UPDATE`);
}

/**
 * Publishes run `runId` for its wave's period (replacing the period's current run, if any).
 * @throws DomainError not_found (run), conflict (wave without a period; run already the published one)
 */
export async function publishRun(store: Store, runId: number, actor: string, now = new Date()): Promise<{ event: PublicationRow; replaced: number | null }> {
  return store.write(async (tx) => {
    const { wave } = await runWave(tx, runId);
    if (!wave.period) {
      throw new DomainError('conflict', 'no_period', `--run ${runId}: its wave ${wave.id} has no period, so it cannot be part of the public series; record the wave with a period (kelisim wave create --period YYYY-Qn) and import into it`);
    }
    await lockWave(tx, wave.id);
    const events = await periodEvents(tx, wave.period);
    const current = await toPublished(tx, wave.period, events);
    if (current?.runId === runId) throw new DomainError('conflict', 'already_published', `--run ${runId} is already the published run for ${wave.period} (since ${current.publishedAt})`);
    const event = await insertEvent(tx, { runId, period: wave.period, action: 'publish', reason: null, actor, at: now.toISOString() });
    await appendAuditTx(tx, {
      actor, action: 'run.publish', subjectType: 'estimate_run', subjectId: runId,
      before: current ? { period: wave.period, publishedRun: current.runId } : { period: wave.period, publishedRun: null },
      after: { period: wave.period, publishedRun: runId, revised: current !== null || events.some((e) => e.action === 'publish' && e.runId !== runId) },
    }, now);
    return { event, replaced: current?.runId ?? null };
  });
}

/**
 * Withdraws run `runId`, which must be the published run of its period; the period then has no
 * published run until another is published.
 * @throws DomainError bad_usage (empty reason), not_found (run), conflict (run not currently published)
 */
export async function withdrawRun(store: Store, runId: number, reason: string, actor: string, now = new Date()): Promise<{ event: PublicationRow }> {
  if (reason.trim() === '') throw new DomainError('bad_usage', 'invalid_option', '--reason must say why the run is withdrawn');
  return store.write(async (tx) => {
    const { wave } = await runWave(tx, runId);
    if (wave.period) await lockWave(tx, wave.id);
    const current = wave.period ? await currentPublication(tx, wave.period) : null;
    if (!wave.period || current?.runId !== runId) {
      throw new DomainError('conflict', 'not_published', `--run ${runId} is not the published run of ${wave.period ?? 'any period'}${current ? ` (run ${current.runId} is)` : ''}; nothing to withdraw`);
    }
    const event = await insertEvent(tx, { runId, period: wave.period, action: 'withdraw', reason: reason.trim(), actor, at: now.toISOString() });
    await appendAuditTx(tx, {
      actor, action: 'run.withdraw', subjectType: 'estimate_run', subjectId: runId,
      before: { period: wave.period, publishedRun: runId }, after: { period: wave.period, publishedRun: null }, reason: reason.trim(),
    }, now);
    return { event };
  });
}

/** Whether run `runId` has ever been published (for the console). */
export async function everPublished(q: Sql, runId: number): Promise<boolean> {
  const r = await q.get(sql`SELECT ${publications.id} AS "id" FROM ${publications} WHERE ${publications.runId} = ${runId} AND ${publications.action} = 'publish' LIMIT 1`);
  return r !== undefined;
}
