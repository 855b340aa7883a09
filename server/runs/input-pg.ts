// Reading an estimate run's input from PostgreSQL (decision 027, point 6): the same InputRows as
// server/runs/input.ts reads from SQLite — same ids in the same order, same codes and label tables
// (first appearance in id order), same columns and the same input hash — so a run computed from
// either engine's copy of the rows is the same run (test/server/runs/input-pg.test.ts).
//
// One snapshot: a REPEATABLE READ, READ ONLY transaction counts the rows and reads them through a
// server-side cursor (DECLARE … FETCH n), so a wave of a million rows never sits in one result
// set and the count is of the rows read. Ids are ordered byte-wise (COLLATE "C"), as SQLite's
// BINARY collation orders them; PostgreSQL's default collation would order them differently.
//
// Each row's derived columns come packed (`run_input`, docs/decisions/028) and are decoded by the
// one coding every reader shares (packed-input.ts `PartBuilder`); a row not packed, or packed for
// other items, is read from its columns in the same snapshot. The columns are hashed and shaped
// by input.ts's own `finish`.
import pg from 'pg';
import type { ScoringSpec } from '../../analysis/scoring';
import { finish, type InputRows } from './input';
import { PartBuilder, packedFor, specItemNames } from './packed-input';

/** Rows per FETCH from the cursor: big enough that round trips do not dominate, small in memory. */
export const PG_FETCH_ROWS = 20_000;

/** A 64-bit integer (duration_ms) as a number, as the SQLite driver gives it. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === pg.types.builtins.INT8) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

type Row = [string, number, number | null, number | null, Buffer | null, number | null, string | null, string | null, string | null];

const SELECT = `SELECT r.id, r.survey_version_id, r.duration_ms, r.base_weight, r.run_input,
    s.pow_ok, s.address_hash, s.answers_hash, CASE WHEN s.response_id IS NULL THEN NULL ELSE r.completed_at END
  FROM responses r LEFT JOIN response_signals s ON s.response_id = r.id
  WHERE r.wave_id = $1 AND r.status = 'complete' ORDER BY r.id COLLATE "C"`;

type ColumnRow = [string, string | null, string | null, string | null, string | null, string | null, number | null, unknown, number | null, number | null, number | null];
/** The derived columns of the rows a read has no packed form for, by id. */
const COLUMNS = `SELECT r.id, r.region, r.settlement, r.sex, r.age_band, r.ethnicity, r.age, r.item_scores, r.consensus, r.tolerance, r.mood
  FROM responses r WHERE r.id = ANY($1::text[])`;

export interface PgReadOptions {
  /** Progress of the read: about every 1 % of the rows, rows read so far of the total. */
  onRows?: (done: number, total: number) => void;
  /** Rows per FETCH (default {@link PG_FETCH_ROWS}). */
  fetchRows?: number;
}

/**
 * Reads the complete responses of `waveId` (id order) from PostgreSQL in one snapshot, on
 * `client` (a connection of its own: the read holds a transaction open). The result equals
 * readRunInput's on the same rows in SQLite. Cost: the rows cross the network once, in batches.
 */
export async function readRunInputPg(client: pg.ClientBase, waveId: number, spec: ScoringSpec, options: PgReadOptions = {}): Promise<InputRows> {
  const itemNames = specItemNames(spec);
  const K = itemNames.length;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const counted = await client.query<{ n: string }>({ text: "SELECT count(*) AS n FROM responses WHERE wave_id = $1 AND status = 'complete'", values: [waveId] });
    const n = Number(counted.rows[0]!.n);
    await client.query({ text: `DECLARE run_input NO SCROLL CURSOR FOR ${SELECT}`, values: [waveId] });
    const rows = new PartBuilder(n, itemNames);
    const step = Math.max(256, Math.ceil(n / 100));
    let nextReport = options.onRows ? 0 : Number.POSITIVE_INFINITY;
    const fetch = `FETCH ${Math.max(1, Math.floor(options.fetchRows ?? PG_FETCH_ROWS))} FROM run_input`;
    const packed = (b: Buffer | null): b is Buffer => b !== null && packedFor(b, 0, b.length, rows.fingerprint, K);
    let i = 0;
    for (;;) {
      const batch = (await client.query<Row>({ text: fetch, rowMode: 'array', types: TYPES })).rows as unknown as Row[];
      if (batch.length === 0) break;
      // The rows of this batch with no packed form for these items: their columns, in this snapshot.
      const missing = batch.filter((raw) => !packed(raw[4])).map((raw) => raw[0]);
      const columns = new Map<string, ColumnRow>();
      if (missing.length > 0) {
        const got = await client.query<ColumnRow>({ text: COLUMNS, values: [missing], rowMode: 'array', types: TYPES });
        for (const c of got.rows as unknown as ColumnRow[]) columns.set(c[0], c);
      }
      for (const raw of batch) {
        if (i === nextReport) { options.onRows!(i, n); nextReport += step; }
        if (i >= n) throw new Error(`wave ${waveId}: more complete responses than counted in the same read (${n}); the read was not one snapshot`);
        const [id, sv, dur, bw, runInput, pow, address, answers, completedAt] = raw;
        rows.setId(i, id);
        rows.svs[i] = sv;
        rows.durations[i] = dur ?? Number.NaN;
        rows.baseWeights[i] = bw ?? Number.NaN;
        if (packed(runInput)) {
          if (rows.decode(runInput, 0, i) !== runInput.length) throw new Error(`wave ${waveId}: the packed run input of response "${id}" is not the length it says`);
        } else {
          const c = columns.get(id);
          if (!c) throw new Error(`wave ${waveId}: the columns of response "${id}" were not found in the same snapshot`);
          const [, region, settlement, sex, ageBand, ethnicity, age, items, cons, tol, mood] = c;
          rows.setFactors(i, rows.factors(region ?? '', settlement ?? '', sex ?? '', ageBand ?? '', ethnicity ?? ''));
          rows.setAge(i, age);
          // item_scores is `json`: pg parses it (JSON.parse), the values input.ts reads from the text.
          const scores = (typeof items === 'string' ? JSON.parse(items) : items ?? {}) as Record<string, unknown>;
          for (let k = 0; k < K; k++) {
            const v = scores[itemNames[k]!];
            rows.setItem(k, i, typeof v === 'number' ? v : Number.NaN);
          }
          rows.setStored(i, cons ?? Number.NaN, tol ?? Number.NaN, mood ?? Number.NaN);
        }
        if (pow !== null) rows.powOk[i] = pow;
        if (address !== null) rows.addressHash[i] = address;
        if (answers !== null) rows.answersHash[i] = answers;
        if (completedAt !== null) rows.completedAtMs[i] = Date.parse(completedAt);
        i++;
      }
    }
    if (i !== n) throw new Error(`wave ${waveId}: ${i} complete responses read where the same read counted ${n}; the read was not one snapshot`);
    await client.query('CLOSE run_input');
    await client.query('COMMIT');
    return finish(rows.part(), itemNames, 1);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
