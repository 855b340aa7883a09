// Feature routers carry their own policy (server/features.ts, decision 005): the respondent API
// is never cached, a 'public-etag' feature gets ETags and 304s instead of the API's no-store, and
// an 'authenticated' feature refuses everyone until sign-in exists. Real app, real socket.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Router } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { FEATURES, type Feature } from '../../server/features';
import { loadOfficialSurvey } from '../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../server/surveys/service';
import { ensureOpenWave } from '../../server/waves/service';
import { MINI_SURVEYS_DIR } from '../helpers/app';
import { createTestStore, type TestStore } from '../helpers/store';

let counter = 0;
const publicFeature: Feature = {
  name: 'test-public', path: '/test-public', access: { kind: 'public' }, cache: 'public-etag',
  router: () => Router()
    .get('/fixed', (_req, res) => { res.json({ value: 42 }); })
    .get('/missing', (_req, _res, next) => { next(Object.assign(new Error('no'), { status: 404 })); })
    .get('/changing', (_req, res) => { res.json({ value: ++counter }); }),
};
const adminFeature: Feature = {
  name: 'test-admin', path: '/test-admin', access: { kind: 'authenticated', role: 'admin' }, cache: 'no-store',
  router: () => Router().get('/secret', (_req, res) => { res.json({ secret: true }); }),
};

let testStore: TestStore;
/** A static folder that does not exist: no client is served. */
const NO_CLIENT = path.join(os.tmpdir(), `kelisim-no-client-${randomUUID()}`);
let server: Server;
let base: string;
let slug: string;
const errors: unknown[] = [];

beforeEach(async () => {
  testStore = await createTestStore();
  await loadOfficialSurvey(testStore.store, MINI_SURVEYS_DIR);
  slug = (await ensureOpenWave(testStore.store, OFFICIAL_SURVEY_ID)).wave.openSlug;
  const app = createApp({
    db: testStore.db, store: testStore.store,
    config: { bodyLimitBytes: 64 * 1024, staticDir: NO_CLIENT },
    logError: (_m, e) => errors.push(e),
    features: [...FEATURES, publicFeature, adminFeature],
  });
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterEach(async () => {
  expect(errors).toEqual([]);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await testStore.cleanup();
});

describe('feature policies', () => {
  it('never lets the respondent API be cached, and sends no ETag', async () => {
    const res = await fetch(`${base}/links/${slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
  });

  it('gives a public-etag feature its own cache header and a strong ETag, and answers 304 when it matches', async () => {
    const first = await fetch(`${base}/test-public/fixed`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    // As a browser revalidates (fetch would add `Cache-Control: no-cache` to a conditional request,
    // which rightly forbids a 304).
    const revalidate = (tag: string) => ({ 'if-none-match': tag, 'cache-control': 'max-age=0' });
    const again = await fetch(`${base}/test-public/fixed`, { headers: revalidate(etag!) });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // A changed answer gets a new ETag and a full body.
    const a = await fetch(`${base}/test-public/changing`);
    const b = await fetch(`${base}/test-public/changing`, { headers: revalidate(a.headers.get('etag')!) });
    expect(b.status).toBe(200);
    expect(b.headers.get('etag')).not.toBe(a.headers.get('etag'));
  });

  it('never caches an error answer, whatever the feature', async () => {
    const res = await fetch(`${base}/test-public/missing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const unknown = await fetch(`${base}/nowhere`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses an authenticated feature with 401 while there is no sign-in', async () => {
    const res = await fetch(`${base}/test-admin/secret`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses to mount a feature at the root of /api, where its policy would apply to everything', () => {
    const root = { ...publicFeature, path: '/' } as unknown as Feature;
    expect(() => createApp({ db: testStore.db, store: testStore.store, config: { bodyLimitBytes: 1024, staticDir: NO_CLIENT }, features: [root] })).toThrow(/own path under \/api/);
  });
});
