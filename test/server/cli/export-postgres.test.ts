// `kelisim export` on KELISIM_DATABASE_URL (decision 030): a wave copied from SQLite into
// PostgreSQL exports to the same CSV as from the SQLite file (the codebook differs only in its
// "exported at" line), a run's results to the same tables, an SPSS file with the same cases; the
// SQLite file KELISIM_DB happens to name is never read instead; an unknown wave is refused with
// exit 2 and one line, writing nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copySqliteToPg } from '../../../server/db/copy-pg';
import { createTestPgDb, type TestPgDb } from '../../helpers/pg';
import { runCli } from '../../helpers/spawn';
import { createRunFixture, type RunFixture } from '../exports/run-fixture';

let pg: TestPgDb;
let rf: RunFixture;
let dir: string;
beforeAll(async () => {
  rf = await createRunFixture();
  pg = await createTestPgDb();
  await copySqliteToPg(rf.file, pg.url);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-export-pg-'));
}, 180_000);
afterAll(async () => {
  await pg.drop();
  fs.rmSync(rf.dir, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

const onPg = (args: string[]) => runCli(['export', ...args], { KELISIM_DATABASE_URL: pg.url, KELISIM_DB: path.join(dir, 'not-there.db') });
const onSqlite = (args: string[]) => runCli(['export', ...args], { KELISIM_DB: rf.file });
const withoutExportTime = (file: string) => fs.readFileSync(file, 'utf8').split('\r\n').filter((l) => !l.startsWith('export,exported at,')).join('\r\n');

it('writes the same CSV and codebook (but the export time) from PostgreSQL as from the SQLite file, with the run\'s weights', async () => {
  const args = (out: string) => ['--wave', String(rf.waveId), '--format', 'csv', '--status', 'all', '--run', String(rf.run.row.id), '--lang', 'ru', '--out', out];
  const a = await onSqlite(args(path.join(dir, 'sqlite.csv')));
  const b = await onPg(args(path.join(dir, 'pg.csv')));
  expect([b.code, b.stderr]).toEqual([0, '']);
  expect(a.code).toBe(0);
  expect(b.stdout).toContain(`wave ${rf.waveId} with run ${rf.run.row.id}: 1500 responses`);
  expect(fs.readFileSync(path.join(dir, 'pg.csv')).equals(fs.readFileSync(path.join(dir, 'sqlite.csv')))).toBe(true);
  expect(fs.readFileSync(path.join(dir, 'pg.csv'), 'utf8').split('\r\n')[0]).toContain('run_weight');
  const codebook = withoutExportTime(path.join(dir, 'pg.codebook.csv'));
  expect(codebook).toContain('run input hash');
  expect(codebook).toBe(withoutExportTime(path.join(dir, 'sqlite.codebook.csv')));
});

it('writes a run\'s results and an SPSS file from PostgreSQL', async () => {
  const a = await onSqlite(['--run', String(rf.run.row.id), '--format', 'csv', '--out', path.join(dir, 'sqlite-results.csv')]);
  const b = await onPg(['--run', String(rf.run.row.id), '--format', 'csv', '--out', path.join(dir, 'pg-results.csv')]);
  expect([a.code, b.code, b.stderr]).toEqual([0, 0, '']);
  for (const f of ['results.csv', 'results.diagnostics.csv']) {
    expect(fs.readFileSync(path.join(dir, `pg-${f}`)).equals(fs.readFileSync(path.join(dir, `sqlite-${f}`))), f).toBe(true);
  }
  const sav = await onPg(['--wave', String(rf.waveId), '--format', 'sav', '--out', path.join(dir, 'pg.sav')]);
  expect([sav.code, sav.stderr]).toEqual([0, '']);
  expect(sav.stdout).toContain('1500 responses');
  expect(fs.readFileSync(path.join(dir, 'pg.sav')).subarray(0, 4).toString('latin1')).toBe('$FL2');
});

it('refuses an unknown wave on PostgreSQL with exit 2 and one line naming the waves there, writing nothing', async () => {
  const out = path.join(dir, 'none.csv');
  const r = await onPg(['--wave', '999', '--format', 'csv', '--out', out]);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`existing waves: ${rf.waveId} (2024-Q2), ${rf.otherWaveId} (2024-Q3)`);
  expect(fs.existsSync(out)).toBe(false);
});
