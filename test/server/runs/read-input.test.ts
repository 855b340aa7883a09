// readRunInput's fast paths (factors joined in SQL, item_scores keys matched against the previous
// row's order) must read exactly what the columns hold, including the cases they fall back on.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../server/db/open';
import { importResponsesFile } from '../../../server/responses/import';
import { readRunInput, waveScoringSpec } from '../../../server/runs/compute';
import { readRunInputRowByRow } from '../../../server/runs/input';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/service';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { writeReferenceImport } from './reference-import';

let t: TestDb;
let db: Db;
let waveId: number;
beforeAll(async () => {
  t = createTestDb();
  db = t.db;
  loadOfficialSurvey(db, OFFICIAL_SURVEYS_DIR);
  waveId = createWave(db, OFFICIAL_SURVEY_ID, '2024-Q2', { closed: true, actor: 'test' }).id;
  const csv = path.join(t.dir, 'a.csv');
  writeReferenceImport('raking-a', csv);
  await importResponsesFile(db, waveId, csv, 'test');
}, 60_000);
afterAll(() => t.cleanup());

/** Each row's decoded factors and item scores, in id order, straight from the columns. */
function expectedRows(): { factors: (string | null)[][]; items: Record<string, unknown>[] } {
  const rows = db.$client.prepare(`SELECT region, settlement, sex, age_band, ethnicity, item_scores FROM responses
    WHERE wave_id = ? AND status = 'complete' ORDER BY id`).raw(true).all(waveId) as (string | null)[][];
  return { factors: rows.map((r) => r.slice(0, 5).map((v) => v ?? '')), items: rows.map((r) => (r[5] === null ? {} : JSON.parse(r[5]!) as Record<string, unknown>)) };
}

function decoded(): { factors: string[][]; items: Record<string, number | null>[] } {
  const { spec } = waveScoringSpec(db, waveId);
  const input = readRunInput(db, waveId, spec);
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
});

describe('readRunInput (text blocks) against the row-by-row reader', () => {
  let t2: TestDb;
  let db2: Db;
  let waveA: number;
  beforeAll(async () => {
    t2 = createTestDb();
    db2 = t2.db;
    loadOfficialSurvey(db2, OFFICIAL_SURVEYS_DIR);
    waveA = createWave(db2, OFFICIAL_SURVEY_ID, '2024-Q3', { closed: true, actor: 'test' }).id;
    const waveB = createWave(db2, OFFICIAL_SURVEY_ID, '2024-Q4', { closed: true, actor: 'test' }).id;
    const csv = path.join(t2.dir, 'b.csv');
    writeReferenceImport('raking-b', csv);
    await importResponsesFile(db2, waveA, csv, 'test');
    const sql = db2.$client;
    // Ids whose order is not the rowids' order, and every third row in another wave (gaps in the rowids).
    sql.prepare("UPDATE responses SET id = printf('r%06d', (rowid * 7919) % 100003)").run();
    sql.prepare('UPDATE responses SET wave_id = ? WHERE rowid % 3 = 0').run(waveB);
  }, 60_000);
  afterAll(() => t2.cleanup());

  function same(blockRows: number): void {
    const { spec } = waveScoringSpec(db2, waveA);
    const fast = readRunInput(db2, waveA, spec, blockRows);
    const exact = readRunInputRowByRow(db2, waveA, spec);
    expect(fast.n).toBeGreaterThan(100);
    expect(fast.ids).toEqual(exact.ids);
    expect(fast.ids).toEqual([...exact.ids].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    expect(fast).toEqual(exact);
    // The hash covers the bytes (0 vs -0, NaN): equal hashes, equal input.
    expect(fast.inputHash).toBe(exact.inputHash);
    expect(fast.blocks).toEqual(exact.blocks);
  }

  it('reads the same rows, codes, labels and hash, across many blocks and a single one', () => {
    same(7);
    same(100_000);
  });

  it('carries real numbers exactly (random doubles in every real column)', () => {
    const rows = db2.$client.prepare('SELECT rowid FROM responses WHERE wave_id = ?').pluck().all(waveA) as number[];
    const set = db2.$client.prepare('UPDATE responses SET consensus = ?, tolerance = ?, mood = ?, base_weight = ?, duration_ms = ? WHERE rowid = ?');
    const bits = new BigUint64Array(1);
    const asDouble = new Float64Array(bits.buffer);
    let seed = 12345n;
    const randomDouble = (): number => {
      for (;;) {
        seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
        bits[0] = seed;
        if (Number.isFinite(asDouble[0]!)) return asDouble[0]!;
      }
    };
    const picks = [() => randomDouble(), () => Math.random() * 100, () => 100 / 3, () => -0.0, () => 1e-300, () => null];
    rows.forEach((rowid, k) => set.run(picks[k % 6]!(), picks[(k + 1) % 6]!(), randomDouble(), picks[(k + 2) % 6]!(), k % 5 === 0 ? null : k * 1000.5, rowid));
    same(13);
    const { spec } = waveScoringSpec(db2, waveA);
    const direct = db2.$client.prepare("SELECT mood FROM responses WHERE wave_id = ? AND status = 'complete' ORDER BY id").pluck().all(waveA) as number[];
    expect(Array.from(readRunInput(db2, waveA, spec, 13).stored.mood)).toEqual(direct);
  });

  it('reads rows the text cannot carry (null item scores, odd ages, separators, other JSON forms) as they are', () => {
    const sql = db2.$client;
    sql.prepare('UPDATE responses SET item_scores = NULL WHERE rowid % 11 = 1').run();
    sql.prepare('UPDATE responses SET age = NULL WHERE rowid % 13 = 2').run();
    sql.prepare('UPDATE responses SET age = 30.5 WHERE rowid % 17 = 3').run();
    sql.prepare("UPDATE responses SET age = 'forty' WHERE rowid % 19 = 4").run();
    sql.prepare("UPDATE responses SET region = 'x' || char(31) || 'y' WHERE rowid % 23 = 5").run();
    sql.prepare("UPDATE responses SET settlement = 'u' || char(30) || 'v' WHERE rowid % 29 = 6").run();
    sql.prepare("UPDATE responses SET sex = NULL, ethnicity = '' WHERE rowid % 31 = 7").run();
    sql.prepare(`UPDATE responses SET item_scores = replace(item_scores, ':', ': ') WHERE rowid % 37 = 8`).run();
    sql.prepare(`UPDATE responses SET item_scores = '{"zz":1,' || substr(item_scores, 2) WHERE rowid % 41 = 9`).run();
    same(5);
    same(100_000);
  });

  it('reads a wave whose ids contain the row separator row by row', () => {
    db2.$client.prepare("UPDATE responses SET id = id || char(30) || 'x' WHERE rowid % 43 = 10").run();
    same(9);
  });
});
