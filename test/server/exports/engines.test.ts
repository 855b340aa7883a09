// The same wave exported from SQLite and from PostgreSQL gives the same files (decision 030): the
// export fixtures are built in SQLite, copied into PostgreSQL with `kelisim db copy`'s
// copySqliteToPg, and every export — CSV (codes, labels, every status) with its codebook, XLSX,
// SPSS, a wave with a run's weights, a run's results — is written from each engine with the same
// "exported at" time. CSV, codebook and SPSS files are compared byte for byte; an XLSX is a zip
// whose entries carry the time they were zipped, so its entries are compared byte for byte, all but
// docProps/core.xml, where exceljs writes the second the workbook was made. A run
// that the PostgreSQL rows no longer match is refused there as on SQLite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySqliteToPg } from '../../../server/db/copy-pg';
import { openDb, type Db } from '../../../server/db/open';
import { exportRunResults } from '../../../server/exports/run-results';
import { exportWave, type ExportOptions } from '../../../server/exports/service';
import type { ExportDatabase } from '../../../server/exports/snapshot';
import { createTestPgDb, type TestPgDb } from '../../helpers/pg';
import { createExportFixture, type ExportFixture } from './fixture';
import { createRunFixture, type RunFixture } from './run-fixture';

const NOW = new Date('2026-11-30T01:02:03.000Z');

let fx: ExportFixture;
let rf: RunFixture;
const dbs: TestPgDb[] = [];
const pools: pg.Pool[] = [];
const sqlite: Db[] = [];
let out: string;

async function copied(file: string): Promise<{ pool: pg.Pool }> {
  const target = await createTestPgDb();
  dbs.push(target);
  await copySqliteToPg(file, target.url);
  const pool = new pg.Pool({ connectionString: target.url, max: 2 });
  pools.push(pool);
  return { pool };
}

let engines: { fx: Record<'sqlite' | 'postgres', ExportDatabase>; rf: Record<'sqlite' | 'postgres', ExportDatabase> };

beforeAll(async () => {
  fx = createExportFixture(40);
  rf = await createRunFixture();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-engines-'));
  const open = (file: string) => { const db = openDb(file, { migrateSchema: false }); sqlite.push(db); return db; };
  engines = {
    fx: { sqlite: open(fx.file), postgres: await copied(fx.file) },
    rf: { sqlite: open(rf.file), postgres: await copied(rf.file) },
  };
}, 180_000);

afterAll(async () => {
  for (const db of sqlite) db.$client.close();
  for (const p of pools) await p.end();
  for (const d of dbs) await d.drop();
  for (const dir of [fx.dir, rf.dir, out]) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every file an export wrote, by its name without the engine's folder. */
async function exportBoth(which: 'fx' | 'rf', name: string, o: Omit<ExportOptions, 'out' | 'now'>): Promise<Record<'sqlite' | 'postgres', { files: string[]; rows: number }>> {
  const result = {} as Record<'sqlite' | 'postgres', { files: string[]; rows: number }>;
  for (const engine of ['sqlite', 'postgres'] as const) {
    const dir = path.join(out, engine);
    fs.mkdirSync(dir, { recursive: true });
    const s = await exportWave(engines[which][engine], { ...o, out: path.join(dir, name), now: NOW });
    result[engine] = { files: s.files, rows: s.rows };
  }
  return result;
}

async function zipEntries(file: string): Promise<Map<string, Buffer>> {
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  const entries = new Map<string, Buffer>();
  for (const name of Object.keys(zip.files).sort()) entries.set(name, await zip.files[name]!.async('nodebuffer'));
  return entries;
}

function expectSameBytes(a: string, b: string): void {
  const x = fs.readFileSync(a);
  const y = fs.readFileSync(b);
  expect(x.length, path.basename(a)).toBeGreaterThan(100);
  expect(x.equals(y), `${path.basename(a)}: ${x.length} bytes from SQLite, ${y.length} from PostgreSQL`).toBe(true);
}

/** The workbook's document properties: exceljs writes the time the workbook was made there. */
const CORE_PROPERTIES = 'docProps/core.xml';

async function expectSameXlsx(a: string, b: string): Promise<void> {
  const x = await zipEntries(a);
  const y = await zipEntries(b);
  expect([...y.keys()]).toEqual([...x.keys()]);
  expect(x.size).toBeGreaterThan(3);
  expect([...x.keys()].some((name) => name.startsWith('xl/worksheets/'))).toBe(true);
  for (const [name, bytes] of x) if (name !== CORE_PROPERTIES) expect(bytes.equals(y.get(name)!), name).toBe(true);
}

describe('a wave exported from SQLite and from PostgreSQL', () => {
  it('gives byte-identical CSV data and codebook files (codes, every status; labels in Russian)', async () => {
    for (const [name, o] of [
      ['codes.csv', { labels: false, lang: 'kk', status: 'all' }],
      ['labels.csv', { labels: true, lang: 'ru', status: 'complete' }],
    ] as const) {
      const r = await exportBoth('fx', name, { waveId: fx.waveId, format: 'csv', ...o });
      expect(r.postgres.rows).toBe(r.sqlite.rows);
      expect(r.sqlite.rows).toBe(o.status === 'all' ? 42 : 40);
      for (let i = 0; i < r.sqlite.files.length; i++) expectSameBytes(r.sqlite.files[i]!, r.postgres.files[i]!);
      // The codebook carries the export's time: the one given to both.
      expect(fs.readFileSync(r.postgres.files[1]!, 'utf8')).toContain(NOW.toISOString());
    }
  });

  it('gives the same SPSS file byte for byte and the same XLSX sheets', async () => {
    const sav = await exportBoth('fx', 'wave.sav', { waveId: fx.waveId, format: 'sav', lang: 'en', status: 'all', labels: false });
    expectSameBytes(sav.sqlite.files[0]!, sav.postgres.files[0]!);
    const xlsx = await exportBoth('fx', 'wave.xlsx', { waveId: fx.waveId, format: 'xlsx', lang: 'kk', status: 'complete', labels: true });
    await expectSameXlsx(xlsx.sqlite.files[0]!, xlsx.postgres.files[0]!);
  });

  it('with a run: the same weights, exclusions and flags per row (the run recomputed from PostgreSQL inside the export\'s snapshot)', async () => {
    const csv = await exportBoth('rf', 'run.csv', { waveId: rf.waveId, format: 'csv', lang: 'en', status: 'all', labels: false, runId: rf.run.row.id });
    expect(csv.sqlite.rows).toBe(1500);
    for (let i = 0; i < 2; i++) expectSameBytes(csv.sqlite.files[i]!, csv.postgres.files[i]!);
    const header = fs.readFileSync(csv.postgres.files[0]!, 'utf8').split('\r\n')[0]!;
    expect(header).toContain('run_weight');
    const sav = await exportBoth('rf', 'run.sav', { waveId: rf.waveId, format: 'sav', lang: 'ru', status: 'complete', labels: false, runId: rf.run.row.id });
    expectSameBytes(sav.sqlite.files[0]!, sav.postgres.files[0]!);
  });

  it('a run\'s results: the same estimates and diagnostics CSV and the same XLSX sheets', async () => {
    const files: Record<string, string[]> = {};
    for (const engine of ['sqlite', 'postgres'] as const) {
      const dir = path.join(out, `results-${engine}`);
      fs.mkdirSync(dir, { recursive: true });
      const csv = await exportRunResults(engines.rf[engine], { runId: rf.run.row.id, format: 'csv', lang: 'kk', out: path.join(dir, 'results.csv') });
      const xlsx = await exportRunResults(engines.rf[engine], { runId: rf.run.row.id, format: 'xlsx', lang: 'ru', out: path.join(dir, 'results.xlsx') });
      files[engine] = [...csv.files, ...xlsx.files];
    }
    expectSameBytes(files.sqlite![0]!, files.postgres![0]!);
    expectSameBytes(files.sqlite![1]!, files.postgres![1]!);
    await expectSameXlsx(files.sqlite![2]!, files.postgres![2]!);
  });

  it('refuses on PostgreSQL, as on SQLite, a run whose rows changed since, and an unknown wave and run', async () => {
    const { pool } = engines.rf.postgres as { pool: pg.Pool };
    await pool.query("UPDATE responses SET duration_ms = duration_ms + 1 WHERE id = (SELECT min(id COLLATE \"C\") FROM responses WHERE wave_id = $1 AND status = 'complete')", [rf.waveId]);
    const refused = await exportWave(engines.rf.postgres, { waveId: rf.waveId, format: 'csv', lang: 'en', status: 'all', labels: false, out: path.join(out, 'stale.csv'), runId: rf.run.row.id }).then(() => null, (err: unknown) => err);
    expect(refused).toMatchObject({ kind: 'conflict', code: 'run_outdated' });
    expect(fs.existsSync(path.join(out, 'stale.csv'))).toBe(false);
    const noWave = await exportWave(engines.rf.postgres, { waveId: 999, format: 'csv', lang: 'en', status: 'all', labels: false, out: path.join(out, 'none.csv') }).then(() => null, (err: unknown) => err);
    expect(noWave).toMatchObject({ kind: 'not_found', code: 'wave_not_found' });
    const noRun = await exportRunResults(engines.rf.postgres, { runId: 999, format: 'csv', lang: 'en', out: path.join(out, 'none.csv') }).then(() => null, (err: unknown) => err);
    expect(noRun).toMatchObject({ kind: 'not_found', code: 'run_not_found' });
    // The pool's connections are back and idle: no transaction left open by the refusals.
    const open = await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'");
    expect(Number(open.rows[0]!.n)).toBe(0);
  });
});
