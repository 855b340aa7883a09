// The quality flags a plain export computes (streamed, server/exports/run-columns.ts) are the
// flags an estimate run computes (server/runs/compute.ts, the definition): on the reference
// interviews with planted speeders, and on generated answers with `dk` (a missing score is never
// part of a straightline) plus planted rows — five identical answers (a straightliner, with a
// reversed item among them), five `dk` (not one) and no indicator score at all (incomplete).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreItem } from '../../../analysis/scoring';
import { openDb } from '../../../server/db/open';
import { streamedQualityFlags } from '../../../server/exports/run-columns';
import { inExportSnapshot } from '../../../server/exports/snapshot';
import { waveQualityFlags, waveScoringSpec } from '../../../server/runs/compute';
import { QUALITY_FLAGS } from '../../../server/runs/result';
import { createExportFixture, type ExportFixture } from './fixture';
import { createRunFixture, type RunFixture } from './run-fixture';

let rf: RunFixture;
let fx: ExportFixture;
beforeAll(async () => { rf = await createRunFixture(); fx = createExportFixture(45); }, 120_000);
afterAll(() => { fs.rmSync(rf.dir, { recursive: true, force: true }); fs.rmSync(fx.dir, { recursive: true, force: true }); });

async function both(file: string, waveId: number) {
  const db = openDb(file);
  try {
    const { spec } = waveScoringSpec(db, waveId);
    return { streamed: await inExportSnapshot(db, (snap) => streamedQualityFlags(snap, waveId, spec)), run: waveQualityFlags(db, waveId) };
  } finally { db.$client.close(); }
}

const ones = (a: Uint8Array | undefined) => [...(a ?? [])].flatMap((x, i) => (x ? [i] : []));

describe('quality flags of a plain export', () => {
  it('equal the run\'s on the reference interviews (planted speeders, straightliners on the raw answers)', async () => {
    const { streamed, run } = await both(rf.file, rf.waveId);
    expect(streamed.n).toBe(run.ids.length);
    for (const f of QUALITY_FLAGS) expect(ones(streamed.flags[f]), f).toEqual(ones(run.flags[f]));
    expect(ones(streamed.flags.speeder).length).toBe(rf.speeders);
    expect(ones(streamed.flags.straightliner).length).toBe(rf.run.result.sample.excludedBy.straightliner);
  });

  it('equal the run\'s with dk answers, a planted straightliner, five dk and a response without scores', async () => {
    const db = openDb(fx.file);
    try {
      const { spec } = waveScoringSpec(db, fx.waveId);
      const consensus = spec.indicators.find((i) => i.id === 'consensus')!;
      const same = Object.fromEntries(consensus.items.map((it) => [it.name, scoreItem(it, 2)]));
      const dk = Object.fromEntries(consensus.items.map((it) => [it.name, null]));
      const set = db.$client.prepare('UPDATE responses SET item_scores = json_patch(item_scores, ?) WHERE id = ?');
      set.run(JSON.stringify(same), 'r0002');
      set.run(JSON.stringify(dk), 'r0003');
      db.$client.prepare("UPDATE responses SET consensus = NULL, tolerance = NULL, mood = NULL WHERE id = 'r0004'").run();
      // The reversed a3 has another score for the same answer: a straightline of answers, not of scores.
      expect(new Set(Object.values(same)).size).toBeGreaterThan(1);
    } finally { db.$client.close(); }
    const { streamed, run } = await both(fx.file, fx.waveId);
    for (const f of QUALITY_FLAGS) expect(ones(streamed.flags[f]), f).toEqual(ones(run.flags[f]));
    const index = (id: string) => run.ids.toArray().indexOf(id);
    expect(streamed.flags.straightliner[index('r0002')]).toBe(1);
    expect(streamed.flags.straightliner[index('r0003')]).toBe(0);
    expect(streamed.flags.incomplete[index('r0004')]).toBe(1);
    // 45 completes with durations: the median is computed; none is under 30% of it.
    expect(ones(streamed.flags.speeder)).toEqual([]);
  });
});
