// What a run flagged, stored (docs/decisions/024): the run-time quality flags (speeder,
// straightliner, burst, duplicate_answers, automation) are computed over the whole wave at run
// time, so the console can only show and filter them as "flags as of run N". A run writes its
// flagged (response, flag) pairs in its own transaction; a clean response writes nothing.
// `incomplete` is not written: it follows from the stored row (server/admin/responses/service.ts).
import type Database from 'better-sqlite3';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/open';
import { runFlags, runFlagSets, type RunFlagSetRow } from '../db/schema';
import type { ComputedRun } from './compute';
import { QUALITY_FLAGS, type QualityFlag } from './result';

/** The flags a run stores per response: every flag but `incomplete`. */
export const STORED_RUN_FLAGS = QUALITY_FLAGS.filter((f) => f !== 'incomplete') as Exclude<QualityFlag, 'incomplete'>[];

/**
 * Writes run `runId`'s flagged pairs and its flag notes; call inside the run's write transaction
 * (on that transaction's connection). Cost: one pass over the five flag columns plus an index
 * insert per flagged pair (bench/admin-responses.ts prints it).
 */
export function writeRunFlags(sqlite: Database.Database, runId: number, waveId: number, computed: Pick<ComputedRun, 'perRespondent' | 'flagNotes'>): number {
  const { ids, flags } = computed.perRespondent;
  // One statement per flag over a JSON array of the ids (in id order, as the run read them, so the
  // key grows at its end): measured ~10× faster than a statement per pair for a few thousand.
  const insert = sqlite.prepare('INSERT INTO run_flags (run_id, flag, response_id) SELECT ?, ?, value FROM json_each(?)');
  let flagged = 0;
  for (const f of STORED_RUN_FLAGS) {
    const on = flags[f];
    const hit: string[] = [];
    for (let i = 0; i < on.length; i++) if (on[i]) hit.push(ids[i]!);
    if (hit.length > 0) insert.run(runId, f, JSON.stringify(hit));
    flagged += hit.length;
  }
  sqlite.prepare('INSERT INTO run_flag_sets (run_id, wave_id, speeder_median_ms, speeder_threshold_ms, flagged) VALUES (?, ?, ?, ?, ?)')
    .run(runId, waveId, computed.flagNotes.speederMedianMs, computed.flagNotes.speederThresholdMs, flagged);
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
