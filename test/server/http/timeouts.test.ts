// Slow and silent clients cannot tie the server up (issue 10 §4): over a raw TCP socket against the
// real app, with the timeouts shortened through the same settings KELISIM_*_TIMEOUT configure.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app';
import { sql as q } from 'drizzle-orm';
import { responses } from '../../../server/db/schema';
import { createHttpServer } from '../../../server/http/server';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { ensureOpenWave } from '../../../server/waves/service';
import { MINI_SURVEYS_DIR } from '../../helpers/app';
import { createTestStore, type TestStore } from '../../helpers/store';

const TIMEOUTS = { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300 };

let testStore: TestStore;
/** The stored responses' ids, read through the store (SQLite or PostgreSQL). */
const storedIds = async () => (await testStore.store.sql.all<{ id: string }>(q`SELECT ${responses.id} AS "id" FROM ${responses}`)).map((r) => r.id);
let server: Server;
let port: number;
let slug: string;
let versionId: number;

beforeEach(async () => {
  testStore = await createTestStore();
  versionId = (await loadOfficialSurvey(testStore.store, MINI_SURVEYS_DIR)).version.id;
  slug = (await ensureOpenWave(testStore.store, OFFICIAL_SURVEY_ID)).wave.openSlug;
  const app = createApp({ db: testStore.db, store: testStore.store, config: { bodyLimitBytes: 256 * 1024, staticDir: path.join(os.tmpdir(), `kelisim-no-client-${randomUUID()}`) } });
  server = createHttpServer(app, TIMEOUTS);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await testStore.cleanup();
});

/**
 * Opens a socket, writes `chunks` (strings, or pauses in ms), and resolves when the server closes
 * it: with what it answered and how long after the first byte was sent. Fails after `limitMs`.
 */
function talk(chunks: (string | number)[], limitMs = 5000): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const started = Date.now();
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`the server kept the connection open for ${limitMs} ms; it answered: ${answer}`)); }, limitMs);
    socket.on('data', (d) => { answer += d.toString(); });
    socket.on('error', () => undefined); // a reset is a close too
    socket.on('close', () => { clearTimeout(timer); resolve({ answer, closedAfterMs: Date.now() - started }); });
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (typeof c === 'number') await new Promise((r) => setTimeout(r, c));
        else if (!socket.destroyed) socket.write(c);
      }
    });
  });
}

const putHead = (length: number) =>
  `PUT /api/links/${slug}/responses/${randomUUID()} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('server timeouts', () => {
  it('closes a request that declares a large body and never sends it, with 408, and stores nothing', async () => {
    const { answer, closedAfterMs } = await talk([putHead(200_000), '{"surveyVersionId":']);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // The request timeout, checked every quarter of the shorter timeout (server/http/server.ts).
    expect(closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.requestTimeoutMs - 50);
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.requestTimeoutMs + TIMEOUTS.headersTimeoutMs + 500);
    expect(await storedIds()).toEqual([]);
  });

  it('closes a connection whose headers never end', async () => {
    const { answer, closedAfterMs } = await talk([`GET /api/links/${slug} HTTP/1.1\r\nHost: localhost\r\n`, 'X-Slow: 1\r\n']);
    expect(answer).toMatch(/^(HTTP\/1\.1 408 |$)/);
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.headersTimeoutMs + 600);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, after answering', async () => {
    const { answer, closedAfterMs } = await talk([`GET /api/links/${slug} HTTP/1.1\r\nHost: localhost\r\n\r\n`]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/Keep-Alive: timeout=0/i);
    expect(closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.keepAliveTimeoutMs - 50);
    // Node 20 keeps the socket 1 s longer than it announces, so a client never reuses it just as
    // the server closes it.
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.keepAliveTimeoutMs + 1000 + 600);
  });

  it('still serves a slow client that keeps sending within the request timeout', async () => {
    const body = JSON.stringify({ surveyVersionId: versionId, locale: 'kk', data: { adult: true }, currentPageNo: 0 });
    const third = Math.ceil(body.length / 3);
    const { answer } = await talk([putHead(Buffer.byteLength(body)), 150, body.slice(0, third), 150, body.slice(third, 2 * third), 150, body.slice(2 * third)]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(await storedIds()).toHaveLength(1);
  });
});
