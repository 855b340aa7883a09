// The console's API client over real HTTP (a small server standing in for /api/admin): the CSRF
// header on state-changing requests only, JSON both ways, a 401 of an ended session telling the
// console (a wrong password does not), the error body kept whole, answers checked by the contract.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, get, onUnauthorized, post, request, setApiBase, setCsrfHeader, setCsrfToken } from '../../../client/admin/api';
import { CSRF_HEADER, waveLinkBody } from '../../../contract/admin-api';

const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
let server: http.Server;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.url === '/api/admin/ended') return json(401, { error: { code: 'unauthenticated', message: 'Sign in.' } });
      if (req.url === '/api/admin/session') return json(401, { error: { code: 'invalid_credentials', message: 'Wrong e-mail or password.' } });
      if (req.url === '/api/admin/refused') return json(422, { error: { code: 'invalid_request', message: 'count: too big', details: { issues: [{ path: ['count'] }] } } });
      if (req.url === '/api/admin/link') return json(200, { url: 'http://x/s/abc', qrSvg: '<svg/>' });
      if (req.url === '/api/admin/drifted') return json(200, { url: 42 });
      if (req.url === '/api/admin/empty') return res.writeHead(204).end();
      json(200, { ok: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  setApiBase(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/admin`);
  setCsrfHeader(CSRF_HEADER);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the console API client', () => {
  test('the CSRF token goes with POST, never with GET; bodies are JSON', async () => {
    setCsrfToken('tok-1');
    await get('/anything');
    await post('/anything', { count: 3 });
    const [g, p] = seen.slice(-2);
    expect(g.method).toBe('GET');
    expect(g.headers['x-csrf-token']).toBeUndefined();
    expect(g.headers.accept).toBe('application/json');
    expect(p.headers['x-csrf-token']).toBe('tok-1');
    expect(p.headers['content-type']).toBe('application/json');
    expect(JSON.parse(p.body)).toEqual({ count: 3 });
    setCsrfToken(null);
    await post('/anything', {});
    expect(seen.at(-1)!.headers['x-csrf-token']).toBeUndefined();
  });

  test('a 401 of an ended session tells the console; a wrong password at sign-in does not', async () => {
    let told = 0;
    const stop = onUnauthorized(() => told++);
    await expect(get('/ended')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(told).toBe(1);
    await expect(post('/session', { email: 'a@b.kz', password: 'x' })).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(told).toBe(1);
    stop();
    await expect(get('/ended')).rejects.toBeInstanceOf(ApiError);
    expect(told).toBe(1);
  });

  test('an error body is kept whole; an answer that does not match the contract fails loudly; 204 is nothing', async () => {
    const err = await post('/refused', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'invalid_request', message: 'count: too big', details: { issues: [{ path: ['count'] }] } });
    expect(await get('/link', waveLinkBody as never)).toEqual({ url: 'http://x/s/abc', qrSvg: '<svg/>' });
    await expect(get('/drifted', waveLinkBody as never)).rejects.toMatchObject({ code: 'unexpected_answer' });
    expect(await request('DELETE', '/empty')).toBeUndefined();
  });

  test('no server: a network error the page can put into words', async () => {
    setApiBase('http://127.0.0.1:9/api/admin');
    await expect(get('/x')).rejects.toMatchObject({ status: 0, code: 'network' });
    setApiBase(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/admin`);
  });
});
