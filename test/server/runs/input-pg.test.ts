// The PostgreSQL reader of a run's input (server/runs/input-pg.ts) against the SQLite one
// (input.ts) on the same rows: each R reference set imported into SQLite as field interviews,
// with open-link signals, design weights and missing factors added on some rows, then copied
// into a PostgreSQL database of the throw-away cluster (`kelisim db copy`'s code). Both readers
// must give the same InputRows — ids, codes, label tables, columns, block hashes and input hash —
// and so the same quality flags of the run. Always runs both engines (it compares them).
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { copySqliteToPg } from '../../../server/db/copy-pg';
import { runQualityFlags, waveScoringSpec } from '../../../server/runs/compute';
import { readRunInput, type InputRows } from '../../../server/runs/input';
import { readRunInputPg } from '../../../server/runs/input-pg';
import { createTestPgDb } from '../../helpers/pg';
import { REFERENCE_CASES, referenceWave } from './reference-import';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

/** InputRows as plain data (typed arrays as arrays, NaN kept as a string) for a deep comparison. */
function plain(x: InputRows): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) return { typed: v.constructor.name, values: Array.from(v as unknown as ArrayLike<number>, (n) => (Number.isNaN(n) ? 'NaN' : n)) };
    if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
    return v;
  }));
}

describe('the PostgreSQL reader of a run\'s input', () => {
  for (const refCase of REFERENCE_CASES) {
    it(`gives the SQLite reader's InputRows and flags on reference set ${refCase}`, async () => {
      const { t, db, waveId } = await referenceWave('2024-Q2', { refCase, shuffle: true, durationMs: (i) => (i % 40 === 0 ? 15_000 : 500_000 + i * 37) });
      cleanups.push(() => t.cleanup());
      const sqlite = db.$client;
      const ids = sqlite.prepare("SELECT id FROM responses WHERE wave_id = ? AND status = 'complete' ORDER BY id").pluck().all(waveId) as string[];
      expect(ids.length).toBeGreaterThan(100);
      // What the reference import leaves out, on some rows: signals (burst, duplicate answers,
      // automation), design weights, a missing factor and an id that sorts differently by bytes
      // than by a locale ('B…' before 'a…' byte-wise).
      const signal = sqlite.prepare('INSERT INTO response_signals (response_id, address_hash, pow_ok, answers_hash) VALUES (?, ?, ?, ?)');
      ids.forEach((id, i) => {
        if (i % 7 === 0) signal.run(id, `addr-${i % 3}`, i % 21 === 0 ? 0 : 1, i % 14 === 0 ? 'same-answers' : `answers-${i}`);
      });
      sqlite.prepare("UPDATE responses SET base_weight = 1.5 WHERE wave_id = ? AND rowid % 5 = 0").run(waveId);
      sqlite.prepare("UPDATE responses SET ethnicity = NULL WHERE id = ?").run(ids[3]);
      sqlite.prepare("UPDATE responses SET id = 'B-' || id WHERE id = ?").run(ids[10]);
      const spec = waveScoringSpec(db, waveId).spec;
      const fromSqlite = readRunInput(db, waveId, spec);

      const target = await createTestPgDb({ migrated: true });
      cleanups.push(() => target.drop());
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
      await copySqliteToPg(t.file, target.url);
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      cleanups.push(() => client.end());
      const progress: number[] = [];
      // A small FETCH so the cursor is read in several batches.
      const fromPg = await readRunInputPg(client, waveId, spec, { fetchRows: 97, onRows: (done) => progress.push(done) });

      expect(fromPg.n).toBe(fromSqlite.n);
      expect(fromPg.ids).toEqual(fromSqlite.ids);
      expect(fromPg.ids.at(0).startsWith('B-')).toBe(true);
      expect(fromPg.inputHash).toBe(fromSqlite.inputHash);
      expect(fromPg.blocks).toEqual(fromSqlite.blocks);
      expect(plain(fromPg)).toEqual(plain(fromSqlite));
      expect(fromSqlite.signals.powOk.filter((p) => p !== null).length).toBeGreaterThan(0);
      expect(fromSqlite.weights).not.toBeNull();
      expect(progress[0]).toBe(0);
      // The run's flags follow from the input alone: the same on both.
      const flagsSqlite = runQualityFlags(spec, fromSqlite);
      const flagsPg = runQualityFlags(spec, fromPg);
      for (const [f, on] of Object.entries(flagsSqlite)) expect(Array.from(flagsPg[f as keyof typeof flagsPg]), f).toEqual(Array.from(on));
      expect(flagsSqlite.burst.some((x) => x === 1) || flagsSqlite.duplicate_answers.some((x) => x === 1)).toBe(true);

      // A row changed in PostgreSQL only: the hashes differ (the reader reads what is there).
      await client.query('UPDATE responses SET consensus = consensus + 1 WHERE id = $1', [fromPg.ids.at(5)]);
      const changed = await readRunInputPg(client, waveId, spec);
      expect(changed.inputHash).not.toBe(fromSqlite.inputHash);
      expect(changed.blocks.hashes.filter((h, b) => h !== fromSqlite.blocks.hashes[b])).toHaveLength(1);
    }, 180_000);
  }
});
