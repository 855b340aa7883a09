// readRunInput's fast paths (factors joined in SQL, item_scores keys matched against the previous
// row's order) must read exactly what the columns hold, including the cases they fall back on.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../server/db/open';
import { importResponsesFile } from '../../../server/responses/import';
import { readRunInput, waveScoringSpec } from '../../../server/runs/compute';
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
