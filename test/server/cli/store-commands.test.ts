// The compute-and-publish commands as child processes on the engine KELISIM_TEST_DB names: the
// command opens KELISIM_DATABASE_URL (PostgreSQL) or KELISIM_DB (SQLite) through
// openStoreFromEnv. frame list / import, run show, run verify, publish, withdraw and estimate work
// on both.
// The data is built with the SQLite code not moved yet and, on PostgreSQL, copied into the
// test's database from createTestStore().
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentPublication, publicationHistory } from '../../../server/publications/service';
import { requireRun } from '../../../server/runs/service';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { openDb } from '../../../server/db/open';
import type { Store } from '../../../server/db/store';
import { runCli } from '../../helpers/spawn';
import type { TestStore } from '../../helpers/store';
import { runFixtureOnTestStore, type RunFixture } from '../exports/run-fixture';
import { REFERENCE_DIR } from '../runs/reference-import';

let fixture: RunFixture;
let ts: TestStore;
let store: Store;
let env: Record<string, string>;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  ({ fixture, ts } = await runFixtureOnTestStore(closers));
  if (ts.engine === 'postgres') {
    store = ts.store;
    // KELISIM_DB points nowhere: the command must use the URL.
    env = { KELISIM_DATABASE_URL: ts.location.url!, KELISIM_DB: path.join(fixture.dir, 'not-used.db') };
  } else {
    store = createSqliteStore(openDb(fixture.file));
    closers.push(() => store.close());
    env = { KELISIM_DB: fixture.file };
  }
}, 240_000);

afterAll(async () => { for (const c of closers.reverse()) await c(); });

const cli = (args: string[]) => runCli(args, env);

describe(`kelisim frame, run, publish, withdraw on the store (${process.env.KELISIM_TEST_DB ?? 'sqlite'})`, () => {
  it('lists and imports frames, shows a run, publishes and withdraws it, each through the configured database', async () => {
    const runId = fixture.run.row.id;
    const listed = await cli(['frame', 'list']);
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toMatch(/\tref\tILLUSTRATIVE\t2021-10-01\t/);
    const imported = await cli(['frame', 'import', '--file', path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'), '--name', 'ref-2', '--source', 'R reference', '--reference-date', '2021-10-01']);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/^stored frame \d+ "ref-2": \d+ cells, content hash [0-9a-f]{64}/);
    expect(fs.existsSync(path.join(fixture.dir, 'not-used.db'))).toBe(false);

    const shown = await cli(['run', 'show', '--run', String(runId)]);
    expect(shown.code).toBe(0);
    const doc = JSON.parse(shown.stdout) as { runId: number; inputs: { inputHash: string }; sample: unknown };
    expect(doc.runId).toBe(runId);
    expect(doc.inputs.inputHash).toBe(fixture.run.row.inputHash);
    expect(doc.sample).toEqual(fixture.run.result.sample);
    const missing = await cli(['run', 'show', '--run', '99999']);
    expect([missing.code, missing.stderr]).toEqual([2, 'kelisim run: --run 99999: no such estimate run\n']);

    expect((await cli(['publish', '--run', String(runId)])).stdout).toBe(`published run ${runId} for 2024-Q2\n`);
    const again = await cli(['publish', '--run', String(runId)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`--run ${runId} is already the published run for 2024-Q2`);
    expect((await currentPublication(store.sql, '2024-Q2'))?.runId).toBe(runId);
    const withdrawn = await cli(['withdraw', '--run', String(runId), '--reason', 'frame revised']);
    expect([withdrawn.code, withdrawn.stdout]).toEqual([0, `withdrew run ${runId} for 2024-Q2: frame revised\n`]);
    expect((await publicationHistory(store.sql, '2024-Q2')).map((e) => [e.action, e.runId, e.reason])).toEqual([['withdraw', runId, 'frame revised'], ['publish', runId, null]]);
  }, 120_000);

  it('computes a run from the rows on either engine: the same input hash and the same estimates as the run computed on SQLite; run verify recomputes them identical', async () => {
    const estimate = await cli(['estimate', '--period', '2024-Q2', '--frame', 'ref']);
    expect(estimate.stderr).toBe('');
    expect(estimate.code).toBe(0);
    const doc = JSON.parse(estimate.stdout) as { runId: number; inputs: { inputHash: string } };
    expect(doc.runId).toBeGreaterThan(fixture.run.row.id);
    expect(doc.inputs.inputHash).toBe(fixture.run.row.inputHash);
    const stored = await requireRun(store.sql, doc.runId);
    expect(stored.row.scoringHash).toBe(fixture.run.row.scoringHash);
    expect(stored.result.analysis).toEqual(fixture.run.result.analysis);
    expect(stored.result.sample).toEqual(fixture.run.result.sample);
    // run verify recomputes on this engine: the run this command computed is identical; the one
    // computed from the source tree when the fixture was made differs in the engine version only
    // (the compiled command hashes its own code), so its inputs and every number are the same.
    const same = await cli(['run', 'verify', '--run', String(doc.runId)]);
    expect([same.code, same.stderr, same.stdout]).toEqual([0, '', `run ${doc.runId}: identical (recomputed from the database: same inputs, same result)\n`]);
    const older = await cli(['run', 'verify', '--run', String(fixture.run.row.id)]);
    expect([older.code, older.stderr]).toEqual([1, '']);
    expect(older.stdout).toMatch(new RegExp(`^run ${fixture.run.row.id}: DIFFERS in 1 place\\n  engine version: stored "${fixture.run.row.engineVersion.replace(/[.+]/g, '\\$&')}", now "[^"]+"\\n$`));
  }, 120_000);
});
