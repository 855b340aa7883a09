// Packs the run input (`responses.run_input`, docs/decisions/028) of complete responses that have
// none: written before migration 0007, by a direct SQL insert, or edited by hand (the trigger of
// 0007 nulls it). Run at server start, in the background, in short write transactions, so a run
// reads those rows packed too; until then a run reads them from their columns (same numbers).
// Through the store (decision 027): SQLite or PostgreSQL.
import { sql } from 'drizzle-orm';
import type { ScoringSpec } from '../../analysis/scoring';
import { responses, surveyVersions } from '../db/schema';
import { bare, type Sql } from '../db/sql';
import type { Store } from '../db/store';
import { packRunInput, specItemNames, type PackableColumns } from './packed-input';

interface UnpackedRow {
  id: string;
  surveyVersionId: number;
  region: unknown; settlement: unknown; sex: unknown; ageBand: unknown; ethnicity: unknown;
  age: unknown; itemScores: string | null;
  consensus: unknown; tolerance: unknown; mood: unknown;
}

const isText = (v: unknown): boolean => v === null || typeof v === 'string';
const isNumber = (v: unknown): v is number | null => v === null || typeof v === 'number';

/**
 * The derived columns of a row as a run reads them, or null when the row is one to leave to the
 * column reader: a value of an unexpected type, or item scores not in the exact form
 * JSON.stringify writes (the row-by-row reader's fast scan and JSON.parse could then read it
 * differently; only the reader itself can say which, so it keeps reading such a row).
 */
function packable(row: UnpackedRow): PackableColumns | null {
  const { region, settlement, sex, ageBand, ethnicity, age, consensus, tolerance, mood } = row;
  if (![region, settlement, sex, ageBand, ethnicity].every(isText)) return null;
  if (!isNumber(age) || !isNumber(consensus) || !isNumber(tolerance) || !isNumber(mood)) return null;
  let itemScores: unknown = null;
  if (row.itemScores !== null) {
    try { itemScores = JSON.parse(row.itemScores); } catch { return null; }
    if (itemScores === null || typeof itemScores !== 'object' || Array.isArray(itemScores) || JSON.stringify(itemScores) !== row.itemScores) return null;
    if (!Object.values(itemScores).every((v) => v === null || typeof v === 'number')) return null;
  }
  return { region, settlement, sex, ageBand, ethnicity, age, itemScores, consensus, tolerance, mood };
}

async function unpackedAfter(tx: Sql, after: string, limit: number): Promise<UnpackedRow[]> {
  const r = responses;
  return tx.all<UnpackedRow>(sql`SELECT ${r.id} AS "id", ${r.surveyVersionId} AS "surveyVersionId", ${r.region} AS "region", ${r.settlement} AS "settlement",
      ${r.sex} AS "sex", ${r.ageBand} AS "ageBand", ${r.ethnicity} AS "ethnicity", ${r.age} AS "age", CAST(${r.itemScores} AS TEXT) AS "itemScores",
      ${r.consensus} AS "consensus", ${r.tolerance} AS "tolerance", ${r.mood} AS "mood"
    FROM ${r} WHERE ${r.status} = 'complete' AND ${r.runInput} IS NULL AND ${r.id} > ${after} ORDER BY ${r.id} LIMIT ${limit}`);
}

/**
 * Packs every complete response whose `run_input` is missing, `batch` rows per write transaction
 * (each reads and writes its rows in one transaction, so a concurrent edit is never packed over),
 * yielding to the event loop between batches. Rows {@link packable} refuses stay null. Returns how
 * many rows it packed. Cost: ~10 µs a row.
 */
export async function backfillRunInputs(store: Store, batch = 5_000): Promise<number> {
  const specs = new Map<number, string[]>();
  let after = '';
  let packed = 0;
  for (;;) {
    const result = await store.write(async (tx) => {
      const rows = await unpackedAfter(tx, after, batch);
      let done = 0;
      for (const row of rows) {
        let names = specs.get(row.surveyVersionId);
        if (!names) {
          const v = await tx.get<{ scoring: string }>(sql`SELECT CAST(${surveyVersions.scoring} AS TEXT) AS "scoring" FROM ${surveyVersions} WHERE ${surveyVersions.id} = ${row.surveyVersionId}`);
          names = specItemNames(JSON.parse(v!.scoring) as ScoringSpec);
          specs.set(row.surveyVersionId, names);
        }
        const columns = packable(row);
        if (!columns) continue;
        await tx.run(sql`UPDATE ${responses} SET ${bare(responses.runInput)} = ${packRunInput(names, columns)} WHERE ${bare(responses.id)} = ${row.id} AND ${bare(responses.runInput)} IS NULL`);
        done++;
      }
      return { last: rows.length > 0 ? rows[rows.length - 1]!.id : null, done, more: rows.length === batch };
    });
    packed += result.done;
    if (result.last === null || !result.more) return packed;
    after = result.last;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
