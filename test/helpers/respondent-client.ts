// One respondent's browser as the load and race tests see it: a keep-alive HTTP connection of its
// own (one socket) to one server, on an open link or an invitation, saving and completing one
// response id. Used by the quota race (test/server/quotas/race.test.ts) and the two-server test
// (test/server/multi-server.test.ts).
import { randomUUID } from 'node:crypto';
import http from 'node:http';

export interface Answered { status: number; body: Record<string, unknown> }

export interface RespondentClient {
  /** The response id this respondent saves and completes (unless `complete` is given another). */
  readonly id: string;
  /** GET the link's state (what the page does when it opens). */
  open: () => Promise<Answered>;
  /** PUT the answers so far (page 2). */
  save: (data: Record<string, unknown>) => Promise<Answered>;
  /** POST the completion of `responseId` (default `id`). */
  complete: (data: Record<string, unknown>, responseId?: string) => Promise<Answered>;
  /** Closes the connection. */
  close: () => void;
}

/** A respondent on server `base` (http://host:port) answering link `link` with survey version `versionId`. */
export function respondentClient(base: string, link: string, versionId: number, id: string = randomUUID()): RespondentClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (method: string, url: string, body?: unknown) => new Promise<Answered>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(base + url, { method, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => {
        try { resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }); } catch (err) { reject(err as Error); }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
  return {
    id,
    open: () => send('GET', `/api/links/${link}`),
    save: (data) => send('PUT', `/api/links/${link}/responses/${id}`, { surveyVersionId: versionId, locale: 'ru', data, currentPageNo: 2 }),
    complete: (data, responseId = id) => send('POST', `/api/links/${link}/responses/${responseId}/complete`, { surveyVersionId: versionId, locale: 'ru', data, durationMs: 300_000 }),
    close: () => agent.destroy(),
  };
}
