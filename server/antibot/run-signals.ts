// The inputs of the open-link quality flags (analysis/quality.ts: burst, duplicate answers,
// automation) for an estimate run, read beside server/runs/compute.ts's own read so that its
// row reading stays as it is: one extra pass over the wave's complete responses, joined to the
// run's rows by id (both in id order, a merge: no map of a million ids).
import type { Db } from '../db/open';

export interface RunSignals {
  addressHash: (string | null)[];
  powOk: (number | null)[];
  answersHash: (string | null)[];
  /** Completion time, ms since the epoch (NaN when missing). */
  completedAtMs: Float64Array;
}

type Row = [string, string | null, number | null, string | null, string | null];

/**
 * The signals of the rows `ids` (the run's complete responses of `waveId`, in id order, as
 * readRunInput returns them); a row without signals gets nulls. Rows completed since the run's own
 * read are skipped by the merge.
 * Cost: one indexed scan of the wave's complete responses.
 */
export function readRunSignals(db: Db, waveId: number, ids: readonly string[]): RunSignals {
  const n = ids.length;
  const out: RunSignals = {
    addressHash: new Array<string | null>(n).fill(null),
    powOk: new Array<number | null>(n).fill(null),
    answersHash: new Array<string | null>(n).fill(null),
    completedAtMs: new Float64Array(n).fill(Number.NaN),
  };
  const stmt = db.$client.prepare(`SELECT r.id, r.completed_at, s.pow_ok, s.address_hash, s.answers_hash
    FROM responses r LEFT JOIN response_signals s ON s.response_id = r.id
    WHERE r.wave_id = ? AND r.status = 'complete' ORDER BY r.id`).raw(true);
  let i = 0;
  for (const [id, completedAt, powOk, address, answers] of stmt.iterate(waveId) as IterableIterator<Row>) {
    while (i < n && ids[i]! < id) i++;
    if (i >= n) break;
    if (ids[i] !== id) continue;
    out.completedAtMs[i] = completedAt === null ? Number.NaN : Date.parse(completedAt);
    out.powOk[i] = powOk;
    out.addressHash[i] = address;
    out.answersHash[i] = answers;
    i++;
  }
  return out;
}
