// Round trip (issue 9): a codes CSV exported from one wave imports back through
// `kelisim responses import` (a real process) into an empty wave of the same questionnaire, in a
// second database, with identical answers, scores, mode, interviewer, design weight, duration
// and completion time.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScoringSpec } from '../../../analysis/scoring';
import { openDb } from '../../../server/db/open';
import { insertResponse } from '../../../server/responses/sqlite-sync';
import { deriveColumns } from '../../../server/responses/service';
import { loadOfficialSurvey } from '../../../server/surveys/sqlite-sync';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/sqlite-sync';
import { generateAnswers } from '../../helpers/answers';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDbFile } from '../../helpers/db';
import { runCli } from '../../helpers/spawn';
import { createRunFixture } from './run-fixture';

const dbs: { file: string; dir: string }[] = [];
let source: { file: string; waveId: number };
let target: { file: string; waveId: number };

beforeAll(() => {
  const a = createTestDbFile();
  const b = createTestDbFile();
  dbs.push(a, b);
  const db = openDb(a.file);
  const version = loadOfficialSurvey(db, OFFICIAL_SURVEYS_DIR).version;
  const wave = createWave(db, OFFICIAL_SURVEY_ID, '2026-Q2', { closed: true, actor: 'test' });
  const modes = ['web', 'capi', 'papi', 'cati'] as const;
  db.$client.transaction(() => {
    for (let i = 0; i < 25; i++) {
      const data = generateAnswers(version.json, 77 + i);
      if (i % 4 === 0) { data.a2 = 'dk'; data.b3 = 'dk'; }
      const at = new Date(Date.UTC(2026, 4, 1 + i, 8, 30)).toISOString();
      insertResponse(db, {
        id: `rt-${i}`, waveId: wave.id, surveyVersionId: version.id, invitationId: null, currentPageNo: 0,
        locale: 'kk', status: 'complete', data, startedAt: at, updatedAt: at, completedAt: at, durationMs: 400_000 + i,
        mode: modes[i % 4]!, interviewer: i % 4 === 0 ? null : `INT-${i}`, baseWeight: i % 3 === 0 ? null : 0.5 + i / 10,
        ...deriveColumns(loadSpec(db, version.id), data),
      });
    }
  })();
  db.$client.close();
  source = { file: a.file, waveId: wave.id };
  const dbB = openDb(b.file);
  loadOfficialSurvey(dbB, OFFICIAL_SURVEYS_DIR);
  target = { file: b.file, waveId: createWave(dbB, OFFICIAL_SURVEY_ID, '2026-Q2', { closed: true, actor: 'test' }).id };
  dbB.$client.close();
});
afterAll(() => { for (const d of dbs) fs.rmSync(d.dir, { recursive: true, force: true }); });

function loadSpec(db: ReturnType<typeof openDb>, versionId: number) {
  const row = db.$client.prepare('SELECT scoring FROM survey_versions WHERE id = ?').pluck().get(versionId) as string;
  return parseScoringSpec(JSON.parse(row));
}

const COLUMNS = 'id, data, mode, interviewer, base_weight, duration_ms, completed_at, status, item_scores, consensus, tolerance, mood, region, settlement, sex, age, age_band, ethnicity';
function stored(file: string, waveId: number): Record<string, unknown>[] {
  const db = openDb(file);
  try {
    return (db.$client.prepare(`SELECT ${COLUMNS} FROM responses WHERE wave_id = ? ORDER BY id`).all(waveId) as Record<string, unknown>[])
      .map((r) => ({ ...r, data: JSON.parse(r.data as string), item_scores: JSON.parse(r.item_scores as string) }));
  } finally { db.$client.close(); }
}

describe('export → import round trip', () => {
  it('imports a codes CSV back into an empty wave with identical answers and scores', async () => {
    const csv = path.join(dbs[0]!.dir, 'wave.csv');
    const exp = await runCli(['export', '--wave', String(source.waveId), '--format', 'csv', '--out', csv], { KELISIM_DB: source.file });
    expect(exp.stderr).toBe('');
    expect(exp.code).toBe(0);
    const imp = await runCli(['responses', 'import', '--wave', String(target.waveId), '--file', csv], { KELISIM_DB: target.file });
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('25 interviews imported');
    const before = stored(source.file, source.waveId);
    const after = stored(target.file, target.waveId);
    expect(before.length).toBe(25);
    expect(after).toEqual(before);
    expect(before.some((r) => (r.data as Record<string, unknown>).a2 === 'dk')).toBe(true);
  });

  it('imports a CSV exported with a run (flags, weight, exclusion columns) back with identical answers and scores', async () => {
    const rf = await createRunFixture();
    dbs.push(rf);
    const csv = path.join(rf.dir, 'run.csv');
    const exp = await runCli(['export', '--wave', String(rf.waveId), '--run', String(rf.run.row.id), '--format', 'csv', '--out', csv], { KELISIM_DB: rf.file });
    expect(exp.code, exp.stderr).toBe(0);
    const header = fs.readFileSync(csv, 'utf8').split('\r\n')[0]!;
    expect(header).toContain(',flag_speeder,');
    expect(header.endsWith(',run_weight,run_excluded,run_excluded_by')).toBe(true);
    const fresh = createTestDbFile();
    dbs.push(fresh);
    const db = openDb(fresh.file);
    loadOfficialSurvey(db, OFFICIAL_SURVEYS_DIR);
    const waveId = createWave(db, OFFICIAL_SURVEY_ID, '2024-Q2', { closed: true, actor: 'test' }).id;
    db.$client.close();
    const imp = await runCli(['responses', 'import', '--wave', String(waveId), '--file', csv], { KELISIM_DB: fresh.file });
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    const before = stored(rf.file, rf.waveId);
    expect(before.length).toBe(1500);
    expect(stored(fresh.file, waveId)).toEqual(before);
  }, 120_000);
});
