// bench:admin-responses — the console's responses list (server/admin/responses/service.ts) over a
// database of N responses (default 1,000,000, written with one SQL statement): the first page and
// the 20 keyset pages after it, per filter, median of 5 (ms); the run-time flags (speeder, …) as an
// estimate run stores them. Usage: npm run bench:admin-responses [-- N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QUALITY_FLAGS, type QualityFlagName } from '../contract/admin-api';
import { listResponses } from '../server/admin/responses/service';
import { flaggedIds, writeRunFlags } from '../server/runs/run-flags';
import { IdList } from '../server/runs/packed-input';
import { openDb } from '../server/db/open';
import { createSqliteStore } from '../server/db/store-sqlite';
import { sqliteSql } from '../server/db/sql';
import { loadOfficialSurvey } from '../server/surveys/sqlite-sync';
import { OFFICIAL_SURVEY_ID } from '../server/surveys/service';
import { ensureOpenWave, openWave } from '../server/waves/sqlite-sync';

/** The small stand-in questionnaire of the tests (the list reads no answers). */
const MINI = path.join(import.meta.dirname, '../test/fixtures/mini-survey');
const n = Number(process.argv[2] ?? 1_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-admin-'));
try {
  const db = openDb(path.join(dir, 'bench.db'), { synchronous: 'normal' });
  const { version } = loadOfficialSurvey(db, MINI);
  const w1 = ensureOpenWave(db, OFFICIAL_SURVEY_ID).wave.id;
  const w2 = openWave(db, OFFICIAL_SURVEY_ID).id;
  const t0 = performance.now();
  db.$client.exec(`
    WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n - 1})
    INSERT INTO responses (id, wave_id, survey_version_id, locale, status, data, current_page_no, started_at, updated_at, completed_at, mode, region, consensus, tolerance, mood)
    SELECT printf('%08x-0000-4000-8000-%012x', i, i), CASE WHEN i % 10 = 0 THEN ${w2} ELSE ${w1} END, ${version.id}, 'ru',
      CASE WHEN i % 7 = 0 THEN 'partial' WHEN i % 13 = 0 THEN 'screened_out' ELSE 'complete' END, '{}', 0,
      strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (i * 7) || ' seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (i * 7 + 60) || ' seconds'), NULL,
      CASE WHEN i % 5 = 0 THEN 'capi' ELSE 'web' END, 'KZ-' || (10 + i % 17),
      CASE WHEN i % 101 = 0 THEN NULL ELSE 50 END, CASE WHEN i % 101 = 0 THEN NULL ELSE 50 END, CASE WHEN i % 101 = 0 THEN NULL ELSE 50 END
    FROM seq;`);
  // What an estimate run of wave 1 stores (docs/decisions/024), written by the run's own code
  // (writeRunFlags, in one transaction as the run does): every 50th complete response a speeder
  // (2 %, more than a real wave has) and every 997th a straightliner.
  db.$client.exec(`
    INSERT INTO frames (name, source, reference_date, illustrative, content_hash, margins, created_by, created_at) VALUES ('bench', 'bench', '2021-10-01', 1, 'x', '[]', 'bench', '2026-01-01T00:00:00Z');
    INSERT INTO estimate_runs (wave_id, frame_id, frame_hash, survey_version_ids, scoring_hash, options, engine_version, input_hash, result, created_by, created_at)
      VALUES (${w1}, last_insert_rowid(), 'x', '[]', 'x', '{}', 'bench', 'x', '{}', 'bench', '2026-01-02T00:00:00Z');`);
  const runId = db.$client.prepare('SELECT max(id) FROM estimate_runs').pluck().get() as number;
  const ids = db.$client.prepare(`SELECT id FROM responses WHERE wave_id = ${w1} AND status = 'complete' ORDER BY id`).pluck().all() as string[];
  const flags = Object.fromEntries(QUALITY_FLAGS.map((f) => [f, new Uint8Array(ids.length)])) as Record<QualityFlagName, Uint8Array>;
  for (let i = 0; i < ids.length; i++) { if (i % 50 === 0) flags.speeder[i] = 1; if (i % 997 === 0) flags.straightliner[i] = 1; }
  const t1 = performance.now();
  const flagged = await createSqliteStore(db).write((tx) => writeRunFlags(tx, runId, w1, flaggedIds({
    perRespondent: { ids: IdList.from(ids), flags, excluded: new Uint8Array(ids.length), weights: new Float64Array(ids.length) },
    flagNotes: { speederMedianMs: 600_000, speederThresholdMs: 180_000 },
  })));
  console.log(`run flags: ${flagged} pairs of ${ids.length} complete responses written by writeRunFlags in ${(performance.now() - t1).toFixed(0)} ms (the time a run spends on them)`);
  db.$client.exec('ANALYZE');
  console.log(`${n} responses written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const sql = sqliteSql(db.$client);
  const time = async (label: string, q: Parameters<typeof listResponses>[1]) => {
    const ms: number[] = [];
    let deep = 0;
    for (let k = 0; k < 5; k++) {
      const a = performance.now();
      let page = await listResponses(sql, { ...q, limit: 50 });
      ms.push(performance.now() - a);
      // 20 pages further: keyset, no OFFSET.
      const b = performance.now();
      for (let p = 0; p < 20 && page.nextCursor; p++) page = await listResponses(sql, { ...q, limit: 50, cursor: page.nextCursor });
      deep = (performance.now() - b) / 20;
    }
    ms.sort((x, y) => x - y);
    console.log(`${label.padEnd(48)} first page ${ms[2]!.toFixed(1)} ms, next pages ${deep.toFixed(1)} ms each`);
  };
  await time(`wave ${w1}, newest first`, { wave: w1 });
  await time(`wave ${w1}, oldest first`, { wave: w1, sort: 'oldest' });
  await time(`wave ${w1}, status complete`, { wave: w1, status: 'complete' });
  await time(`wave ${w1}, mode capi, region KZ-11`, { wave: w1, mode: 'capi', region: 'KZ-11' });
  await time(`wave ${w1}, flag incomplete`, { wave: w1, flag: 'incomplete' });
  await time(`wave ${w2} (10 %), newest first`, { wave: w2 });
  await time(`wave ${w1}, flag overruled (none)`, { wave: w1, flag: 'overruled' });
  await time(`wave ${w1}, flag speeder (run, 2 %)`, { wave: w1, flag: 'speeder' });
  await time(`wave ${w1}, flag speeder, oldest first`, { wave: w1, flag: 'speeder', sort: 'oldest' });
  await time(`wave ${w1}, flag straightliner (run, 0.1 %)`, { wave: w1, flag: 'straightliner' });
  await time(`wave ${w1}, flag straightliner, oldest first`, { wave: w1, flag: 'straightliner', sort: 'oldest' });
  await time(`wave ${w1}, flag automation (run, none)`, { wave: w1, flag: 'automation' });
  await time(`wave ${w1}, flag speeder, mode capi (the look-up)`, { wave: w1, flag: 'speeder', mode: 'capi' });
  db.$client.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
