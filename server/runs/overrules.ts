// Quality-flag overrules (issue 8): a researcher's written decision that a flagged response is
// genuine. The console writes them (server/admin/responses/service.ts, audited); runs read them.
import { eq } from 'drizzle-orm';
import type { QualityFlagName } from '../../contract/admin-api';
import type { Queryable } from '../db/open';
import { flagOverrules, responses } from '../db/schema';

/**
 * The overrules of a wave's responses, response id → overruled flags: read by every estimate
 * run (server/runs/compute.ts), which keeps an overruled response that the flag would exclude and
 * counts it in `sample.overruled` (METHODOLOGY §6). The console writes them (overruleFlag, audited).
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
