// The R reference sets (test/fixtures/reference/) as field interviews of the official
// questionnaire: the reference items c1–c5, t1–t6, m1–m5 are the official a1–a5, b1–b6, c1–c5
// with the same scales and directions (a3 and c4 reversed, c5 on 0–10), the weighting variables
// keep their names, and the age band becomes an age in years inside it (its lower bound), which
// the run bands back into the frame's bands exactly as `analyze` bands nothing (it reads the band).
import fs from 'node:fs';
import { storeOf } from '../../helpers/db-store';
import path from 'node:path';
import type { Db } from '../../../server/db/open';
import { importFrameFile } from '../../../server/frames/service';
import { importResponsesFile } from '../../../server/responses/import';
import { loadOfficialSurvey } from '../../../server/surveys/sqlite-sync';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { parseCsvText } from '../../../server/tables/read-table';
import { createWave } from '../../../server/waves/sqlite-sync';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { rng } from '../../helpers/random';

export const REFERENCE_DIR = path.join(REPO_ROOT, 'test/fixtures/reference');
export const REFERENCE_CASES = ['raking-a', 'raking-b', 'raking-c'] as const;

const ITEM_MAP: Record<string, string> = {
  c1: 'a1', c2: 'a2', c3: 'a3', c4: 'a4', c5: 'a5',
  t1: 'b1', t2: 'b2', t3: 'b3', t4: 'b4', t5: 'b5', t6: 'b6',
  m1: 'c1', m2: 'c2', m3: 'c3', m4: 'c4', m5: 'c5',
};

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * Writes the import CSV of a reference case to `out` and returns its number of rows. `shuffle`:
 * the rows in a seeded random order (so rowid order is not id order once imported).
 */
export function writeReferenceImport(refCase: string, out: string, extra: { durationMs?: (row: number) => number; shuffle?: boolean } = {}): number {
  const file = path.join(REFERENCE_DIR, refCase, 'responses.csv');
  const table = parseCsvText(fs.readFileSync(file, 'utf8'), file);
  const h = table.header;
  const header = ['response_id', 'adult', 'resident', 'consent', 'region', 'settlement', 'sex', 'age', 'ethnicity', 'base_weight', ...Object.values(ITEM_MAP), 'mode', ...(extra.durationMs ? ['duration_ms'] : [])];
  const lines = [header.join(',')];
  table.records.forEach((r, i) => {
    const get = (c: string) => r.cells[h.indexOf(c)]!;
    const band = get('age');
    const years = /^(\d+)/.exec(band)![1]!;
    const cells = [get('id'), 'true', 'true', 'true', get('region'), get('settlement'), get('sex'), years, get('ethnicity'), get('base_weight'),
      ...Object.keys(ITEM_MAP).map((k) => get(k)), 'papi', ...(extra.durationMs ? [String(extra.durationMs(i))] : [])];
    lines.push(cells.map(quote).join(','));
  });
  if (extra.shuffle) {
    const next = rng(6);
    const body = lines.splice(1);
    for (let i = body.length - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [body[i], body[j]] = [body[j]!, body[i]!]; }
    lines.push(...body);
  }
  fs.writeFileSync(out, lines.join('\n') + '\n');
  return table.records.length;
}

/**
 * A fresh test database with the official survey and one closed wave (`period`) holding a
 * reference case imported as field interviews; with `frame`, that case's margins stored as the
 * frame "ref". What the runs tests (read-input, worker, …) start from.
 */
export async function referenceWave(period: string, options: { refCase?: string; durationMs?: (row: number) => number; shuffle?: boolean; frame?: boolean } = {}): Promise<{ t: TestDb; db: Db; waveId: number }> {
  const refCase = options.refCase ?? 'raking-a';
  const t = createTestDb();
  const { db } = t;
  loadOfficialSurvey(db, OFFICIAL_SURVEYS_DIR);
  const waveId = createWave(db, OFFICIAL_SURVEY_ID, period, { closed: true, actor: 'test' }).id;
  const csv = path.join(t.dir, `${refCase}.csv`);
  writeReferenceImport(refCase, csv, { ...(options.durationMs ? { durationMs: options.durationMs } : {}), shuffle: options.shuffle === true });
  await importResponsesFile(storeOf(db), waveId, csv, 'test');
  if (options.frame) {
    await importFrameFile(storeOf(db), path.join(REFERENCE_DIR, refCase, 'margins.csv'), { name: 'ref', source: 'R reference', referenceDate: '2021-10-01', illustrative: true }, 'test');
  }
  return { t, db, waveId };
}
