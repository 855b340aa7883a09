// Run-time quality flags and the reading of stored columns, on the raking-a reference interviews:
// straightliners found from item scores equal those counted on the raw answers; item_scores in
// any valid JSON layout read the same values (and hash the same) as the compact form.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../server/db/open';
import { importFrameFile } from '../../../server/frames/service';
import { importResponsesFile } from '../../../server/responses/import';
import { storeOf } from '../../helpers/db-store';
import { flagOverrules } from '../../../server/db/schema';
import { findFrameByName } from '../../../server/frames/service';
import { computeRun, DEFAULT_RUN_OPTIONS } from '../../../server/runs/compute';
import { createEstimateRun } from '../../../server/runs/service';
import { findWave } from '../../../server/waves/sqlite-sync';
import { loadOfficialSurvey } from '../../../server/surveys/sqlite-sync';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { parseCsvText } from '../../../server/tables/read-table';
import { createWave } from '../../../server/waves/sqlite-sync';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { REFERENCE_DIR, writeReferenceImport } from './reference-import';

let t: TestDb;
let db: Db;
beforeAll(async () => {
  t = createTestDb();
  db = t.db;
  loadOfficialSurvey(db, OFFICIAL_SURVEYS_DIR);
  const wave = createWave(db, OFFICIAL_SURVEY_ID, '2024-Q2', { closed: true, actor: 'test' });
  const csv = path.join(t.dir, 'a.csv');
  writeReferenceImport('raking-a', csv);
  await importResponsesFile(storeOf(db), wave.id, csv, 'test');
  await importFrameFile(storeOf(db), path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'), { name: 'ref', source: 'R reference', referenceDate: '2021-10-01', illustrative: true }, 'test');
}, 60_000);
afterAll(() => t.cleanup());

const request = { wave: { period: '2024-Q2' }, frame: { name: 'ref' } } as const;

describe('estimate runs read the stored columns', () => {
  it('flags as straightliners exactly the respondents with one identical answer to all five consensus items', async () => {
    const file = path.join(REFERENCE_DIR, 'raking-a', 'responses.csv');
    const table = parseCsvText(fs.readFileSync(file, 'utf8'), file);
    const cols = ['c1', 'c2', 'c3', 'c4', 'c5'].map((c) => table.header.indexOf(c));
    // The only same-scale block of ≥ 5 non-binary items is consensus (mood has four 1–5 items).
    const expected = table.records.filter((r) => { const v = cols.map((c) => r.cells[c]!); return v[0] !== '' && v.every((x) => x === v[0]); }).length;
    expect(expected).toBeGreaterThan(0);
    const run = await createEstimateRun(storeOf(db), db, { ...request, options: { exclude: ['straightliner'] } }, 'test');
    expect(run.result.sample.excludedBy).toEqual({ speeder: 0, straightliner: expected, incomplete: 0, burst: 0, duplicate_answers: 0, automation: 0 });
    expect(run.result.sample.used).toBe(table.records.length - expected);
    expect(run.result.analysis.n).toBe(table.records.length - expected);
  });

  it('keeps a flagged response whose flag a researcher overruled, and counts it as overruled', async () => {
    const before = await createEstimateRun(storeOf(db), db, { ...request, options: { exclude: ['straightliner'] } }, 'test');
    expect(before.result.sample.overruled).toBe(0);
    const flagged = before.result.sample.excludedBy.straightliner;
    // Overrule the straightliner flag of one flagged response (as the console does, audited there).
    const wave = db.$client.prepare("SELECT id FROM waves WHERE period = '2024-Q2'").get() as { id: number };
    const ids = db.$client.prepare("SELECT id FROM responses WHERE wave_id = ? AND status = 'complete' ORDER BY id").pluck().all(wave.id) as string[];
    const computed = computeRun(db, findWave(db, wave.id)!, (await findFrameByName(storeOf(db).sql, 'ref'))!, { ...DEFAULT_RUN_OPTIONS, exclude: ['straightliner'] });
    const target = ids.find((id) => computed.perRespondent.flags.straightliner[computed.perRespondent.ids.toArray().indexOf(id)] === 1)!;
    db.insert(flagOverrules).values({ responseId: target, flag: 'straightliner', reason: 'checked by phone: genuine answers', actor: 'test', at: new Date().toISOString() }).run();
    const after = await createEstimateRun(storeOf(db), db, { ...request, options: { exclude: ['straightliner'] } }, 'test');
    expect(after.result.sample.excludedBy.straightliner).toBe(flagged - 1);
    expect(after.result.sample.overruled).toBe(1);
    expect(after.result.sample.used).toBe(before.result.sample.used + 1);
    // An overrule of a flag the run does not exclude changes nothing.
    const plain = await createEstimateRun(storeOf(db), db, { ...request, options: { exclude: [] } }, 'test');
    expect(plain.result.sample.overruled).toBe(0);
    db.$client.prepare('DELETE FROM flag_overrules').run();
  });

  it('reads item_scores written in another JSON layout as the same values (same result, same input hash)', async () => {
    const before = await createEstimateRun(storeOf(db), db, request, 'test');
    // Spaces after the separators: not the compact form, so the general parser reads it.
    db.$client.prepare("UPDATE responses SET item_scores = replace(replace(item_scores, ',', ', '), ':', ': ')").run();
    expect((db.$client.prepare('SELECT item_scores FROM responses LIMIT 1').pluck().get() as string)).toContain(', "');
    const after = await createEstimateRun(storeOf(db), db, request, 'test');
    expect(after.result).toEqual(before.result);
    expect(after.row.inputHash).toBe(before.row.inputHash);
  });

  it('reads a wave answered on two versions with one scoring spec, and refuses one whose versions are scored differently', async () => {
    const before = await createEstimateRun(storeOf(db), db, request, 'test');
    const v1 = db.$client.prepare("SELECT * FROM survey_versions WHERE survey_id = ? AND version = 1").get(OFFICIAL_SURVEY_ID) as Record<string, unknown>;
    const insert = db.$client.prepare('INSERT INTO survey_versions (survey_id, version, content_hash, json, scoring, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const same = Number(insert.run(OFFICIAL_SURVEY_ID, 101, 'same-scoring', v1.json, v1.scoring, v1.created_at).lastInsertRowid);
    const scoring = JSON.parse(v1.scoring as string) as { indicators: { minAnsweredShare: number }[] };
    scoring.indicators[0]!.minAnsweredShare = 0.9;
    const other = Number(insert.run(OFFICIAL_SURVEY_ID, 102, 'other-scoring', v1.json, JSON.stringify(scoring), v1.created_at).lastInsertRowid);
    const wave = db.$client.prepare("SELECT id FROM waves WHERE period = '2024-Q2'").get() as { id: number };
    // Every other row (the first one a run looks at among them) on the version with the same spec: computed as before.
    const move = db.$client.prepare("UPDATE responses SET survey_version_id = ? WHERE wave_id = ? AND status = 'complete' AND rowid % 2 = ?");
    move.run(same, wave.id, 1);
    const mixedVersions = await createEstimateRun(storeOf(db), db, request, 'test');
    expect(mixedVersions.row.surveyVersionIds).toEqual([Number(v1.id), same]);
    expect(mixedVersions.result.analysis).toEqual(before.result.analysis);
    // The same rows on a version scored differently: refused, naming both groups of versions, whichever row is looked at first.
    const frame = (await findFrameByName(storeOf(db).sql, 'ref'))!;
    for (const parity of [1, 0]) {
      move.run(Number(v1.id), wave.id, 1 - parity);
      move.run(other, wave.id, parity);
      expect(() => computeRun(db, findWave(db, wave.id)!, frame, DEFAULT_RUN_OPTIONS)).toThrow(
        `wave ${wave.id} has responses scored with different scoring specs (versions ${v1.id} vs versions ${other}); estimate them separately`);
    }
    move.run(Number(v1.id), wave.id, 0);
    move.run(Number(v1.id), wave.id, 1);
  });
});
