// The public API never answers 5xx to any query string or path parameter (issue 6, "Bad input"):
// seeded random query strings — known and unknown parameters, repeated ones, bracket syntax,
// malformed %-escapes, control and non-Latin characters, very long values — against every endpoint.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadTargets } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEYS_DIR, startTestApp, type TestApp } from '../../helpers/app';
import { insertRun, publish, reference, resampledInput, storeFrame } from '../../helpers/published-runs';
import { rng } from '../../helpers/random';

let app: TestApp;
let runId = 0;

beforeAll(async () => {
  app = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR });
  await loadTargets(app.store, OFFICIAL_SURVEYS_DIR);
  const frame = { id: await storeFrame(app.store, { name: 'fuzz', illustrative: true, margins: reference.margins }), name: 'fuzz', illustrative: true };
  for (const period of ['2026-Q1', '2026-Q2']) {
    const r = await insertRun(app.store, period, resampledInput(period.length + Number(period.at(-1)), 600), frame);
    await publish(app.store, r.runId, period);
    runId = r.runId;
  }
}, 60_000);

afterAll(async () => {
  await app.close();
});

const random = rng(6);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const NAMES = ['period', 'by', 'format', 'lang', 'id', 'x', 'period[]', 'by[a]', '__proto__', 'constructor', '', '%', 'by%5B0%5D'];
const VALUES = [
  '2026', '2026-Q1', '2026-Q2', '2026-Q9', '2026-q1', '0000', '99999', '-1', '1e3', 'region', 'sex', 'age', 'settlement', 'ethnicity',
  'csv', 'json', 'kk', 'ru', 'en', 'CSV', '', '%', '%E0%A4%A', '%ZZ', '%00', '%C0%AF', 'Қазақстан', 'Ё', '💥', 'null', 'undefined',
  'true', '[]', '{}', '__proto__', 'a'.repeat(5000), '2026-Q1%00', '%0d%0aSet-Cookie:x', "'; DROP TABLE publications;--",
];
const PATHS = [
  '/indicators', '/periods', '/breakdowns', '/openapi.json', '/indicators/consensus/series', '/indicators/mood/series',
  () => `/indicators/${encodeURIComponent(pick(VALUES)).slice(0, 200)}/series`,
  () => `/runs/${pick([String(runId), '0', '-1', '1.5', '9'.repeat(30), 'abc', '%E0%A4%A', '%2e%2e', String(runId) + '%00'])}`,
];

function randomQuery(): string {
  const parts: string[] = [];
  const k = Math.floor(random() * 5);
  for (let i = 0; i < k; i++) {
    const raw = random() < 0.5;
    const name = pick(NAMES);
    const value = pick(VALUES);
    parts.push(raw ? `${name}=${value}` : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
    if (random() < 0.1) parts.push(name); // a parameter without '='
  }
  return parts.length > 0 ? `?${parts.join(random() < 0.9 ? '&' : ';')}` : '';
}

it('400 random requests: no 5xx, no internal error, every error a JSON { error: { code, message } }', async () => {
  const statuses = new Map<number, number>();
  for (let i = 0; i < 400; i++) {
    const p = pick(PATHS);
    const url = `${app.baseUrl}/api/public/v1${typeof p === 'string' ? p : p()}${randomQuery()}`;
    const res = await fetch(url);
    const text = await res.text();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    expect(res.status, url).toBeLessThan(500);
    if (res.status >= 400) {
      const body = JSON.parse(text) as { error: { code: string; message: string } };
      expect(typeof body.error.code, url).toBe('string');
      expect(body.error.message.length, url).toBeGreaterThan(0);
    }
  }
  expect(app.internalErrors).toEqual([]);
  // The generator reaches successes, bad values and unknown ids alike.
  expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 404]));
}, 60_000);
