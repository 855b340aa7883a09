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
// The encoding follows input.ts's readPart line by line (the identity test guards the two); the
// columns are hashed and shaped by input.ts's own `finish`.
import pg from 'pg';
import type { ScoringSpec } from '../../analysis/scoring';
import { FACTORS, finish, type Factor, type InputRows } from './input';
import { INDICATOR_IDS, type IndicatorId } from './result';

/** Rows per FETCH from the cursor: big enough that round trips do not dominate, small in memory. */
export const PG_FETCH_ROWS = 20_000;

/** A 64-bit integer (duration_ms) as a number, as the SQLite driver gives it. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === pg.types.builtins.INT8) return (text: string) => Number(text);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

class Encoder {
  labels: string[] = [];
  private index = new Map<string, number>();
  code(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) { c = this.labels.length; this.labels.push(s); this.index.set(s, c); }
    return c;
  }
}

type Row = [string, number, string | null, string | null, string | null, string | null, string | null, number | null, unknown,
  number | null, number | null, number | null, number | null, number | null, number | null, string | null, string | null, string | null];

const SELECT = `SELECT r.id, r.survey_version_id, r.region, r.settlement, r.sex, r.age_band, r.ethnicity, r.age, r.item_scores,
    r.consensus, r.tolerance, r.mood, r.duration_ms, r.base_weight,
    s.pow_ok, s.address_hash, s.answers_hash, CASE WHEN s.response_id IS NULL THEN NULL ELSE r.completed_at END
  FROM responses r LEFT JOIN response_signals s ON s.response_id = r.id
  WHERE r.wave_id = $1 AND r.status = 'complete' ORDER BY r.id COLLATE "C"`;

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
  const itemNames = spec.indicators.flatMap((ind) => ind.items.map((it) => it.name));
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const counted = await client.query<{ n: string }>({ text: "SELECT count(*) AS n FROM responses WHERE wave_id = $1 AND status = 'complete'", values: [waveId] });
    const n = Number(counted.rows[0]!.n);
    await client.query({ text: `DECLARE run_input NO SCROLL CURSOR FOR ${SELECT}`, values: [waveId] });
    const ids = new Array<string>(n);
    const enc = Object.fromEntries(FACTORS.map((f) => [f, new Encoder()])) as Record<Factor, Encoder>;
    const factors = Object.fromEntries(FACTORS.map((f) => [f, new Int32Array(n)])) as Record<Factor, Int32Array>;
    const itemIndex = itemNames.map(() => new Map<number, number>());
    const itemValues: number[][] = itemNames.map(() => []);
    const itemCodes = itemNames.map(() => new Int32Array(n));
    const stored = Object.fromEntries(INDICATOR_IDS.map((k) => [k, new Float64Array(n)])) as Record<IndicatorId, Float64Array>;
    const durations = new Float64Array(n);
    const baseWeights = new Float64Array(n);
    const svs = new Int32Array(n);
    const powOk = new Array<number | null>(n).fill(null);
    const addressHash = new Array<string | null>(n).fill(null);
    const answersHash = new Array<string | null>(n).fill(null);
    const completedAtMs = new Float64Array(n).fill(Number.NaN);
    const ageIndex = new Map<number, number>();
    const ageLabels: string[] = [];
    const setItem = (k: number, row: number, x: number) => {
      let c = itemIndex[k]!.get(x);
      if (c === undefined) { c = itemValues[k]!.length; itemValues[k]!.push(x); itemIndex[k]!.set(x, c); }
      itemCodes[k]![row] = c;
    };
    const step = Math.max(256, Math.ceil(n / 100));
    let nextReport = options.onRows ? 0 : Number.POSITIVE_INFINITY;
    const fetch = `FETCH ${Math.max(1, Math.floor(options.fetchRows ?? PG_FETCH_ROWS))} FROM run_input`;
    let i = 0;
    for (;;) {
      const batch = await client.query<Row>({ text: fetch, rowMode: 'array', types: TYPES });
      if (batch.rows.length === 0) break;
      for (const raw of batch.rows as unknown as Row[]) {
        if (i === nextReport) { options.onRows!(i, n); nextReport += step; }
        if (i >= n) throw new Error(`wave ${waveId}: more complete responses than counted in the same read (${n}); the read was not one snapshot`);
        const [id, sv, region, settlement, sex, ageBand, ethnicity, age, items, cons, tol, mood, dur, bw, pow, address, answers, completedAt] = raw;
        ids[i] = id;
        svs[i] = sv;
        // The order input.ts codes them in: region, settlement, sex, age band, ethnicity.
        factors.region[i] = enc.region.code(region ?? '');
        factors.settlement[i] = enc.settlement.code(settlement ?? '');
        factors.sex[i] = enc.sex.code(sex ?? '');
        factors.ageBand[i] = enc.ageBand.code(ageBand ?? '');
        factors.ethnicity[i] = enc.ethnicity.code(ethnicity ?? '');
        const ageKey = age ?? -1;
        let ac = ageIndex.get(ageKey);
        if (ac === undefined) { ac = ageLabels.length; ageLabels.push(age === null ? '' : String(age)); ageIndex.set(ageKey, ac); }
        factors.age[i] = ac;
        // item_scores is `json`: pg parses it (JSON.parse), the values input.ts reads from the text.
        const scores = (typeof items === 'string' ? JSON.parse(items) : items ?? {}) as Record<string, unknown>;
        for (let k = 0; k < itemNames.length; k++) {
          const v = scores[itemNames[k]!];
          setItem(k, i, typeof v === 'number' ? v : Number.NaN);
        }
        stored.consensus[i] = cons ?? Number.NaN;
        stored.tolerance[i] = tol ?? Number.NaN;
        stored.mood[i] = mood ?? Number.NaN;
        durations[i] = dur ?? Number.NaN;
        baseWeights[i] = bw ?? Number.NaN;
        if (pow !== null) powOk[i] = pow;
        if (address !== null) addressHash[i] = address;
        if (answers !== null) answersHash[i] = answers;
        if (completedAt !== null) completedAtMs[i] = Date.parse(completedAt);
        i++;
      }
    }
    if (i !== n) throw new Error(`wave ${waveId}: ${i} complete responses read where the same read counted ${n}; the read was not one snapshot`);
    await client.query('CLOSE run_input');
    await client.query('COMMIT');
    const factorLabels = Object.fromEntries(FACTORS.map((f) => [f, f === 'age' ? ageLabels : enc[f].labels])) as Record<Factor, string[]>;
    return finish({ n, ids, svs, factorCodes: factors, factorLabels, itemCodes, itemValues, stored, durations, baseWeights, powOk, addressHash, answersHash, completedAtMs }, itemNames, 1);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
