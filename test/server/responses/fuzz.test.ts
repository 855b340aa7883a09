// Fuzzing every respondent endpoint with seeded hostile requests (issue 10 §4): bodies of every JSON
// shape, nested up to and past the answer depth limit, sized up to and past the body limit, fields
// of the wrong type, unknown keys, wrong media types and charsets, odd links and ids. Whatever
// comes in: never a 5xx, never an internal error, and a refused request leaves the database
// exactly as it was. A failure prints its seed and request; rerun with FUZZ_SEED=<seed>.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { invitations, responses } from '../../../server/db/schema';
import { MAX_ANSWER_DEPTH } from '../../../server/validation';
import { miniAnswers } from '../../helpers/answers';
import { startTestApp, type TestApp } from '../../helpers/app';
import { bigJson, deepJson, int, jsonScalar, jsonString, jsonValue, pick, rng, type Random } from '../../helpers/random-json';

const BODY_LIMIT = 64 * 1024;
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const REQUESTS = 400;

let t: TestApp;
beforeEach(async () => { t = await startTestApp({ bodyLimitBytes: BODY_LIMIT }); });
afterEach(async () => { await t.close(); });

/** Everything a refused request must leave alone: every row of the tables the API writes. */
async function snapshot(): Promise<string> {
  return JSON.stringify([
    await t.store.sql.all(sql`SELECT * FROM ${responses} ORDER BY ${responses.id}`),
    await t.store.sql.all(sql`SELECT * FROM ${invitations} ORDER BY ${invitations.id}`),
  ]);
}

const MINI_KEYS = Object.keys(miniAnswers());

/** An answers object as JSON text: real keys with hostile values, unknown keys, or any value at all. */
function answersJson(random: Random, complete: boolean): string {
  const r = random();
  if (r < 0.1) return jsonValue(random, 4, 2000); // not necessarily an object
  if (r < (complete ? 0.4 : 0.2)) return JSON.stringify(miniAnswers()); // valid
  const members: string[] = [];
  const n = int(random, 0, 4);
  for (let i = 0; i < n; i++) {
    const key = random() < 0.7 ? JSON.stringify(pick(random, MINI_KEYS)) : jsonString(random, 12);
    const kind = random();
    const value = kind < 0.4 ? jsonScalar(random)
      : kind < 0.7 ? jsonValue(random, MAX_ANSWER_DEPTH + 1, 3000)
        : kind < 0.85 ? deepJson(random, pick(random, [MAX_ANSWER_DEPTH, MAX_ANSWER_DEPTH + 1, 50, 5000, 10_000]))
          : bigJson(random, int(random, 1000, 40_000));
    members.push(`${key}:${value}`);
  }
  return `{${members.join(',')}}`;
}

/** A body shaped like a partial save or completion, each field now and then wrong or missing. */
function bodyJson(random: Random, versionId: number, complete: boolean): string {
  const fields: string[] = [];
  const field = (name: string, good: string, bad: readonly string[]) => {
    const r = random();
    if (r < 0.04) return; // missing
    fields.push(`"${name}":${r < 0.88 ? good : r < 0.95 ? pick(random, bad) : jsonValue(random, 3, 200)}`);
  };
  field('surveyVersionId', String(versionId), ['0', '-1', '1.5', '999999', `"${versionId}"`, '1e400']);
  field('locale', JSON.stringify(pick(random, ['kk', 'ru', 'en'])), ['"EN"', '"de"', '""', '"kk "']);
  field('data', answersJson(random, complete), ['[]', 'null', '"{}"']);
  if (complete) { if (random() < 0.7) field('durationMs', pick(random, ['0', '1000', '2678400000']), ['-1', '2678400001', '1.5', 'null']); }
  else field('currentPageNo', pick(random, ['0', '1', '2']), ['-1', '10001', '0.5', '"1"']);
  if (random() < 0.03) fields.push(`${jsonString(random, 8)}:${jsonScalar(random)}`);
  return `{${fields.join(',')}}`;
}

/** The raw body of one request: a shaped one mostly, else any JSON, broken JSON or no JSON at all. */
function rawBody(random: Random, versionId: number, complete: boolean): string | undefined {
  const r = random();
  if (r < 0.6) return bodyJson(random, versionId, complete);
  if (r < 0.75) return jsonValue(random, int(random, 0, 8), int(random, 10, BODY_LIMIT));
  if (r < 0.8) return deepJson(random, int(random, 100, 20_000));
  if (r < 0.85) return bigJson(random, int(random, BODY_LIMIT - 100, BODY_LIMIT + 1000));
  if (r < 0.93) { const s = bodyJson(random, versionId, complete); return s.slice(0, int(random, 0, s.length - 1)); } // truncated
  if (r < 0.97) return '';
  return undefined;
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json;charset=ISO-8859-1', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', ''];

describe('fuzzing the respondent API', () => {
  it(`never answers 5xx and never changes the database when it refuses (seed ${SEED}, ${REQUESTS} requests)`, async () => {
    const random = rng(SEED);
    const [inv] = await t.createInvitations(1);
    const ids = Array.from({ length: 8 }, () => randomUUID());
    const links = [t.wave.openSlug, t.wave.openSlug, inv!.token, 'no-such-link', '%E0%A4', 'a'.repeat(129), '..', '%00'];
    const idChoices = () => (random() < 0.85 ? pick(random, ids) : pick(random, [randomUUID().toUpperCase(), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'x', '%2e%2e', randomUUID() + '0']));

    let before = (await snapshot());
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const link = pick(random, links);
      const id = idChoices();
      const kind = pick(random, ['put', 'put', 'complete', 'complete', 'get-link', 'get-response'] as const);
      const path = kind === 'get-link' ? `/api/links/${link}` : `/api/links/${link}/responses/${id}${kind === 'complete' ? '/complete' : ''}`;
      const method = kind === 'put' ? 'PUT' : kind === 'complete' ? 'POST' : 'GET';
      const body = method === 'GET' ? undefined : rawBody(random, t.version.id, kind === 'complete');
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = random() < 0.85 ? 'application/json' : pick(random, CONTENT_TYPES);
      const res = await fetch(t.baseUrl + path, { method, headers, body });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const where = `seed ${SEED}, request ${i}: ${method} ${path} ${headers['content-type'] ?? ''} ${body === undefined ? '' : body.slice(0, 300)}`;
      expect(res.status, where).toBeLessThan(500);
      expect(t.internalErrors, where).toEqual([]);
      const after = (await snapshot());
      if (res.status >= 400) expect(after === before, `${where}: refused with ${res.status} but the database changed`).toBe(true);
      before = after;
    }
    // The generator reaches every kind of answer, not only refusals.
    for (const status of [200, 201, 400, 404, 409, 413, 415, 422]) expect(statuses.get(status) ?? 0, `status ${status} in ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
  });
});
