// The whole path ends at the public API: wave → import → frame → estimate → publish (the runs
// feature's services on the engine KELISIM_TEST_DB names) → GET /api/public/v1 over real HTTP gives exactly the
// numbers `kelisim analyze` prints for the same rows and margins (1e-9), on the R reference set —
// the wave's estimates, its domains (suppressed ones without numbers), and the year's domains
// pooled from its one wave.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIN_DOMAIN_N } from '../../../analysis/estimates';
import { createApp } from '../../../server/app';
import { importFrameFile } from '../../../server/frames/service';
import { publishRun } from '../../../server/publications/service';
import { importResponsesFile } from '../../../server/responses/import';
import { createEstimateRun } from '../../../server/runs/service';
import { loadOfficialSurvey, loadTargets } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/service';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestStore, type TestStore } from '../../helpers/store';
import { runCli } from '../../helpers/spawn';
import { REFERENCE_DIR, writeReferenceImport } from '../runs/reference-import';

interface Domain { level: string; n: number; mean: number; se: number; suppressed: boolean }
interface Analyze { indicators: Record<string, { nScored: number; mean: number; se: number; ci95: [number, number]; deff: number; domains: Record<string, Domain[]> }> }
interface Level { level: string; n: number | null; value: number | null; se: number | null; ci95: [number, number] | null; suppressed: boolean }

let t: TestStore;
let dir = '';
let server: ReturnType<ReturnType<typeof createApp>['listen']>;
let base = '';
let runId = 0;
let expected: Analyze;

beforeAll(async () => {
  t = await createTestStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-results-path-'));
  const { store } = t;
  await loadOfficialSurvey(store, OFFICIAL_SURVEYS_DIR);
  await loadTargets(store, OFFICIAL_SURVEYS_DIR);
  const wave = await createWave(store, OFFICIAL_SURVEY_ID, '2024-Q2', { closed: true, actor: 'test' });
  const csv = path.join(dir, 'raking-a.csv');
  writeReferenceImport('raking-a', csv);
  await importResponsesFile(store, wave.id, csv, 'test');
  await importFrameFile(store, path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'), { name: 'ref', source: 'R reference', referenceDate: '2021-10-01', illustrative: true }, 'test');
  runId = (await createEstimateRun(store, t.db, { wave: { period: '2024-Q2' }, frame: { name: 'ref' }, options: { exclude: [] } }, 'test')).row.id;
  await publishRun(store, runId, 'test');
  const app = createApp({ store, db: t.db, config: { bodyLimitBytes: 65536, staticDir: path.join(dir, 'no-client') } });
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/public/v1`;
  const ref = path.join(REFERENCE_DIR, 'raking-a');
  const out = await runCli(['analyze', '--responses', path.join(ref, 'responses.csv'), '--margins', path.join(ref, 'margins.csv'),
    '--scoring', path.join(ref, 'scoring.json'), '--by', 'region,sex,age,settlement,ethnicity'], {});
  expect(out.stderr).toBe('');
  expected = JSON.parse(out.stdout) as Analyze;
}, 120_000);

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await t?.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const close = (actual: number | null, wanted: number, what: string): void => {
  expect(actual, what).not.toBeNull();
  expect(Math.abs(actual! - wanted), `${what}: ${actual} vs analyze's ${wanted}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(wanted)));
};

const getJson = async <T>(url: string): Promise<T> => {
  const r = await fetch(base + url);
  expect(r.status, url).toBe(200);
  return await r.json() as T;
};

it('series: the published wave is analyze\'s estimate; its year has that value and SE', async () => {
  for (const id of ['consensus', 'tolerance', 'mood']) {
    const s = await getJson<{ waves: { period: string; runId: number; n: number; value: number; se: number; ci95: [number, number]; deff: number }[]; years: { year: number; value: number; se: number }[] }>(`/indicators/${id}/series`);
    const e = expected.indicators[id]!;
    expect(s.waves.map((w) => [w.period, w.runId, w.n])).toEqual([['2024-Q2', runId, e.nScored]]);
    close(s.waves[0]!.value, e.mean, `${id} value`);
    close(s.waves[0]!.se, e.se, `${id} se`);
    close(s.waves[0]!.ci95[0], e.ci95[0], `${id} ci95 low`);
    close(s.waves[0]!.deff, e.deff, `${id} deff`);
    close(s.years[0]!.value, e.mean, `${id} 2024 value`);
    close(s.years[0]!.se, e.se, `${id} 2024 se`);
  }
});

it.each(['2024-Q2', '2024'])('breakdowns for %s, every domain variable: analyze\'s domain estimates, suppression enforced', async (period) => {
  for (const by of ['region', 'sex', 'age', 'settlement', 'ethnicity']) {
    const b = await getJson<{ indicators: { id: string; levels: Level[] }[] }>(`/breakdowns?period=${period}&by=${by}`);
    let suppressed = 0;
    for (const ind of b.indicators) {
      const domains = expected.indicators[ind.id]!.domains[by]!;
      expect(ind.levels.map((l) => l.level).sort(), `${period} ${by} ${ind.id}`).toEqual(domains.map((d) => d.level).sort());
      for (const l of ind.levels) {
        const d = domains.find((x) => x.level === l.level)!;
        expect(l.suppressed).toBe(d.n < MIN_DOMAIN_N);
        if (l.suppressed) {
          suppressed++;
          expect([l.n, l.value, l.se, l.ci95]).toEqual([null, null, null, null]);
        } else {
          expect(l.n).toBe(d.n);
          close(l.value, d.mean, `${period} ${by} ${ind.id} ${l.level} value`);
          close(l.se, d.se, `${period} ${by} ${ind.id} ${l.level} se`);
        }
      }
    }
    if (by === 'region') expect(suppressed, 'raking-a has regions under 30 respondents').toBeGreaterThan(0);
  }
});
