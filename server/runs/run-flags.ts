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

/**
 * Writes run `runId`'s flagged pairs and its flag notes; call inside the run's write transaction
 * (`tx`). Cost: one pass over the five flag columns plus an index insert per flagged pair
 * (bench/admin-responses.ts prints it).
 */
export async function writeRunFlags(tx: Sql, runId: number, waveId: number, computed: Pick<ComputedRun, 'perRespondent' | 'flagNotes'>): Promise<number> {
  const { ids, flags } = computed.perRespondent;
  // One statement per flag over a JSON array of the ids (in id order, as the run read them, so the
  // key grows at its end): measured ~10× faster on SQLite than a statement per pair for a few thousand.
  const elements = (json: string) => (tx.dialect === 'postgres' ? sql`json_array_elements_text(CAST(${json} AS json))` : sql`json_each(${json})`);
  let flagged = 0;
  for (const f of STORED_RUN_FLAGS) {
    const on = flags[f];
    const hit: string[] = [];
    for (let i = 0; i < on.length; i++) if (on[i]) hit.push(ids.at(i));
    if (hit.length > 0) {
      await tx.run(sql`INSERT INTO ${runFlags} (${bare(runFlags.runId)}, ${bare(runFlags.flag)}, ${bare(runFlags.responseId)})
        SELECT CAST(${runId} AS INTEGER), CAST(${f} AS TEXT), value FROM ${elements(JSON.stringify(hit))}`);
    }
    flagged += hit.length;
  }
  await tx.run(sql`INSERT INTO ${runFlagSets} (${bare(runFlagSets.runId)}, ${bare(runFlagSets.waveId)}, ${bare(runFlagSets.speederMedianMs)}, ${bare(runFlagSets.speederThresholdMs)}, ${bare(runFlagSets.flagged)})
    VALUES (${runId}, ${waveId}, ${computed.flagNotes.speederMedianMs}, ${computed.flagNotes.speederThresholdMs}, ${flagged})`);
  return flagged;
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
