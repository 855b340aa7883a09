// Quality-flag overrules (issue 8): a researcher's written decision that a flagged response is
// genuine. The console writes them (server/admin/responses/service.ts, audited); runs read them.
import { sql } from 'drizzle-orm';
import type { QualityFlagName } from '../../contract/quality-flags';
import type { Queryable } from '../db/open';
import type { Sql } from '../db/sql';
import { flagOverrules, responses } from '../db/schema';

/**
 * The overrules of a wave's responses, response id → overruled flags: read by every estimate
 * run (server/runs/compute.ts), which keeps an overruled response that the flag would exclude and
 * counts it in `sample.overruled` (METHODOLOGY §6). The console writes them (overruleFlag, audited).
 */
export function overrulesOfWave(db: Queryable, waveId: number): Map<string, Set<QualityFlagName>> {
  // Driven from the (few) overrules, each response found by its key: as a join, SQLite's planner
  // walked the wave's index instead — every response of the wave, 75 ms a million.
  const rows = db.select({ id: flagOverrules.responseId, flag: flagOverrules.flag }).from(flagOverrules)
    .where(sql`(SELECT ${responses.waveId} FROM ${responses} WHERE ${responses.id} = ${flagOverrules.responseId}) = ${waveId}`).all();
  return groupOverrules(rows);
}

/**
 * {@link overrulesOfWave} through the store's executor (decision 027), on either engine. The
 * synchronous form stays while server/runs/compute.ts reads the run's rows from SQLite.
 */
export async function overrulesOfWaveSql(q: Sql, waveId: number): Promise<Map<string, Set<QualityFlagName>>> {
  const rows = await q.all<{ id: string; flag: QualityFlagName }>(sql`SELECT ${flagOverrules.responseId} AS "id", ${flagOverrules.flag} AS "flag"
    FROM ${flagOverrules} INNER JOIN ${responses} ON ${responses.id} = ${flagOverrules.responseId}
    WHERE ${responses.waveId} = ${waveId} ORDER BY ${flagOverrules.id}`);
  return groupOverrules(rows);
}

function groupOverrules(rows: readonly { id: string; flag: QualityFlagName }[]): Map<string, Set<QualityFlagName>> {
  const out = new Map<string, Set<QualityFlagName>>();
  for (const r of rows) {
    let set = out.get(r.id);
    if (!set) out.set(r.id, (set = new Set()));
    set.add(r.flag);
  }
  return out;
}
