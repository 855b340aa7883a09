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

/** A keep-alive agent whose connections come from `localAddress` (any 127.x.y.z works on Linux). */
export function agentFrom(localAddress: string): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 32, localAddress } as http.AgentOptions);
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
