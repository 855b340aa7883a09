// Serving the built client: SPA shell for client routes, immutable caching for fingerprinted assets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';

let t: TestApp | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  t = undefined;
  dir = undefined;
});

function fakeBuild(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-static-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Kelisim shell</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'respond-3f9a.js'), 'export {}');
  fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg/>');
  return dir;
}

describe('built client', () => {
  it('serves index.html for /, /s/<link> and /admin routes without caching it', async () => {
    t = await startTestApp({ staticDir: fakeBuild() });
    for (const url of ['/', `/s/${t.wave.openSlug}`, '/admin', '/admin/waves/1']) {
      const res = await fetch(t.baseUrl + url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('Kelisim shell');
    }
  });

  it('caches /assets for a year as immutable and serves other static files', async () => {
    t = await startTestApp({ staticDir: fakeBuild() });
    const asset = await fetch(`${t.baseUrl}/assets/respond-3f9a.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${t.baseUrl}/favicon.svg`)).status).toBe(200);
  });

  it('answers 404 JSON for a missing asset, an unknown page and an unknown API route', async () => {
    t = await startTestApp({ staticDir: fakeBuild() });
    for (const url of ['/assets/gone-0000.js', '/nothing-here', '/api/links', '/api/']) {
      const res = await fetch(t.baseUrl + url);
      expect(res.status, url).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    }
  });

  it('says the client is not built when there is no build', async () => {
    t = await startTestApp();
    const res = await fetch(`${t.baseUrl}/s/${t.wave.openSlug}`);
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error.code).toBe('client_not_built');
    expect(body.error.message).toContain('npm run build');
  });
});
