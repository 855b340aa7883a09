// Serving the built client: SPA shell for client routes, immutable caching and compression for
// fingerprinted assets; compression of the large survey JSON.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { OFFICIAL_SURVEYS_DIR, startTestApp, type TestApp } from '../helpers/app';

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

  it('serves assets brotli- or gzip-compressed as the browser accepts', async () => {
    const build = fakeBuild();
    const script = `export const greeting = ${JSON.stringify('сәлем '.repeat(5000))};\n`;
    fs.writeFileSync(path.join(build, 'assets', 'big-1a2b.js'), script);
    fs.writeFileSync(path.join(build, 'assets', 'logo-9f9f.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    t = await startTestApp({ staticDir: build });
    const raw = (url: string, encoding: string, method = 'GET') => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http.request(t!.baseUrl + url, { method, headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject).end();
    });

    const br = await raw('/assets/big-1a2b.js', 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(script);
    expect(br.body.length).toBeLessThan(Buffer.byteLength(script) / 10);

    const gz = await raw('/assets/big-1a2b.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(script);

    const plain = await raw('/assets/big-1a2b.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const head = await raw('/assets/big-1a2b.js', 'br', 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(br.body.length);
    expect(head.body.length).toBe(0);

    const png = await raw('/assets/logo-9f9f.png', 'br');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.body).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect((await raw('/assets/nope-0000.js', 'br')).status).toBe(404);
  });

  it('gzips the survey JSON of GET /api/links/:link for clients that accept it', async () => {
    t = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR });
    const res = await fetch(`${t.baseUrl}/api/links/${t.wave.openSlug}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(Number(res.headers.get('content-length'))).toBeLessThan(JSON.stringify(t.version.json).length / 3);
    expect((await res.json()).survey.json).toEqual(t.version.json);
  });

  it('answers 404 JSON for a missing asset, an unknown page and an unknown API route', async () => {
    t = await startTestApp({ staticDir: fakeBuild() });
    for (const url of ['/assets/gone-0000.js', '/nothing-here', '/api/links', '/api/']) {
      const res = await fetch(t.baseUrl + url);
      expect(res.status, url).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    }
  });

  it('gives a browser the client shell with status 404 for an unknown page, so it can say so in its language', async () => {
    t = await startTestApp({ staticDir: fakeBuild() });
    const page = await fetch(`${t.baseUrl}/nothing-here`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toBe(await (await fetch(`${t.baseUrl}/`)).text());
    const asset = await fetch(`${t.baseUrl}/assets/gone-0000.js`, { headers: { accept: 'text/html' } });
    expect(asset.status).toBe(404);
    expect((await asset.json()).error.code).toBe('not_found');
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
