// What a scripted client of the open link does (test/server/antibot): fetch a proof-of-work
// challenge, solve it by brute force with node:crypto, and send requests from a chosen loopback
// address (127.0.0.2, …), so one test can be several "addresses".
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { encodePow, POW_HEADER, type PowChallenge } from '../../contract/antibot';

export interface Reply { status: number; headers: http.IncomingHttpHeaders; body: { [k: string]: never } & Record<string, unknown>; ms: number }

/** One HTTP request with a JSON body from `localAddress`, on a keep-alive agent of that address. */
export function requestFrom(agent: http.Agent, baseUrl: string, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(baseUrl + urlPath, {
      method, agent,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* keep text */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as Reply['body'], ms: performance.now() - started });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/**
 * An agent whose connections come from `localAddress` (any 127.x.y.z works on Linux). Keep-alive
 * only for a client that never pauses (a flood): one that waits while it solves a proof of work
 * could reuse a connection just as the server closes it for idling (ECONNRESET, a test artefact).
 */
export function agentFrom(localAddress: string, keepAlive = false): http.Agent {
  return new http.Agent({ keepAlive, maxSockets: 32, localAddress } as http.AgentOptions);
}

/** Solves an ALTCHA challenge: the number n with SHA-256(salt + n) = challenge. */
export function solve(c: PowChallenge): number {
  for (let n = 0; n <= c.maxnumber; n++) {
    if (createHash('sha256').update(c.salt + n).digest('hex') === c.challenge) return n;
  }
  throw new Error('challenge without a solution');
}

/** The POW_HEADER of a solved challenge. */
export function powHeader(c: PowChallenge, number = solve(c)): Record<string, string> {
  return { [POW_HEADER]: encodePow({ algorithm: 'SHA-256', challenge: c.challenge, number, salt: c.salt, signature: c.signature }) };
}

// The brute force on a worker thread, so a test's own solving does not hold up the server it
// measures (the app runs in the test's process).
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, salt, challenge, max }) => {
  let found = -1;
  for (let n = 0; n <= max; n++) if (createHash('sha256').update(salt + n).digest('hex') === challenge) { found = n; break; }
  parentPort.postMessage({ id, found });
});`;
let worker: Worker | undefined;
let nextJob = 0;
const waiting = new Map<number, (n: number) => void>();
function solveOffThread(c: PowChallenge): Promise<number> {
  if (!worker) {
    worker = new Worker(WORKER_CODE, { eval: true });
    worker.unref();
    worker.on('message', ({ id, found }: { id: number; found: number }) => {
      waiting.get(id)?.(found);
      waiting.delete(id);
    });
  }
  const id = nextJob++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker!.postMessage({ id, salt: c.salt, challenge: c.challenge, max: c.maxnumber });
  });
}

/** Fetches a challenge for `link` and returns the header with its solution (solved on a worker thread). */
export async function solvedPow(agent: http.Agent, baseUrl: string, link: string): Promise<Record<string, string>> {
  const res = await requestFrom(agent, baseUrl, 'GET', `/api/links/${link}/challenge`);
  if (res.status !== 200 || !res.body.challenge) throw new Error(`no challenge: ${res.status} ${JSON.stringify(res.body)}`);
  const c = res.body.challenge as unknown as PowChallenge;
  return powHeader(c, await solveOffThread(c));
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** One answer of a flood: status, Retry-After and error code. */
export interface FloodReply { status: number; retryAfter: string | null; code: string | null }

// A scripted flooder on its own thread (its own event loop), so the server in the test's process
// is measured under the flood's requests, not under the flooder's own work.
const FLOOD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { createHash, randomUUID } = require('node:crypto');
const { baseUrl, slug, body, total, concurrency, localAddress } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, localAddress });
function send(method, path, data, headers) {
  return new Promise((resolve, reject) => {
    const r = http.request(baseUrl + path, { method, agent, headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    // A kept-alive socket the server closed as idle while this thread was busy solving (a loaded
    // machine): the request never reached the server, so it is sent again on a new socket, as
    // Node's documentation of http.Agent advises (request.reusedSocket).
    r.on('error', (err) => {
      if (r.reusedSocket && err.code === 'ECONNRESET') send(method, path, data, headers).then(resolve, reject);
      else reject(err);
    });
    if (data) r.write(data);
    r.end();
  });
}
function solve(c) {
  for (let n = 0; n <= c.maxnumber; n++) if (createHash('sha256').update(c.salt + n).digest('hex') === c.challenge) return n;
  return -1;
}
let next = 0;
let limited = false;
const out = [];
async function client() {
  while (next < total) {
    next++;
    const headers = {};
    // Like a real script: a fresh proof of work per response, until the server starts refusing.
    if (!limited) {
      const c = JSON.parse((await send('GET', '/api/links/' + slug + '/challenge')).text).challenge;
      const payload = { algorithm: c.algorithm, challenge: c.challenge, number: solve(c), salt: c.salt, signature: c.signature };
      headers['x-kelisim-pow'] = Buffer.from(JSON.stringify(payload)).toString('base64');
    }
    const r = await send('POST', '/api/links/' + slug + '/responses/' + randomUUID() + '/complete', body, headers);
    if (r.status === 429) limited = true;
    let code = null;
    try { code = JSON.parse(r.text).error.code; } catch { /* no error body */ }
    out.push({ status: r.status, retryAfter: r.headers['retry-after'] ?? null, code });
  }
}
Promise.all(Array.from({ length: concurrency }, client)).then(
  () => { agent.destroy(); parentPort.postMessage({ ok: true, out }); },
  (e) => { agent.destroy(); parentPort.postMessage({ ok: false, error: String(e && e.stack || e) }); },
);`;

/** Sends `total` completions of `body` through the open link `slug` from `localAddress`, `concurrency` at a time, on a worker thread. */
export function floodInWorker(options: { baseUrl: string; slug: string; body: unknown; total: number; concurrency: number; localAddress: string }): Promise<FloodReply[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(FLOOD_CODE, { eval: true, workerData: { ...options, body: JSON.stringify(options.body) } });
    w.once('message', (m: { ok: boolean; out?: FloodReply[]; error?: string }) => {
      void w.terminate();
      if (m.ok) resolve(m.out!); else reject(new Error(`flood worker failed: ${m.error}`));
    });
    w.once('error', reject);
  });
}
