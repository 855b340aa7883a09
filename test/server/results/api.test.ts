// The public results API (docs/PUBLIC-API.md) over a real database (SQLite, or PostgreSQL when
// KELISIM_TEST_DB=postgres) and real HTTP: published runs built with analyze() and inserted as the
// estimate-runs feature stores them. Every answer is checked against the served OpenAPI document,
// and every number against analysis/ computed here.
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Z975 } from '../../../analysis/estimates';
import { poolDomains, type PoolingMoments } from '../../../analysis/pooling';
import { annualValues, eurostatProgress, targetStatus, waveChange } from '../../../analysis/targets';
import { sql as q } from 'drizzle-orm';
import { auditLog } from '../../../server/db/schema';
import { bare } from '../../../server/db/sql';
import { DEMO_MARKER_ACTION } from '../../../server/results/state';
import type { StoredRunResult } from '../../../server/runs/result';
import { loadTargets } from '../../../server/surveys/bootstrap';
import { listOf, OFFICIAL_SURVEYS_DIR, startTestApp, type JsonBody, type TestApp } from '../../helpers/app';
import { checkJsonSchema } from '../../helpers/json-schema';
import { insertRun, publish, reference, resampledInput, storeFrame } from '../../helpers/published-runs';

const BASE = '/api/public/v1';
let app: TestApp;
let openapi: Record<string, unknown>;
const runs = new Map<string, { runId: number; result: StoredRunResult }>();
let replacedRunId = 0;
let withdrawnRunId = 0;
let unpublishedRunId = 0;

interface Raw { status: number; headers: Headers; bytes: Buffer; text: string; body: JsonBody }

async function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const res = await fetch(app.baseUrl + BASE + path, { method, headers });
  // Read as bytes: res.text() would drop a byte-order mark.
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* CSV or empty */ }
  return { status: res.status, headers: res.headers, bytes, text, body: body as JsonBody };
}

/** Checks a body against the schema the OpenAPI document gives for `path`'s answer `status`. */
function expectMatchesOpenApi(path: string, status: number, body: unknown): void {
  const paths = openapi.paths as Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> } }>;
  const schema = paths[path]!.get.responses[String(status)]!.content!['application/json']!.schema;
  expect(checkJsonSchema(body, schema, openapi), `${path} ${status}`).toEqual([]);
}


beforeAll(async () => {
  app = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR });
  await loadTargets(app.store, OFFICIAL_SURVEYS_DIR);
  const frame = { id: await storeFrame(app.store, { name: 'test-census', illustrative: false, margins: reference.margins }), name: 'test-census', illustrative: false };
  const periods = ['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'];
  for (const [k, p] of periods.entries()) {
    const r = await insertRun(app.store, p, resampledInput(100 + k, 1200), frame);
    runs.set(p, r);
    await publish(app.store, r.runId, p);
  }
  // 2026-Q3 is recomputed and republished (revised); 2026-Q4 is published and withdrawn.
  replacedRunId = runs.get('2026-Q3')!.runId;
  const again = await insertRun(app.store, '2026-Q3', resampledInput(200, 1300), frame);
  await publish(app.store, again.runId, '2026-Q3');
  runs.set('2026-Q3', again);
  const q4 = await insertRun(app.store, '2026-Q4', resampledInput(300, 1200), frame);
  await publish(app.store, q4.runId, '2026-Q4');
  await publish(app.store, q4.runId, '2026-Q4', 'withdraw');
  withdrawnRunId = q4.runId;
  unpublishedRunId = (await insertRun(app.store, '2026-Q4', resampledInput(301, 1200), frame)).runId;
  openapi = (await get('/openapi.json')).body as unknown as Record<string, unknown>;
}, 60_000);

afterAll(async () => {
  expect(app.internalErrors).toEqual([]);
  await app.close();
});

describe('shapes: every answer matches the served OpenAPI 3.1 document', () => {
  it('the document is OpenAPI 3.1 with every endpoint of the contract', () => {
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths as object).sort()).toEqual(['/breakdowns', '/indicators', '/indicators/{id}/series', '/openapi.json', '/periods', '/runs/{runId}']);
  });
  it('indicators, series, periods, breakdowns (wave and year) and a run', async () => {
    const cases: [string, string][] = [
      ['/indicators', '/indicators'],
      ['/indicators/{id}/series', '/indicators/tolerance/series'],
      ['/periods', '/periods'],
      ['/breakdowns', '/breakdowns?period=2026-Q1&by=region'],
      ['/breakdowns', '/breakdowns?period=2025&by=ethnicity'],
      ['/breakdowns', '/breakdowns?period=2026&by=age'],
      ['/runs/{runId}', `/runs/${runs.get('2025-Q2')!.runId}`],
    ];
    for (const [template, url] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(200);
      expectMatchesOpenApi(template, 200, r.body);
    }
  });
  it('errors: 400 and 404 bodies', async () => {
    const bad = await get('/breakdowns?period=2026-Q5&by=region');
    expect(bad.status).toBe(400);
    expectMatchesOpenApi('/breakdowns', 400, bad.body);
    const missing = await get('/indicators/happiness/series');
    expect(missing.status).toBe(404);
    expectMatchesOpenApi('/indicators/{id}/series', 404, missing.body);
  });
  it('the checker rejects a body that breaks the document (it can fail)', async () => {
    const r = await get('/indicators');
    const broken = JSON.parse(r.text) as { indicators: { latestWave: { value: unknown } }[] };
    broken.indicators[0]!.latestWave.value = '80.1';
    const paths = openapi.paths as Record<string, { get: { responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }> } }>;
    expect(checkJsonSchema(broken, paths['/indicators']!.get.responses['200']!.content['application/json']!.schema, openapi)).not.toEqual([]);
  });
});

describe('numbers come from the published runs and analysis/', () => {
  const live = ['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'];
  it('series: one point per published wave (withdrawn gone, replaced one revised), changes and annual values', async () => {
    const r = await get('/indicators/consensus/series');
    const waves = listOf<{ period: string; runId: number; value: number; se: number; n: number; revised: boolean; change: { from: string; delta: number; z: number; significant: boolean } | null }>(r.body.waves);
    expect(waves.map((w) => w.period)).toEqual(live);
    waves.forEach((w, k) => {
      const ind = runs.get(w.period)!.result.analysis.indicators.consensus!;
      expect(w.runId).toBe(runs.get(w.period)!.runId);
      expect(w.value).toBe(ind.mean);
      expect(w.se).toBe(ind.se);
      expect(w.n).toBe(ind.nScored);
      expect(w.revised).toBe(w.period === '2026-Q3');
      if (k === 0) expect(w.change).toBeNull();
      else {
        const prev = waves[k - 1]!;
        const c = waveChange({ mean: prev.value, se: prev.se }, { mean: w.value, se: w.se });
        expect(w.change).toEqual({ from: prev.period, delta: c.difference, z: c.z, significant: c.significant });
      }
    });
    const years = listOf<{ year: number; waves: number; provisional: boolean; value: number; se: number; target: number; gap: number; status: string }>(r.body.years);
    const expected = annualValues(waves.map((w) => ({ year: Number(w.period.slice(0, 4)), mean: w.value, se: w.se })));
    expect(years.map((y) => [y.year, y.waves, y.value, y.se])).toEqual(expected.map((a) => [a.year, a.waves, a.mean, a.se]));
    expect(years.map((y) => y.provisional)).toEqual([false, true]);
    for (const y of years) {
      const s = targetStatus({ mean: y.value, se: y.se }, y.target);
      expect(y.target).toBe(y.year === 2025 ? 80.8 : 81.0);
      expect([y.gap, y.status]).toEqual([s.gap, s.status]);
    }
  });
  it('indicators: latest wave and year, targets with the noted alternative, and Eurostat progress from the baseline', async () => {
    const r = await get('/indicators');
    expect(r.body.demo).toBe(false);
    expect(r.body.document.id).toBe('concept-2022-2026');
    expect(r.body.document.inForce).toBe(false);
    const tol = listOf<JsonBody>(r.body.indicators).find((i) => i.id === 'tolerance' as unknown)!;
    expect(tol.latestWave.period).toBe('2026-Q3');
    expect(tol.latestWave.runId).toBe(runs.get('2026-Q3')!.runId);
    expect(tol.latestYear.year).toBe(2026);
    expect(tol.latestYear.waves).toBe(3);
    expect(tol.baseline).toEqual({ year: 2021, value: 67.0 });
    const p = eurostatProgress({ baseline: 67, value: tol.latestYear.value as unknown as number, year: 2026, target: 69.5 });
    expect(tol.progress).toEqual({ category: p.category, ratio: p.category === 'target_achieved' ? null : p.ratio, fromYear: 2021, toYear: 2026 });
    const cons = listOf<JsonBody>(r.body.indicators).find((i) => i.id === 'consensus' as unknown)!;
    const t2026 = listOf<JsonBody>(cons.targets).find((t) => t.year === 2026 as unknown)!;
    expect(t2026.value).toBe(81.0);
    expect(t2026.alternatives[0]!.value).toBe(80.9);
    expect(t2026.alternatives[0]!.source.ru).toMatch(/План действий/);
  });
  it('periods: waves then their year, oldest first; the replaced period revised; the withdrawn one absent', async () => {
    const r = await get('/periods');
    const periods = listOf<{ period: string; kind: string; runId: number | null; revised: boolean; n: number; waves?: string[]; provisional?: boolean }>(r.body.periods);
    expect(periods.map((p) => p.period)).toEqual(['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2025', '2026-Q1', '2026-Q2', '2026-Q3', '2026']);
    const y2025 = periods.find((p) => p.period === '2025')!;
    expect(y2025).toMatchObject({ kind: 'year', runId: null, revised: false, provisional: false, n: 4 * 1200 });
    expect(periods.find((p) => p.period === '2026')!.revised).toBe(true);
    expect(periods.find((p) => p.period === '2026-Q3')).toMatchObject({ runId: runs.get('2026-Q3')!.runId, revised: true, n: 1300 });
  });
  it('a wave breakdown is the run\'s domain estimates, with suppressed levels carrying no numbers', async () => {
    const r = await get('/breakdowns?period=2025-Q2&by=region');
    const stored = runs.get('2025-Q2')!.result.analysis.indicators.mood!.domains.region!;
    const mood = listOf<JsonBody>(r.body.indicators).find((i) => i.id === 'mood' as unknown)!;
    const levels = listOf<{ level: string; label: { en: string }; n: number | null; value: number | null; se: number | null; ci95: [number, number] | null; suppressed: boolean }>(mood.levels);
    expect(levels.map((l) => l.level)).toEqual(stored.map((d) => d.level));
    expect(levels.find((l) => l.level === 'KZ-71')!.label.en).toBe('Astana (city)');
    let suppressed = 0;
    levels.forEach((l, k) => {
      const d = stored[k]!;
      if (d.suppressed) {
        suppressed++;
        expect(l).toMatchObject({ n: null, value: null, se: null, ci95: null, suppressed: true });
      } else {
        expect([l.n, l.value, l.se]).toEqual([d.n, d.mean, d.se]);
        expect(l.ci95).toEqual([d.mean - Z975 * d.se, d.mean + Z975 * d.se]);
      }
    });
    expect(suppressed, 'the resampled waves have regions under 30 respondents').toBeGreaterThan(0);
  });
  it('a year breakdown pools the published waves\' moments (a region suppressed in a quarter has an annual value)', async () => {
    const r = await get('/breakdowns?period=2025&by=region');
    const mood = listOf<JsonBody>(r.body.indicators).find((i) => i.id === 'mood' as unknown)!;
    const levels = listOf<{ level: string; n: number | null; value: number | null; se: number | null; suppressed: boolean }>(mood.levels);
    const quarters = ['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4'].map((p) => runs.get(p)!.result.pooling.mood.region);
    let rescued = 0;
    for (const l of levels) {
      const p = poolDomains(quarters.map((q) => q[l.level]).filter((m): m is PoolingMoments => m !== undefined));
      expect(l.suppressed).toBe(p.suppressed);
      if (!p.suppressed) expect([l.n, l.value, l.se]).toEqual([p.n, p.mean, p.se]);
      const inQ2 = runs.get('2025-Q2')!.result.analysis.indicators.mood!.domains.region!.find((d) => d.level === l.level);
      if (inQ2?.suppressed && !l.suppressed) rescued++;
    }
    expect(rescued).toBeGreaterThan(0);
  });
  it('a run\'s provenance; a replaced, withdrawn or never published run is 404', async () => {
    const id = runs.get('2025-Q1')!.runId;
    const r = await get(`/runs/${id}`);
    expect(r.body).toMatchObject({ runId: id, period: '2025-Q1', revised: false, inputHash: 'input-2025-Q1-1200', engineVersion: 'test-engine' });
    expect(r.body.frame.name).toBe('test-census');
    expect(r.body.sample).toMatchObject({ completes: 1207, used: 1200, excluded: 7 });
    expect(r.body.questionnaire.versions).toEqual([1]);
    for (const gone of [replacedRunId, withdrawnRunId, unpublishedRunId, 99999]) {
      const g = await get(`/runs/${gone}`);
      expect(g.status).toBe(404);
      expect(g.body.error.code).toBe('unknown_run');
    }
  });
});

describe('HTTP behaviour', () => {
  it('Cache-Control, CORS, a strong ETag and 304 on If-None-Match', async () => {
    const r = await get('/periods');
    expect(r.headers.get('cache-control')).toBe('public, max-age=60');
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const etag = r.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await get('/periods', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect((await get('/periods', { 'if-none-match': '"something-else"' })).status).toBe(200);
  });
  it('a large answer is gzipped for clients that accept it, under its own strong ETag; HEAD has headers and no body', async () => {
    const raw = (headers: Record<string, string>, method = 'GET') => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request(`${app.baseUrl}${BASE}/breakdowns?period=2026&by=region`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    const plain = await raw({});
    const zipped = await raw({ 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(4096);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.headers.etag).toBe(plain.headers.etag!.replace(/"$/, '-gz"'));
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect((await raw({ 'accept-encoding': 'gzip', 'if-none-match': zipped.headers.etag! })).status).toBe(304);
    const head = await raw({}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(plain.body.length));
  });
  it('an error is not cacheable; other methods are 405; a CORS preflight is answered', async () => {
    const bad = await get('/breakdowns?by=region');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('cache-control')).toBe('no-store');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await get('/indicators', { 'content-type': 'application/json' }, method);
      expect(r.status, method).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, HEAD');
      expect(r.body.error.code).toBe('method_not_allowed');
    }
    const pre = await get('/indicators', { origin: 'https://example.org', 'access-control-request-method': 'GET' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });
  it.each([
    ['/breakdowns?period=2026-Q5&by=region', 400, /period="2026-Q5"/],
    ['/breakdowns?period=2026-Q1&by=planet', 400, /by="planet".*region, sex, age, settlement, ethnicity/],
    ['/breakdowns?by=region', 400, /query parameter period is required/],
    ['/breakdowns?period=2026-Q1&by=sex&by=age', 400, /by is given more than once/],
    ['/breakdowns?period=2026-Q1&by=sex&format=xml', 400, /format="xml"/],
    ['/indicators/mood/series?lang=de', 400, /lang="de"/],
    ['/indicators/happiness/series', 404, /no indicator "happiness"/],
    ['/breakdowns?period=2019&by=region', 404, /Nothing is published for period 2019/],
    ['/breakdowns?period=2026-Q4&by=region', 404, /2026-Q4/],
    ['/runs/abc', 404, /run "abc"/],
  ])('%s → %i naming the bad value', async (url, status, message) => {
    const r = await get(url);
    expect(r.status).toBe(status);
    expect(String(r.body.error.message)).toMatch(message);
  });
});

describe('CSV downloads', () => {
  it('series as CSV: BOM, header, one row per wave and year, labels in the language asked (kk by default)', async () => {
    const ru = await get('/indicators/consensus/series?format=csv&lang=ru');
    expect(ru.status).toBe(200);
    expect(ru.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(ru.headers.get('content-disposition')).toMatch(/attachment; filename="kelisim-consensus-series-ru.csv"/);
    expect([...ru.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = ru.text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]!.split(',').slice(0, 6)).toEqual(['demo', 'indicator', 'indicator_name', 'kind', 'period', 'run_id']);
    expect(lines).toHaveLength(1 + 7 + 2);
    const json = await get('/indicators/consensus/series');
    const firstWave = listOf<{ value: number }>(json.body.waves)[0]!;
    expect(lines[1]).toContain(`Уровень укрепления общественного согласия`);
    expect(lines[1]!.split(',')[8]).toBe(String(firstWave.value));
    const kk = await get('/indicators/consensus/series?format=csv');
    expect(kk.text).toContain('Қоғамдық келісім');
  });
  it('breakdowns as CSV: a suppressed level has empty numbers', async () => {
    const r = await get('/breakdowns?period=2025-Q2&by=region&format=csv&lang=en');
    const lines = r.text.slice(1).trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, k) => [header[k]!, v])));
    expect(rows).toHaveLength(3 * runs.get('2025-Q2')!.result.analysis.indicators.mood!.domains.region!.length);
    const suppressed = rows.filter((x) => x.suppressed === 'true');
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) expect([s.n, s.value, s.se, s.ci95_low, s.ci95_high]).toEqual(['', '', '', '', '']);
    expect(rows.find((x) => x.level === 'KZ-71')!.level_label).toBe('Astana (city)');
  });
});

describe('a change of the published state', () => {
  it('a withdrawal vanishes at once and changes the ETag; a demo marker puts demo: true in every body', async () => {
    const before = await get('/indicators');
    const etag = before.headers.get('etag')!;
    await publish(app.store, runs.get('2026-Q3')!.runId, '2026-Q3', 'withdraw');
    const after = await get('/indicators', { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const latest = listOf<JsonBody>(after.body.indicators)[0]!.latestWave;
    expect(latest.period).toBe('2026-Q2');
    expect((await get(`/breakdowns?period=2026-Q3&by=sex`)).status).toBe(404);
    await app.store.write((tx) => tx.run(q`INSERT INTO ${auditLog} (${bare(auditLog.at)}, ${bare(auditLog.actor)}, ${bare(auditLog.action)}, ${bare(auditLog.subjectType)}, ${bare(auditLog.subjectId)})
      VALUES (${new Date().toISOString()}, ${'test'}, ${DEMO_MARKER_ACTION}, ${'instance'}, ${null})`));
    for (const url of ['/indicators', '/indicators/mood/series', '/periods', '/breakdowns?period=2026&by=sex', `/runs/${runs.get('2025-Q1')!.runId}`]) {
      const r = await get(url);
      expect(r.body.demo, url).toBe(true);
      expect(Object.keys(r.body)[0]).toBe('demo');
    }
    expect((await get('/breakdowns?period=2026&by=sex&format=csv')).text.split('\r\n')[1]!.startsWith('true,')).toBe(true);
  });
});
