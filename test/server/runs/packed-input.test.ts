// The packed run input (responses.run_input, docs/decisions/028): a run that reads the packed form
// reads exactly what a run reading every row's columns reads — ids, codes, label tables, every
// double to the bit, block hashes and input hash — on awkward values (random doubles, −0, NaN,
// non-ASCII and long labels, missing items), on rows whose columns were edited by hand after the
// write (the trigger nulls run_input, the row is read from its columns), on rows packed for other
// items, and after the backfill. On the engine of KELISIM_TEST_DB (SQLite: also against the
// row-by-row reader itself).
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScoringSpec } from '../../../analysis/scoring';
import { backfillRunInputs } from '../../../server/runs/backfill-run-input';
import { readRunInput, type InputRows } from '../../../server/runs/input';
import { readRunInputPg } from '../../../server/runs/input-pg';
import { packDerivedColumns, packRunInput, storedNumber } from '../../../server/runs/packed-input';
import { rng as makeRng } from '../../helpers/random';
import { createTestStore, type TestStore } from '../../helpers/store';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

const ITEMS = { consensus: ['a1', 'a2', 'a3'], tolerance: ['b1', 'b2'], mood: ['c1'] } as const;
const SPEC = {
  indicators: Object.entries(ITEMS).map(([id, names]) => ({ id, minAnsweredShare: 0.5, items: names.map((name) => ({ name, min: 1, max: 5 })) })),
} as unknown as ScoringSpec;
const ITEM_NAMES = Object.values(ITEMS).flat();

/** InputRows as plain data where every number keeps its bits' meaning: −0 and NaN spelled out. */
function exact(x: InputRows): unknown {
  const num = (n: number): unknown => (Object.is(n, -0) ? '-0' : Number.isNaN(n) ? 'NaN' : n);
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) return { typed: v.constructor.name, values: Array.from(v as unknown as ArrayLike<number>, num) };
    if (typeof v === 'number') return num(v);
    if (Array.isArray(v)) return v.map((e) => (typeof e === 'number' ? num(e) : e));
    return v;
  }));
}

/** A double of every kind a derived column can hold: whole 0–200 (one byte), others, −0, NaN, extremes. */
function awkwardNumber(r: () => number): number | null {
  const k = Math.floor(r() * 12);
  switch (k) {
    case 0: return null;
    case 1: return -0;
    case 2: return Number.NaN;
    case 3: return Math.floor(r() * 201);
    case 4: return 201 + Math.floor(r() * 1000);
    case 5: return -Math.floor(r() * 50);
    case 6: return 5e-324;
    case 7: return 1e300 * r();
    default: return (r() - 0.2) * 140;
  }
}

const LABELS = ['Алматы', 'қазақ', 'urban', '🙂 emoji', 'x'.repeat(200), 'ordinary', '', 'tab\tand "quotes"'];

async function seed(t: TestStore, rows: number): Promise<{ waveId: number; ids: string[] }> {
  const r = makeRng(2811);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const at = '2026-11-01T10:00:00.000Z';
  return t.store.write(async (tx) => {
    const v = await tx.get<{ id: number }>(sql`INSERT INTO survey_versions (survey_id, version, content_hash, json, scoring, created_at)
      VALUES ('packed-test', 1, 'h', ${'{}'}, ${JSON.stringify(SPEC)}, ${at}) RETURNING id AS "id"`);
    const w = await tx.get<{ id: number }>(sql`INSERT INTO waves (survey_id, title_kk, title_ru, title_en, open_slug, status, opened_at)
      VALUES ('packed-test', 'w', 'w', 'w', 'packed-slug', 'closed', ${at}) RETURNING id AS "id"`);
    const ids: string[] = [];
    for (let i = 0; i < rows; i++) {
      // Ids whose byte order differs from a locale's, in an order the inserts do not follow.
      const id = `${pick(['B', 'a', 'ж', 'Z'])}-${String((i * 7919) % rows).padStart(5, '0')}`;
      ids.push(id);
      const items: Record<string, number | null> = {};
      for (const name of ITEM_NAMES) if (r() > 0.1) items[name] = awkwardNumber(r);
      const age = r() < 0.1 ? null : 18 + Math.floor(r() * 80);
      // The derived columns as deriveColumns hands them over (numbers as stored), packed from the raw values.
      const raw = { region: pick(LABELS), settlement: r() < 0.1 ? null : pick(LABELS), sex: pick(['m', 'f', null]), ageBand: age === null ? null : pick(['18-29', '30-44']),
        ethnicity: pick(LABELS), age, itemScores: items, consensus: awkwardNumber(r), tolerance: awkwardNumber(r), mood: awkwardNumber(r) };
      const runInput = packDerivedColumns(ITEM_NAMES, raw);
      const duration = r() < 0.2 ? null : Math.floor(r() * 2_000_000);
      const weight = r() < 0.3 ? null : pick([2, 0.1 + r() * 3, 1e-9 * r()]);
      await tx.run(sql`INSERT INTO responses (id, wave_id, survey_version_id, locale, status, data, current_page_no, started_at, updated_at, completed_at,
          duration_ms, mode, base_weight, region, settlement, sex, age, age_band, ethnicity, item_scores, consensus, tolerance, mood, run_input)
        VALUES (${id}, ${w!.id}, ${v!.id}, 'kk', 'complete', ${'{}'}, 0, ${at}, ${at}, ${at}, ${duration}, 'web', ${weight},
          ${raw.region}, ${raw.settlement}, ${raw.sex}, ${raw.age}, ${raw.ageBand}, ${raw.ethnicity}, ${JSON.stringify(items)},
          ${storedNumber(raw.consensus)}, ${storedNumber(raw.tolerance)}, ${storedNumber(raw.mood)}, ${runInput})`);
    }
    return { waveId: w!.id, ids };
  });
}

describe('the packed run input', () => {
  it('reads exactly what the rows\' columns say: written, edited by hand, packed for other items, backfilled', async () => {
    const t = await createTestStore();
    cleanups.push(() => t.cleanup());
    const { waveId, ids } = await seed(t, 1500);
    let client: pg.Client | undefined;
    if (t.engine === 'postgres') {
      client = new pg.Client({ connectionString: t.location.url });
      await client.connect();
      cleanups.push(() => client!.end());
    }
    const read = async (): Promise<InputRows> => (client ? readRunInputPg(client, waveId, SPEC, { fetchRows: 333 }) : readRunInput(t.db!, waveId, SPEC));
    const packedCount = async () => (await t.store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM responses WHERE run_input IS NOT NULL`))!.n;
    const fromColumns = async (): Promise<InputRows> => {
      // Every row read from its columns: run_input nulled (an UPDATE of run_input alone fires no trigger).
      const saved = await t.store.sql.all<{ id: string; runInput: Buffer | null }>(sql`SELECT id AS "id", run_input AS "runInput" FROM responses`);
      await t.store.write((tx) => tx.run(sql`UPDATE responses SET run_input = NULL`));
      const rows = await read();
      await t.store.write(async (tx) => { for (const s of saved) await tx.run(sql`UPDATE responses SET run_input = ${s.runInput} WHERE id = ${s.id}`); });
      return rows;
    };

    expect(await packedCount()).toBe(1500);
    const packed = await read();
    expect(packed.n).toBe(1500);
    const columns = await fromColumns();
    expect(await packedCount()).toBe(1500);
    expect(exact(packed)).toEqual(exact(columns));
    expect(packed.inputHash).toBe(columns.inputHash);
    // The values are the awkward ones asked for: non-ASCII labels, doubles that need 8 bytes.
    expect(packed.factorLabels.region).toEqual(expect.arrayContaining(['Алматы', '🙂 emoji', 'x'.repeat(200)]));
    expect(Array.from(packed.stored.consensus).some((x) => x === 5e-324)).toBe(true);
    if (t.db) {
      // SQLite: the row-by-row reader itself.
      const rowByRow = readRunInput(t.db, waveId, SPEC, { packed: false });
      expect(exact(packed)).toEqual(exact(rowByRow));
    }

    // Edited by hand after the write: a score, a factor, the item scores JSON (not as JSON.stringify
    // writes it); the trigger nulls run_input and the run reads the new values.
    const sorted = [...ids].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y))));
    const [e1, e2, e3, foreign] = [sorted[3]!, sorted[700]!, sorted[1499]!, sorted[10]!];
    await t.store.write(async (tx) => {
      await tx.run(sql`UPDATE responses SET consensus = ${12.5} WHERE id = ${e1}`);
      await tx.run(sql`UPDATE responses SET region = ${'Шымкент'} WHERE id = ${e2}`);
      await tx.run(sql`UPDATE responses SET item_scores = ${'{"a1": 75.25, "b1":"x", "zz": 3, "c1":-0}'} WHERE id = ${e3}`);
      // Packed for a spec with other items: read from its columns.
      await tx.run(sql`UPDATE responses SET run_input = ${packRunInput(['q1'], { region: 'elsewhere', settlement: null, sex: null, ageBand: null, ethnicity: null, age: 1, itemScores: { q1: 1 }, consensus: 1, tolerance: 1, mood: 1 })} WHERE id = ${foreign}`);
    });
    const nulled = await t.store.sql.all<{ id: string }>(sql`SELECT id AS "id" FROM responses WHERE run_input IS NULL ORDER BY id`);
    expect(nulled.map((x) => x.id).sort()).toEqual([e1, e2, e3].sort());
    const edited = await read();
    expect(edited.inputHash).not.toBe(packed.inputHash);
    const at = (id: string) => edited.ids.toArray().indexOf(id);
    expect(edited.stored.consensus[at(e1)]).toBe(12.5);
    expect(edited.factorLabels.region[edited.factors.region[at(e2)]!]).toBe('Шымкент');
    expect(edited.items.a1!.values[edited.items.a1!.codes[at(e3)]!]).toBe(75.25);
    expect(edited.items.b1!.values[edited.items.b1!.codes[at(e3)]!]).toBeNaN();
    expect(Object.is(edited.items.c1!.values[edited.items.c1!.codes[at(e3)]!], -0) || edited.items.c1!.values[edited.items.c1!.codes[at(e3)]!] === 0).toBe(true);
    expect(edited.factorLabels.region).not.toContain('elsewhere');
    expect(exact(edited)).toEqual(exact(await fromColumns()));
    if (t.db) expect(exact(edited)).toEqual(exact(readRunInput(t.db, waveId, SPEC, { packed: false })));

    // The backfill packs the rows without a packed form (not the hand-edited JSON, which only the
    // column reader reads as it always did), and the read stays the same.
    expect(await backfillRunInputs(t.store, 2)).toBe(2);
    expect((await t.store.sql.all<{ id: string }>(sql`SELECT id AS "id" FROM responses WHERE run_input IS NULL`)).map((x) => x.id)).toEqual([e3]);
    await t.store.write((tx) => tx.run(sql`UPDATE responses SET run_input = NULL WHERE id IN (${e1}, ${e2}, ${sorted[20]!}, ${sorted[21]!}, ${sorted[22]!})`));
    expect(await backfillRunInputs(t.store, 2)).toBe(5);
    expect(exact(await read())).toEqual(exact(edited));
  }, 240_000);
});
