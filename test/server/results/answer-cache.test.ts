// The public API's cache of finished answers (decision 032), on SQLite and PostgreSQL
// (KELISIM_TEST_DB): an answer served by the lean handler is the full path's answer byte for byte
// (status, every header in order but Date, body) for every endpoint, format, encoding and method;
// If-None-Match gives the same 304; a publication or withdrawal through another store on the same
// database is served at the next request by both apps; the cache keeps within its bounds; and no
// query string, served twice, gives a 5xx or a different answer the second time.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app';
import { bare } from '../../../server/db/sql';
import { openDb } from '../../../server/db/open';
import { openPg } from '../../../server/db/open-pg';
import { estimateRuns, frames } from '../../../server/db/schema';
import type { Store } from '../../../server/db/store';
import { createPgStore } from '../../../server/db/store-pg';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { publishRun, withdrawRun } from '../../../server/publications/service';
import { PublicAnswerCache } from '../../../server/results/answer-cache';
import { loadOfficialSurvey, loadTargets } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/service';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { reference, resampledInput, storedRunResult } from '../../helpers/published-runs';
import { rng } from '../../helpers/random';
import { createTestStore, type TestStore } from '../../helpers/store';

const BASE = '/api/public/v1';
let db: TestStore;
/** A second store on the same database: another server process's connection. */
let other: Store;
let closeOther: () => Promise<void> = async () => undefined;
const runIds = new Map<string, number>();
const servers: http.Server[] = [];
const internalErrors: unknown[] = [];

interface Served { status: number; headers: string[]; body: Buffer }

/** One request over a fresh connection; the raw header list in order, without Date. */
function request(port: number, urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Served> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const list: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          if (res.rawHeaders[i]!.toLowerCase() !== 'date') list.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        }
        resolve({ status: res.statusCode!, headers: list, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** An app of its own on `store` (and, on SQLite, that store's connection) with its own answer cache. */
async function startApp(store: Store, answers = new PublicAnswerCache(), sqlite?: Parameters<typeof createApp>[0]['db']): Promise<{ port: number; answers: PublicAnswerCache }> {
  const app = createApp({
    db: sqlite, store, publicAnswers: answers,
    config: { bodyLimitBytes: 64 * 1024, staticDir: path.join(os.tmpdir(), 'kelisim-no-client-answer-cache') },
    logError: (_m, err) => internalErrors.push(err),
  });
  const server = await new Promise<http.Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, answers };
}

const mainApp = (answers?: PublicAnswerCache) => startApp(db.store, answers, db.db);

async function insertRun(store: Store, period: string, seed: number, frame: { id: number; name: string }, versionId: number): Promise<number> {
  const wave = await createWave(store, OFFICIAL_SURVEY_ID, period, { closed: true, actor: 'test' });
  const result = storedRunResult(resampledInput(seed, 700), { id: wave.id, period }, { ...frame, illustrative: true }, reference.margins);
  return store.write(async (tx) => {
    const row = await tx.get<{ id: number }>(sql`INSERT INTO ${estimateRuns}
      (${bare(estimateRuns.waveId)}, ${bare(estimateRuns.frameId)}, ${bare(estimateRuns.frameHash)}, ${bare(estimateRuns.surveyVersionIds)}, ${bare(estimateRuns.scoringHash)},
       ${bare(estimateRuns.options)}, ${bare(estimateRuns.engineVersion)}, ${bare(estimateRuns.inputHash)}, ${bare(estimateRuns.result)}, ${bare(estimateRuns.createdBy)}, ${bare(estimateRuns.createdAt)})
      VALUES (${wave.id}, ${frame.id}, ${'f'.repeat(64)}, ${JSON.stringify([versionId])}, ${'s'.repeat(64)},
       ${JSON.stringify(result.options)}, ${result.engineVersion}, ${`input-${period}`}, ${JSON.stringify(result)}, ${'test'}, ${'2026-02-01T00:00:00.000Z'})
      RETURNING ${estimateRuns.id} AS "id"`);
    return row!.id;
  });
}

beforeAll(async () => {
  db = await createTestStore();
  const { version } = await loadOfficialSurvey(db.store, OFFICIAL_SURVEYS_DIR);
  await loadTargets(db.store, OFFICIAL_SURVEYS_DIR);
  const margins = reference.margins.flatMap((m) => m.levels.map((l) => ({ margin: m.name, level: l.level, population: l.population })));
  const frameId = await db.store.write(async (tx) => (await tx.get<{ id: number }>(sql`INSERT INTO ${frames}
    (${bare(frames.name)}, ${bare(frames.source)}, ${bare(frames.referenceDate)}, ${bare(frames.illustrative)}, ${bare(frames.contentHash)}, ${bare(frames.margins)}, ${bare(frames.createdBy)}, ${bare(frames.createdAt)})
    VALUES (${'cache-test'}, ${'test frame'}, ${'2021-01-01'}, ${1}, ${'f'.repeat(64)}, ${JSON.stringify(margins)}, ${'test'}, ${'2026-01-01T00:00:00.000Z'})
    RETURNING ${frames.id} AS "id"`))!.id);
  for (const [k, period] of ['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2'].entries()) {
    const runId = await insertRun(db.store, period, 40 + k, { id: frameId, name: 'cache-test' }, version.id);
    runIds.set(period, runId);
    await publishRun(db.store, runId, 'test');
  }
  if (db.location.file !== undefined) {
    const second = openDb(db.location.file);
    other = createSqliteStore(second);
    closeOther = async () => { await other.close(); };
  } else {
    const second = await openPg(db.location.url, { migrateSchema: false });
    other = createPgStore(second.$client);
    closeOther = async () => { await other.close(); };
  }
}, 60_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await closeOther();
  await db?.cleanup();
  expect(internalErrors).toEqual([]);
});

const URLS = [
  '/indicators',
  '/indicators/consensus/series',
  '/indicators/mood/series?format=csv',
  '/indicators/tolerance/series?format=csv&lang=ru',
  '/indicators/consensus/series?lang=en&format=csv&utm=x',
  '/periods',
  '/breakdowns?period=2026-Q1&by=region',
  '/breakdowns?period=2025&by=age',
  '/breakdowns?by=sex&period=2026&format=csv&lang=en',
  '/openapi.json',
];

describe(`the lean handler answers as the full path does (${process.env.KELISIM_TEST_DB ?? 'sqlite'})`, () => {
  it('every endpoint and format, gzip and identity, GET and HEAD: status, headers in order and body byte for byte', async () => {
    const { port, answers } = await mainApp();
    // The reference: an app whose cache keeps nothing, so the full path answers every request.
    const reference = await mainApp(new PublicAnswerCache({ maxEntries: 0 }));
    const encodings: Record<string, string>[] = [{}, { 'accept-encoding': 'gzip, deflate, br' }, { 'accept-encoding': 'gzip;q=0, identity' }];
    const urls = [...URLS, `/runs/${runIds.get('2025-Q4')!}`];
    let gzipped = 0;
    for (const url of urls) {
      for (const headers of encodings) {
        for (const method of ['GET', 'HEAD']) {
          const full = await request(reference.port, BASE + url, headers, method);
          expect(full.status, url).toBe(200);
          await request(port, BASE + url, headers, method);
          const hits = answers.hits;
          const cached = await request(port, BASE + url, headers, method);
          expect(answers.hits, `${method} ${url} ${JSON.stringify(headers)}: answered from the cache`).toBe(hits + 1);
          expect(cached.headers, `${method} ${url} ${JSON.stringify(headers)}`).toEqual(full.headers);
          expect(cached.body.equals(full.body), `${method} ${url}`).toBe(true);
          expect(cached.status).toBe(200);
          if (full.headers.includes('Content-Encoding: gzip')) gzipped++;
        }
      }
    }
    // The full path answered every reference request; the cases include gzip answers.
    expect(reference.answers.hits).toBe(0);
    expect(reference.answers.size.entries).toBe(0);
    expect(gzipped).toBeGreaterThan(0);
    const one = await request(port, `${BASE}/indicators`);
    expect(one.headers).toEqual(expect.arrayContaining(['X-Frame-Options: SAMEORIGIN', 'Access-Control-Allow-Origin: *', 'Cache-Control: public, max-age=60']));
  });

  it('If-None-Match: the same 304 from the full path and from the cache; another ETag gets the body', async () => {
    const { port, answers } = await mainApp();
    for (const headers of [{}, { 'accept-encoding': 'gzip' }] as Record<string, string>[]) {
      const url = `${BASE}/breakdowns?period=2025&by=region`;
      const etag = (await (async () => {
        const fresh = await mainApp();
        const r = await request(fresh.port, url, headers);
        return r.headers.find((h) => h.startsWith('ETag: '))!.slice(6);
      })());
      // A fresh cache: the full path answers the 304.
      const full304 = await request(port, url, { ...headers, 'if-none-match': etag });
      expect(full304.status).toBe(304);
      await request(port, url, headers); // recorded
      const hits = answers.hits;
      const cached304 = await request(port, url, { ...headers, 'if-none-match': `"other", W/${etag}` });
      expect(answers.hits).toBe(hits + 1);
      expect(cached304.status).toBe(304);
      expect(cached304.body.length).toBe(0);
      expect(cached304.headers).toEqual(full304.headers);
      const stale = await request(port, url, { ...headers, 'if-none-match': '"not-this-one"' });
      expect(stale.status).toBe(200);
      expect(stale.body.length).toBeGreaterThan(0);
    }
  });
});

describe('what the cache leaves to the full path', () => {
  /** One request with a body, over a fresh connection. */
  function send(port: number, method: string, urlPath: string, body: string, contentType: string): Promise<Served> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, agent: false, headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: [], body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('a request with a body, other methods and a preflight get the full path\'s answer, never a recorded one', async () => {
    const { port, answers } = await mainApp();
    const reference = await mainApp(new PublicAnswerCache({ maxEntries: 0 }));
    const url = `${BASE}/indicators`;
    await request(port, url);
    await request(port, url, {}, 'HEAD');
    const hits = answers.hits;
    for (const [method, body, type] of [['GET', 'x', 'text/plain'], ['GET', '{}', 'application/json'], ['POST', '{}', 'application/json'], ['PUT', 'x', 'text/plain'], ['DELETE', '', 'application/json']] as const) {
      const got = await send(port, method, url, body, type);
      const want = await send(reference.port, method, url, body, type);
      expect(got.status, `${method} ${type}`).toBe(want.status);
      expect(got.body.equals(want.body), `${method} ${type}`).toBe(true);
    }
    for (const method of ['OPTIONS', 'POST']) {
      const got = await request(port, url, {}, method);
      const want = await request(reference.port, url, {}, method);
      expect(got.status, method).toBe(want.status);
      expect(got.headers, method).toEqual(want.headers);
    }
    expect(answers.hits).toBe(hits);
    expect((await request(port, url)).status).toBe(200);
    expect(answers.hits).toBe(hits + 1);
  });
});

describe('a publication is served at once', () => {
  it('a withdrawal and a re-publication through another store are seen by both apps at the next request', async () => {
    const a = await mainApp();
    const b = await startApp(other);
    const runId = runIds.get('2026-Q2')!;
    const urls = ['/periods', '/indicators', `/runs/${runId}`, '/breakdowns?period=2026-Q2&by=region', '/breakdowns?period=2026&by=sex&format=csv'];
    const before = new Map<string, Served>();
    for (const url of urls) {
      for (const app of [a, b]) {
        await request(app.port, BASE + url);
        before.set(url, await request(app.port, BASE + url)); // from the cache
      }
    }
    const hitsA = a.answers.hits;
    expect(hitsA).toBeGreaterThan(0);
    expect(b.answers.hits).toBeGreaterThan(0);
    const periods = (s: Served) => (JSON.parse(s.body.toString()) as { periods: { period: string }[] }).periods.map((p) => p.period);
    expect(periods(before.get('/periods')!)).toContain('2026-Q2');

    // Another server withdraws: the first app, which cached everything, sees it at once.
    await withdrawRun(other, runId, 'test withdrawal', 'test');
    for (const app of [a, b]) {
      const p = await request(app.port, `${BASE}/periods`);
      expect(periods(p)).not.toContain('2026-Q2');
      expect(p.headers.find((h) => h.startsWith('ETag'))).not.toBe(before.get('/periods')!.headers.find((h) => h.startsWith('ETag')));
      expect((await request(app.port, `${BASE}/runs/${runId}`)).status).toBe(404);
      expect((await request(app.port, `${BASE}/breakdowns?period=2026-Q2&by=region`)).status).toBe(404);
      const year = await request(app.port, `${BASE}/breakdowns?period=2026&by=sex&format=csv`);
      expect(year.status).toBe(200);
      expect(year.body.equals(before.get('/breakdowns?period=2026&by=sex&format=csv')!.body)).toBe(false);
    }
    // This one publishes it again: both serve it, with the new publication's time.
    await publishRun(db.store, runId, 'test');
    const publishedAt = (s: Served) => (JSON.parse(s.body.toString()) as { publishedAt: string }).publishedAt;
    for (const app of [b, a]) {
      expect(periods(await request(app.port, `${BASE}/periods`))).toContain('2026-Q2');
      const run = await request(app.port, `${BASE}/runs/${runId}`);
      expect(run.status).toBe(200);
      expect(publishedAt(run) > publishedAt(before.get(`/runs/${runId}`)!)).toBe(true);
    }
  });
});

describe('bounds', () => {
  it('keeps at most maxEntries URLs and maxBytes; evicted URLs are answered again by the full path', async () => {
    const few = await mainApp(new PublicAnswerCache({ maxEntries: 5 }));
    for (let i = 0; i < 20; i++) expect((await request(few.port, `${BASE}/indicators?bust=${i}`)).status).toBe(200);
    expect(few.answers.size.entries).toBe(5);
    const hits = few.answers.hits;
    await request(few.port, `${BASE}/indicators?bust=19`);
    expect(few.answers.hits).toBe(hits + 1);
    await request(few.port, `${BASE}/indicators?bust=0`); // evicted: the full path answers and records it again
    expect(few.answers.hits).toBe(hits + 1);
    expect(few.answers.size.entries).toBe(5);

    const one = (await request(few.port, `${BASE}/periods`)).body.length;
    const maxBytes = 3 * (one + 2000);
    const small = await mainApp(new PublicAnswerCache({ maxBytes }));
    for (let i = 0; i < 20; i++) {
      await request(small.port, `${BASE}/periods?bust=${i}`);
      expect(small.answers.size.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(small.answers.size.entries).toBeGreaterThan(0);
    expect(small.answers.size.entries).toBeLessThan(20);
  });
});

describe('bad input', () => {
  const random = rng(32);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const NAMES = ['period', 'by', 'format', 'lang', 'x', 'period[]', '__proto__', '', '%'];
  const VALUES = ['2026', '2026-Q1', '2025', '2026-Q9', 'region', 'sex', 'age', 'csv', 'json', 'ru', 'CSV', '', '%', '%ZZ', '%00', 'Ё', '💥', 'a'.repeat(3000)];
  const PATHS = ['/indicators', '/periods', '/breakdowns', '/openapi.json', '/indicators/consensus/series', '/indicators/nope/series', '/runs/1', '/runs/%E0%A4%A', '/INDICATORS', '/periods/'];

  it('random query strings, each asked twice: never a 5xx, and the second answer (cached or not) equals the first', async () => {
    const { port, answers } = await mainApp(new PublicAnswerCache({ maxEntries: 50 }));
    const statuses = new Set<number>();
    for (let i = 0; i < 120; i++) {
      // Raw as given (a malformed %-escape stays malformed), non-ASCII characters percent-encoded as a client must.
      const raw = (v: string) => v.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
      const parts = Array.from({ length: Math.floor(random() * 4) }, () => `${raw(pick(NAMES))}=${raw(pick(VALUES))}`);
      const url = `${BASE}${pick(PATHS)}${parts.length > 0 ? `?${parts.join('&')}` : ''}`;
      const headers: Record<string, string> = random() < 0.5 ? { 'accept-encoding': 'gzip' } : {};
      const first = await request(port, url, headers);
      const second = await request(port, url, headers);
      statuses.add(first.status);
      expect(first.status, url).toBeLessThan(500);
      expect(second.status, url).toBe(first.status);
      expect(second.headers, url).toEqual(first.headers);
      expect(second.body.equals(first.body), url).toBe(true);
    }
    expect([...statuses]).toEqual(expect.arrayContaining([200, 400, 404]));
    expect(answers.hits).toBeGreaterThan(0);
    expect(answers.size.entries).toBeLessThanOrEqual(50);
  }, 60_000);
});
