// readRunInput's fast paths (factors joined in SQL, item_scores keys matched against the previous
// row's order, the read split over two threads) must read exactly what the columns hold, including
// the cases they fall back on.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../server/db/open';
import { readRunInput, waveScoringSpec, type InputRows } from '../../../server/runs/compute';
import { readThreads } from '../../../server/runs/input';
import type { TestDb } from '../../helpers/db';
import { referenceWave } from './reference-import';

let t: TestDb;
let db: Db;
let waveId: number;
beforeAll(async () => {
  // Imported in shuffled order: rowid order is not id order, so the two threads' parts interleave.
  ({ t, db, waveId } = await referenceWave('2024-Q2', { shuffle: true }));
}, 60_000);
afterAll(() => t.cleanup());

/** Each row's decoded factors and item scores, in id order, straight from the columns. */
function expectedRows(): { factors: (string | null)[][]; items: Record<string, unknown>[] } {
  const rows = db.$client.prepare(`SELECT region, settlement, sex, age_band, ethnicity, item_scores FROM responses
    WHERE wave_id = ? AND status = 'complete' ORDER BY id`).raw(true).all(waveId) as (string | null)[][];
  return { factors: rows.map((r) => r.slice(0, 5).map((v) => v ?? '')), items: rows.map((r) => (r[5] === null ? {} : JSON.parse(r[5]!) as Record<string, unknown>)) };
}

/**
 * The input read in one thread (`split` false) or on two from the first row on: packed (the
 * default; the helper thread runs the block queries, in blocks of `blockRows`, this thread decodes)
 * or, `packed` false, row by row (two rowid ranges, merged).
 */
function read(split = false, afterHelperStarted?: () => void, packed = true, blockRows?: number): InputRows {
  return readRunInput(db, waveId, waveScoringSpec(db, waveId).spec, split ? { parallelMinRows: 0, afterHelperStarted, packed, blockRows } : { parallelMinRows: Number.POSITIVE_INFINITY, packed });
}

function decoded(): { factors: string[][]; items: Record<string, number | null>[] } {
  const input = read();
  const names = ['region', 'settlement', 'sex', 'ageBand', 'ethnicity'] as const;
  const factors = Array.from({ length: input.n }, (_, i) => names.map((f) => input.factorLabels[f][input.factors[f][i]!]!));
  const items = Array.from({ length: input.n }, (_, i) => Object.fromEntries(Object.entries(input.items).map(([name, col]) => {
    const v = col.values[col.codes[i]!]!;
    return [name, Number.isNaN(v) ? null : v];
  })));
  return { factors, items };
}

describe('readRunInput', () => {
  it('reads a factor value containing the join separator (char 31) as itself', () => {
    db.$client.prepare("UPDATE responses SET ethnicity = 'a' || char(31) || 'b' WHERE rowid % 7 = 0").run();
    const got = decoded();
    const want = expectedRows();
    expect(want.factors.some((r) => r[4] === 'a\u001fb')).toBe(true);
    expect(got.factors).toEqual(want.factors);
  });

  it('reads rows whose item_scores keys come in differing orders', () => {
    // Every third row with its keys reversed: the in-place guess from the previous row then misses.
    const rows = db.$client.prepare("SELECT id, item_scores FROM responses WHERE item_scores IS NOT NULL AND rowid % 3 = 0").all() as { id: string; item_scores: string }[];
    const update = db.$client.prepare('UPDATE responses SET item_scores = ? WHERE id = ?');
    for (const r of rows) update.run(JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(r.item_scores) as Record<string, unknown>).reverse())), r.id);
    const got = decoded();
    const want = expectedRows().items.map((o) => Object.fromEntries(Object.keys(got.items[0]!).map((k) => [k, typeof o[k] === 'number' ? o[k] : null])));
    expect(rows.length).toBeGreaterThan(10);
    expect(got.items).toEqual(want);
  });

  it('reads the open link\'s signals with the rows', () => {
    // Signals for every fifth response (the others have none), some hashes shared.
    db.$client.prepare(`INSERT INTO response_signals (response_id, address_hash, pow_ok, answers_hash)
      SELECT id, CASE WHEN rowid % 3 = 0 THEN NULL ELSE 'addr' || (rowid % 4) END, rowid % 2, 'ans' || (rowid % 7) FROM responses WHERE rowid % 5 = 0`).run();
    db.$client.prepare("UPDATE responses SET completed_at = strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || rowid || ' minutes') WHERE rowid % 5 = 0").run();
    const input = read();
    const want = db.$client.prepare(`SELECT s.address_hash, s.pow_ok, s.answers_hash, CASE WHEN s.response_id IS NULL THEN NULL ELSE r.completed_at END
      FROM responses r LEFT JOIN response_signals s ON s.response_id = r.id WHERE r.wave_id = ? AND r.status = 'complete' ORDER BY r.id`).raw(true).all(waveId) as [string | null, number | null, string | null, string | null][];
    expect(want.filter((r) => r[1] !== null).length).toBeGreaterThan(10);
    expect(input.signals.addressHash).toEqual(want.map((r) => r[0]));
    expect(input.signals.powOk).toEqual(want.map((r) => r[1]));
    expect(input.signals.answersHash).toEqual(want.map((r) => r[2]));
    expect(Array.from(input.signals.completedAtMs)).toEqual(want.map((r) => (r[3] === null ? Number.NaN : Date.parse(r[3]))));
  });

  it.each([
    ['packed, blocks of 100 rows queried by the helper', true, 100],
    ['packed, blocks of 1 row', true, 1],
    ['packed, one block', true, undefined],
    ['row by row, two rowid ranges', false, undefined],
  ] as const)('on two threads (%s), reads exactly what one thread reads: codes, label tables, signals and hash', (_, packed, blockRows) => {
    // Not every row packed: a hand edit nulls run_input (the trigger), so each half also reads rows from their columns.
    db.$client.prepare("UPDATE responses SET mood = mood WHERE rowid % 97 = 0").run();
    expect(db.$client.prepare('SELECT count(*) FROM responses WHERE wave_id = ? AND run_input IS NULL').pluck().get(waveId)).toBeGreaterThan(2);
    expect(db.$client.prepare('SELECT count(*) FROM responses WHERE wave_id = ? AND run_input IS NOT NULL').pluck().get(waveId)).toBeGreaterThan(100);
    const one = read(false, undefined, false);
    // The lower half of the rowids holds ids from all over the id order (a real merge, not a concatenation).
    const lowerIds = db.$client.prepare("SELECT id FROM responses WHERE wave_id = ? AND status = 'complete' ORDER BY rowid LIMIT ?").pluck().all(waveId, one.n >> 1) as string[];
    const positions = lowerIds.map((id) => one.ids.toArray().indexOf(id));
    expect(Math.min(...positions)).toBeLessThan(one.n / 10);
    expect(Math.max(...positions)).toBeGreaterThan(one.n * 0.9);
    const two = read(true, undefined, packed, blockRows);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.n).toBe(one.n);
    expect(two.ids).toEqual(one.ids);
    expect(two.factorLabels).toEqual(one.factorLabels);
    expect(two.factors).toEqual(one.factors);
    expect(two.items).toEqual(one.items);
    expect(two.stored).toEqual(one.stored);
    expect(two.durations).toEqual(one.durations);
    expect(two.weights).toEqual(one.weights);
    expect(two.signals).toEqual(one.signals);
    expect(two.surveyVersionIds).toEqual(one.surveyVersionIds);
    expect(two.blocks).toEqual(one.blocks);
    expect(two.inputHash).toBe(one.inputHash);
  }, 60_000);

  it('reads in one thread when a write is committed between the helper\'s snapshot and its own', () => {
    const before = read();
    const changed = db.$client.prepare("SELECT id FROM responses WHERE wave_id = ? AND status = 'complete' ORDER BY id DESC LIMIT 1").pluck().get(waveId) as string;
    // Another connection (the server taking an answer) commits after the helper took its snapshot:
    // the helper holds the old row, this thread would hold the new one, so it reads alone.
    const other = new Database(t.file);
    let got: InputRows;
    try {
      other.pragma('busy_timeout = 5000');
      got = read(true, () => { other.prepare('UPDATE responses SET consensus = consensus + 1 WHERE id = ?').run(changed); });
    } finally {
      other.close();
    }
    expect(got.threads).toBe(1);
    expect(got.inputHash).not.toBe(before.inputHash);
    expect(got).toEqual({ ...read(), threads: 1 });
  }, 60_000);

  it('reads on the threads the caller asks for, unless KELISIM_RUN_READ_THREADS says otherwise', () => {
    const saved = process.env.KELISIM_RUN_READ_THREADS;
    const spec = waveScoringSpec(db, waveId).spec;
    const threadsOf = (threads: 1 | 2 | undefined, env?: string): number => {
      if (env === undefined) delete process.env.KELISIM_RUN_READ_THREADS; else process.env.KELISIM_RUN_READ_THREADS = env;
      // From 2 rows on, as PARALLEL_MIN_ROWS is for a large wave.
      return readRunInput(db, waveId, spec, { threads, parallelMinRows: readThreads(threads) === 2 ? 2 : Number.POSITIVE_INFINITY }).threads;
    };
    try {
      expect(readThreads()).toBe(1);
      expect(threadsOf(undefined)).toBe(1);
      expect(threadsOf(2)).toBe(2);
      expect(threadsOf(2, '1')).toBe(1);
      expect(threadsOf(1, '2')).toBe(2);
      process.env.KELISIM_RUN_READ_THREADS = 'two';
      expect(() => readThreads(2)).toThrow('KELISIM_RUN_READ_THREADS must be 1 or 2, got "two"');
    } finally {
      if (saved === undefined) delete process.env.KELISIM_RUN_READ_THREADS; else process.env.KELISIM_RUN_READ_THREADS = saved;
    }
  }, 60_000);
});
