// What a run flagged, stored (docs/decisions/024): the run-time quality flags (speeder,
// straightliner, burst, duplicate_answers, automation) are computed over the whole wave at run
// time, so the console can only show and filter them as "flags as of run N". A run writes its
// flagged (response, flag) pairs in its own transaction; a clean response writes nothing.
// `incomplete` is not written: it follows from the stored row (server/admin/responses/service.ts).
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { bare, type Sql } from '../db/sql';
import type { Queryable } from '../db/open';
import { runFlags, runFlagSets, type RunFlagSetRow } from '../db/schema';
import type { ComputedRun } from './compute';
import { QUALITY_FLAGS, type QualityFlag } from './result';

/** The flags a run stores per response: every flag but `incomplete`. */
export const STORED_RUN_FLAGS = QUALITY_FLAGS.filter((f) => f !== 'incomplete') as Exclude<QualityFlag, 'incomplete'>[];

/** A run's flagged pairs as {@link writeRunFlags} writes them: per stored flag, the JSON array of the ids it marks (id order). */
export interface FlaggedIds {
  byFlag: { flag: (typeof STORED_RUN_FLAGS)[number]; ids: string }[];
  count: number;
  notes: ComputedRun['flagNotes'];
}

/**
 * The flagged pairs of a computed run, ready to write: made before the run's write transaction
 * opens, so that the transaction (which every other writer of the database waits for) only
 * inserts. Cost: one pass over the five flag columns (~50 ms a million rows).
 */
export function flaggedIds(computed: Pick<ComputedRun, 'perRespondent' | 'flagNotes'>): FlaggedIds {
  const { ids, flags } = computed.perRespondent;
  const byFlag: FlaggedIds['byFlag'] = [];
  let count = 0;
  for (const flag of STORED_RUN_FLAGS) {
    const on = flags[flag];
    const hit: string[] = [];
    for (let i = 0; i < on.length; i++) if (on[i]) hit.push(ids.at(i));
    if (hit.length > 0) byFlag.push({ flag, ids: JSON.stringify(hit) });
    count += hit.length;
  }
  return { byFlag, count, notes: computed.flagNotes };
}

/**
 * Writes run `runId`'s flagged pairs ({@link flaggedIds}) and its flag notes; call inside the
 * run's write transaction (`tx`). Cost: an index insert per flagged pair (bench/admin-responses.ts
 * prints it). Returns how many pairs it wrote.
 */
export async function writeRunFlags(tx: Sql, runId: number, waveId: number, flagged: FlaggedIds): Promise<number> {
  // One statement per flag over a JSON array of the ids (in id order, as the run read them, so the
  // key grows at its end): measured ~10× faster on SQLite than a statement per pair for a few thousand.
  const elements = (json: string) => (tx.dialect === 'postgres' ? sql`json_array_elements_text(CAST(${json} AS json))` : sql`json_each(${json})`);
  for (const { flag, ids } of flagged.byFlag) {
    await tx.run(sql`INSERT INTO ${runFlags} (${bare(runFlags.runId)}, ${bare(runFlags.flag)}, ${bare(runFlags.responseId)})
      SELECT CAST(${runId} AS INTEGER), CAST(${flag} AS TEXT), value FROM ${elements(ids)}`);
  }
  await tx.run(sql`INSERT INTO ${runFlagSets} (${bare(runFlagSets.runId)}, ${bare(runFlagSets.waveId)}, ${bare(runFlagSets.speederMedianMs)}, ${bare(runFlagSets.speederThresholdMs)}, ${bare(runFlagSets.flagged)})
    VALUES (${runId}, ${waveId}, ${flagged.notes.speederMedianMs}, ${flagged.notes.speederThresholdMs}, ${flagged.count})`);
  return flagged.count;
}

/** The wave's latest run that recorded its flags, or undefined (no run yet, or only runs from before decision 024). */
export function latestFlagSet(db: Queryable, waveId: number): RunFlagSetRow | undefined {
  return db.select().from(runFlagSets).where(eq(runFlagSets.waveId, waveId)).orderBy(desc(runFlagSets.runId)).limit(1).get();
}

/** Response id → the flags run `runId` stored for it, for the given responses (a page of the list). */
export function runFlagsOf(db: Queryable, runId: number, responseIds: readonly string[]): Map<string, QualityFlag[]> {
  const out = new Map<string, QualityFlag[]>();
  if (responseIds.length === 0) return out;
  const rows = db.select({ id: runFlags.responseId, flag: runFlags.flag }).from(runFlags)
    .where(and(eq(runFlags.runId, runId), inArray(runFlags.flag, STORED_RUN_FLAGS), inArray(runFlags.responseId, [...responseIds]))).all();
  for (const r of rows) {
    const list = out.get(r.id);
    if (list) list.push(r.flag); else out.set(r.id, [r.flag]);
  }
  // QUALITY_FLAGS order, whatever order the index gave.
  for (const list of out.values()) list.sort((a, b) => QUALITY_FLAGS.indexOf(a) - QUALITY_FLAGS.indexOf(b));
  return out;
}
