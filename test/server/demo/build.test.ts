// `npm run demo`'s database: synthetic respondents valid for the real questionnaire and scored by
// the real scoring, one published run per quarter, and every public API answer marked demo.
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreRespondent } from '../../../analysis/scoring';
import { createApp } from '../../../server/app';
import { openDb, type Db } from '../../../server/db/open';
import { buildDemoDatabase, demoPeriods } from '../../../server/demo/build';
import { generateQuarter } from '../../../server/demo/synthetic';
import { completionValidatorFor } from '../../../server/responses/completion-validator';
import { getSurveyVersion, latestSurveyVersion, OFFICIAL_SURVEY_ID } from '../../../server/surveys/sqlite-sync';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDbFile } from '../../helpers/db';

const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'kelisim-demo-'));
const file = path.join(dir, 'demo.db');
const now = new Date('2022-09-15T12:00:00Z');
let db: Db;
let server: ReturnType<ReturnType<typeof createApp>['listen']>;
let base = '';

beforeAll(async () => {
  const summary = await buildDemoDatabase({ file, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 300 });
  expect(summary).toMatchObject({ waves: 3, respondents: 900, runs: 3 });
  db = openDb(file);
  const app = createApp({ db, config: { bodyLimitBytes: 65536, staticDir: path.join(dir, 'no-client') } });
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/public/v1`;
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the demo database', () => {
  it('has quarterly waves from 2022-Q1 to the current quarter', () => {
    expect(demoPeriods(new Date('2026-11-29T00:00:00Z'))).toHaveLength(20);
    expect(demoPeriods(new Date('2026-11-29T00:00:00Z')).at(-1)).toBe('2026-Q4');
    const waves = db.$client.prepare('SELECT period, status FROM waves ORDER BY period').all() as { period: string; status: string }[];
    expect(waves).toEqual([{ period: '2022-Q1', status: 'closed' }, { period: '2022-Q2', status: 'closed' }, { period: '2022-Q3', status: 'open' }]);
  });
  it('stores answers the questionnaire accepts, scored by the real scoring', () => {
    const version = getSurveyVersion(db, latestSurveyVersion(db, OFFICIAL_SURVEY_ID)!.id)!;
    const validate = completionValidatorFor(version);
    const rows = db.$client.prepare("SELECT data, locale, consensus, tolerance, mood FROM responses WHERE status = 'complete'").all() as { data: string; locale: 'kk' | 'ru' | 'en'; consensus: number | null; tolerance: number | null; mood: number | null }[];
    expect(rows).toHaveLength(900);
    for (const r of rows) {
      const data = JSON.parse(r.data) as Record<string, unknown>;
      expect(validate(data, r.locale)).toEqual({ ok: true });
      const s = scoreRespondent(version.spec, data).indicators;
      expect([r.consensus, r.tolerance, r.mood]).toEqual([s.consensus ?? null, s.tolerance ?? null, s.mood ?? null]);
    }
  });
  it('the generator is seeded: the same quarter gives the same respondents', () => {
    expect(generateQuarter(5, 20)).toEqual(generateQuarter(5, 20));
    expect(generateQuarter(5, 20)).not.toEqual(generateQuarter(6, 20));
  });
  it('every public API answer says demo: true, with the illustrative frame and one run per quarter', async () => {
    const periods = await (await fetch(`${base}/periods`)).json() as { demo: boolean; periods: { period: string; frame: { illustrative: boolean }; runId: number | null }[] };
    expect(periods.demo).toBe(true);
    expect(periods.periods.map((p) => p.period)).toEqual(['2022-Q1', '2022-Q2', '2022-Q3', '2022']);
    expect(periods.periods.every((p) => p.frame.illustrative)).toBe(true);
    const urls = ['/indicators', '/indicators/consensus/series', '/breakdowns?period=2022&by=region', '/breakdowns?period=2022-Q2&by=age', `/runs/${periods.periods[0]!.runId}`];
    for (const u of urls) {
      const r = await fetch(base + u);
      expect(r.status, u).toBe(200);
      expect(((await r.json()) as { demo: boolean }).demo, u).toBe(true);
    }
  });
  it('recreates its own file, but refuses to replace a database that is not a demo', async () => {
    const real = createTestDbFile();
    const before = fs.readFileSync(real.file);
    await expect(buildDemoDatabase({ file: real.file, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 50 })).rejects.toThrow(/is not a demo database/);
    expect(fs.readFileSync(real.file).equals(before)).toBe(true);
    fs.rmSync(real.dir, { recursive: true, force: true });
    const again = path.join(dir, 'again.db');
    await buildDemoDatabase({ file: again, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 300 });
    expect((await buildDemoDatabase({ file: again, surveysDir: OFFICIAL_SURVEYS_DIR, now, perWave: 300 })).respondents).toBe(900);
  }, 60_000);
});
