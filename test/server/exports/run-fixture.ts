// A real SQLite database with an estimate run, for the export tests of `--run` and of a run's
// results: the official questionnaire, the R reference interviews raking-a (1,500) imported as a
// wave with durations that make every 50th respondent a speeder, the reference frame, and a run
// with METHODOLOGY's defaults (every flag excluded); plus an empty second wave.
import fs from 'node:fs';
import path from 'node:path';
import { copySqliteToPg } from '../../../server/db/copy-pg';
import { openDb } from '../../../server/db/open';
import { importFrameFile } from '../../../server/frames/service';
import { importResponsesFile } from '../../../server/responses/import';
import { storeOf } from '../../helpers/db-store';
import { createEstimateRun, type StoredRun } from '../../../server/runs/service';
import { loadOfficialSurvey } from '../../../server/surveys/sqlite-sync';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/sqlite-sync';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDbFile } from '../../helpers/db';
import { createTestStore, type TestStore } from '../../helpers/store';
import { REFERENCE_DIR, writeReferenceImport } from '../runs/reference-import';

export interface RunFixture {
  file: string;
  dir: string;
  waveId: number;
  otherWaveId: number;
  run: StoredRun;
  /** Number of speeders planted (every 50th respondent). */
  speeders: number;
}

export const FRAME_NAME = 'ref';

export async function createRunFixture(): Promise<RunFixture> {
  const { file, dir } = createTestDbFile();
  const db = openDb(file);
  try {
    loadOfficialSurvey(db, OFFICIAL_SURVEYS_DIR);
    const wave = createWave(db, OFFICIAL_SURVEY_ID, '2024-Q2', { closed: true, actor: 'test' });
    const other = createWave(db, OFFICIAL_SURVEY_ID, '2024-Q3', { closed: true, actor: 'test' });
    const csv = path.join(dir, 'a.csv');
    const n = writeReferenceImport('raking-a', csv, { durationMs: (i) => (i % 50 === 0 ? 20_000 : 600_000 + i * 100) });
    await importResponsesFile(storeOf(db), wave.id, csv, 'test');
    await importFrameFile(storeOf(db), path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'), { name: FRAME_NAME, source: 'R reference', referenceDate: '2021-10-01', illustrative: true }, 'test');
    const run = await createEstimateRun(storeOf(db), db, { wave: { id: wave.id }, frame: { name: FRAME_NAME } }, 'researcher@test');
    return { file, dir, waveId: wave.id, otherWaveId: other.id, run, speeders: Math.ceil(n / 50) };
  } finally {
    db.$client.close();
  }
}

/**
 * The run fixture on this test run's engine (KELISIM_TEST_DB): built in SQLite as above, and on
 * PostgreSQL copied into the test store's database (`kelisim db copy`'s copySqliteToPg). Their
 * cleanups are pushed onto `closers` (run them in reverse).
 */
export async function runFixtureOnTestStore(closers: (() => Promise<void> | void)[]): Promise<{ fixture: RunFixture; ts: TestStore }> {
  const fixture = await createRunFixture();
  closers.push(() => fs.rmSync(fixture.dir, { recursive: true, force: true }));
  const ts = await createTestStore();
  closers.push(() => ts.cleanup());
  if (ts.engine === 'postgres') await copySqliteToPg(fixture.file, ts.location.url!);
  return { fixture, ts };
}
