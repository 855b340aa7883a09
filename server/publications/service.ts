// Publishing estimate runs (DESIGN.md data flow, step 3). `publications` is an append-only event
// log (DB triggers refuse UPDATE and DELETE): a 'publish' event makes its run the published one
// for the run's period — replacing an earlier one, which marks the period revised — and a
// 'withdraw' event takes the run back. The current state of a period is its latest event. Every
// event is also written to the audit log in the same transaction.
//
// The public API reads only through `publishedRuns` and `currentPublication`.
import { and, asc, desc, eq } from 'drizzle-orm';
import { appendAudit } from '../audit/service';
import type { Db, Queryable } from '../db/open';
import { estimateRuns, publications, waves, type EstimateRunRow, type PublicationRow } from '../db/schema';
import { DomainError } from '../errors';
import type { StoredRunResult } from '../runs/result';
import { requireRun } from '../runs/service';

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

function periodEvents(db: Queryable, period: string): PublicationRow[] {
  return db.select().from(publications).where(eq(publications.period, period)).orderBy(asc(publications.id)).all();
}

function toPublished(db: Queryable, period: string, events: PublicationRow[]): PublishedRun | null {
  const last = events[events.length - 1];
  if (!last || last.action !== 'publish') return null;
  const run = db.select().from(estimateRuns).where(eq(estimateRuns.id, last.runId)).get();
  if (!run) return null;
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
export function currentPublication(db: Queryable, period: string): PublishedRun | null {
  return toPublished(db, period, periodEvents(db, period));
}

/** Every period's currently published run, ordered by period (oldest first). */
export function publishedRuns(db: Queryable): PublishedRun[] {
  const all = db.select().from(publications).orderBy(asc(publications.id)).all();
  const byPeriod = new Map<string, PublicationRow[]>();
  for (const e of all) byPeriod.set(e.period, [...(byPeriod.get(e.period) ?? []), e]);
  const out: PublishedRun[] = [];
  for (const [period, events] of [...byPeriod].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const p = toPublished(db, period, events);
    if (p) out.push(p);
  }
  return out;
}

/** The full publication history (every event), newest first: for the console and audits. */
export function publicationHistory(db: Queryable, period?: string): PublicationRow[] {
  const q = db.select().from(publications);
  return (period ? q.where(eq(publications.period, period)) : q).orderBy(desc(publications.id)).all();
}

/**
 * Publishes run `runId` for its wave's period (replacing the period's current run, if any).
 * @throws DomainError not_found (run), conflict (wave without a period; run already the published one)
 */
export function publishRun(db: Db, runId: number, actor: string, now = new Date()): { event: PublicationRow; replaced: number | null } {
  return db.transaction((tx) => {
    const run = requireRun(tx, runId);
    const wave = tx.select().from(waves).where(eq(waves.id, run.row.waveId)).get()!;
    if (!wave.period) {
      throw new DomainError('conflict', 'no_period', `--run ${runId}: its wave ${wave.id} has no period, so it cannot be part of the public series; record the wave with a period (kelisim wave create --period YYYY-Qn) and import into it`);
    }
    const current = currentPublication(tx, wave.period);
    if (current?.runId === runId) throw new DomainError('conflict', 'already_published', `--run ${runId} is already the published run for ${wave.period} (since ${current.publishedAt})`);
    const at = now.toISOString();
    const event = tx.insert(publications).values({ runId, period: wave.period, action: 'publish', reason: null, actor, at }).returning().get();
    appendAudit(tx, {
      actor, action: 'run.publish', subjectType: 'estimate_run', subjectId: runId,
      before: current ? { period: wave.period, publishedRun: current.runId } : { period: wave.period, publishedRun: null },
      after: { period: wave.period, publishedRun: runId, revised: current !== null || periodEvents(tx, wave.period).some((e) => e.action === 'publish' && e.runId !== runId) },
    }, now);
    return { event, replaced: current?.runId ?? null };
  }, { behavior: 'immediate' });
}

/**
 * Withdraws run `runId`, which must be the published run of its period; the period then has no
 * published run until another is published.
 * @throws DomainError bad_usage (empty reason), not_found (run), conflict (run not currently published)
 */
export function withdrawRun(db: Db, runId: number, reason: string, actor: string, now = new Date()): { event: PublicationRow } {
  if (reason.trim() === '') throw new DomainError('bad_usage', 'invalid_option', '--reason must say why the run is withdrawn');
  return db.transaction((tx) => {
    const run = requireRun(tx, runId);
    const wave = tx.select().from(waves).where(eq(waves.id, run.row.waveId)).get()!;
    const current = wave.period ? currentPublication(tx, wave.period) : null;
    if (!wave.period || current?.runId !== runId) {
      throw new DomainError('conflict', 'not_published', `--run ${runId} is not the published run of ${wave.period ?? 'any period'}${current ? ` (run ${current.runId} is)` : ''}; nothing to withdraw`);
    }
    const event = tx.insert(publications).values({ runId, period: wave.period, action: 'withdraw', reason: reason.trim(), actor, at: now.toISOString() }).returning().get();
    appendAudit(tx, {
      actor, action: 'run.withdraw', subjectType: 'estimate_run', subjectId: runId,
      before: { period: wave.period, publishedRun: runId }, after: { period: wave.period, publishedRun: null }, reason: reason.trim(),
    }, now);
    return { event };
  }, { behavior: 'immediate' });
}

/** Whether run `runId` has ever been published (for the console). */
export function everPublished(db: Queryable, runId: number): boolean {
  return db.select({ id: publications.id }).from(publications).where(and(eq(publications.runId, runId), eq(publications.action, 'publish'))).limit(1).get() !== undefined;
}
