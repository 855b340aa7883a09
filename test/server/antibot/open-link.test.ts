// The open link's protection (issue 14, docs/decisions/021) over real HTTP against a real SQLite
// file, with the protection ON: proof of work, per-address and per-wave limits, the invitation
// exemption, the per-wave secret, and the cut between invitations and completed answers.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { PowChallenge } from '../../../contract/antibot';
import { issueChallenge } from '../../../server/antibot/pow';
import { powKey, waveSecret } from '../../../server/antibot/secrets';
import { sql as q, type SQL } from 'drizzle-orm';
import { agentFrom, floodInWorker, percentile, powHeader, requestFrom, solvedPow, type Reply } from '../../helpers/antibot';
import { miniAnswers } from '../../helpers/answers';
import { startTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
const agents: http.Agent[] = [];
afterEach(async () => {
  expect(t.internalErrors).toEqual([]);
  for (const a of agents.splice(0)) a.destroy();
  await t.close();
});
function agent(address: string, keepAlive = false): http.Agent {
  const a = agentFrom(address, keepAlive);
  agents.push(a);
  return a;
}

const completion = (data = miniAnswers()) => ({ surveyVersionId: t.version.id, locale: 'ru', data, durationMs: 300_000 });
const partial = () => ({ surveyVersionId: t.version.id, locale: 'ru', data: { adult: true }, currentPageNo: 0 });
const slug = () => t.wave.openSlug;
/** Rows of `text` (placeholders `?` bound to `params`), read through the store of the app: SQLite or PostgreSQL. */
const sqlAll = <T>(text: string, ...params: unknown[]): Promise<T[]> => {
  const [head, ...rest] = text.split('?');
  const query: SQL = q.join([q.raw(head!), ...rest.map((part, i) => q`${params[i]}${q.raw(part)}`)]);
  return t.store.sql.all<T>(query);
};

describe('proof of work on the open link', () => {
  it('is required to start a response, is single use, and is not asked of an invitation', async () => {
    t = await startTestApp({ antibot: true });
    const a = agent('127.0.0.1');
    const url = `/api/links/${slug()}/responses`;

    const none = await requestFrom(a, t.baseUrl, 'POST', `${url}/${randomUUID()}/complete`, completion());
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ code: 'pow_required' });

    const challenge = await requestFrom(a, t.baseUrl, 'GET', `/api/links/${slug()}/challenge`);
    expect(challenge.status).toBe(200);
    expect(challenge.body.required).toBe(true);
    const c = challenge.body.challenge as unknown as PowChallenge;
    expect(c.algorithm).toBe('SHA-256');

    // A wrong number, then a forged signature: refused.
    const good = powHeader(c);
    const wrongNumber = powHeader(c, (Number(JSON.parse(atob(Object.values(good)[0]!)).number) + 1) % c.maxnumber);
    const wrong = await requestFrom(a, t.baseUrl, 'POST', `${url}/${randomUUID()}/complete`, completion(), wrongNumber);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'pow_invalid' });
    const forged = { ...c, signature: createHmac('sha256', 'not the key').update(c.challenge).digest('hex') };
    expect((await requestFrom(a, t.baseUrl, 'POST', `${url}/${randomUUID()}/complete`, completion(), powHeader(forged))).body.error).toMatchObject({ code: 'pow_invalid' });

    // Solved: accepted once; the same solution for a second response is refused and stores nothing.
    const id = randomUUID();
    const ok = await requestFrom(a, t.baseUrl, 'POST', `${url}/${id}/complete`, completion(), good);
    expect(ok.status).toBe(201);
    const second = randomUUID();
    const reused = await requestFrom(a, t.baseUrl, 'POST', `${url}/${second}/complete`, completion(), good);
    expect(reused.status).toBe(403);
    expect(reused.body.error).toMatchObject({ code: 'pow_reused' });
    expect(await sqlAll('SELECT id FROM responses WHERE id = ?', second)).toEqual([]);
    // A retried completion of the stored one needs nothing more: it is answered by its id.
    const retry = await requestFrom(a, t.baseUrl, 'POST', `${url}/${id}/complete`, completion());
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(id);

    // Started with a partial save: the proof of work is spent there, the completion needs none.
    const p = randomUUID();
    expect((await requestFrom(a, t.baseUrl, 'PUT', `${url}/${p}`, partial())).body.error).toMatchObject({ code: 'pow_required' });
    expect((await requestFrom(a, t.baseUrl, 'PUT', `${url}/${p}`, partial(), await solvedPow(a, t.baseUrl, slug()))).status).toBe(200);
    expect((await requestFrom(a, t.baseUrl, 'PUT', `${url}/${p}`, partial())).status).toBe(200);
    expect((await requestFrom(a, t.baseUrl, 'POST', `${url}/${p}/complete`, completion())).status).toBe(201);

    // Signals: both responses proved their work; no raw address anywhere in the protection's tables.
    expect(await sqlAll<{ pow_ok: number }>('SELECT pow_ok FROM response_signals ORDER BY pow_ok')).toEqual([{ pow_ok: 1 }, { pow_ok: 1 }]);
    const stored = JSON.stringify([await sqlAll('SELECT * FROM response_signals'), await sqlAll('SELECT * FROM rate_limits'), await sqlAll('SELECT * FROM used_challenges')]);
    expect(stored).not.toContain('127.0.0.1');

    // An invitation: no challenge needed, no proof of work asked.
    const [inv] = await t.createInvitations(1);
    expect((await requestFrom(a, t.baseUrl, 'GET', `/api/links/${inv!.token}/challenge`)).body).toEqual({ required: false });
    expect((await requestFrom(a, t.baseUrl, 'POST', `/api/links/${inv!.token}/responses/${randomUUID()}/complete`, completion())).status).toBe(201);
  });

  it('refuses an expired challenge and one issued for another wave', async () => {
    t = await startTestApp({ antibot: true });
    const a = agent('127.0.0.1');
    const key = powKey((await waveSecret(t.store, t.wave.id))!);
    const expired = await issueChallenge(key, t.wave.id, Date.now() - 31 * 60_000);
    const otherWave = await issueChallenge(key, t.wave.id + 1);
    for (const c of [expired, otherWave]) {
      const res = await requestFrom(a, t.baseUrl, 'POST', `/api/links/${slug()}/responses/${randomUUID()}/complete`, completion(), powHeader(c));
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'pow_invalid' });
    }
  });
});

describe('limits on the open link', () => {
  it('a scripted flood from one address: at most the limit is stored, the rest get 429 with Retry-After; other respondents are served meanwhile and nothing stored is lost', async () => {
    t = await startTestApp({ antibot: true });
    const url = `/api/links/${slug()}/responses`;

    // Already stored before the flood: five respondents from five addresses.
    const before: string[] = [];
    for (let k = 0; k < 5; k++) {
      const a = agent(`127.0.1.${k + 1}`);
      const id = randomUUID();
      expect((await requestFrom(a, t.baseUrl, 'POST', `${url}/${id}/complete`, completion(miniAnswers({ age: 30 + k })), await solvedPow(a, t.baseUrl, slug()))).status).toBe(201);
      before.push(id);
    }
    // The same respondents' journey without a flood first: the baseline their p99 is compared with.
    const baseline: Reply[] = [];
    for (let k = 0; k < 6; k++) {
      const a = agent(`127.0.6.${k + 1}`);
      const id = randomUUID();
      baseline.push(await requestFrom(a, t.baseUrl, 'GET', `/api/links/${slug()}`));
      const pow = await solvedPow(a, t.baseUrl, slug());
      baseline.push(await requestFrom(a, t.baseUrl, 'PUT', `${url}/${id}`, partial(), pow));
      baseline.push(await requestFrom(a, t.baseUrl, 'PUT', `${url}/${id}`, { ...partial(), currentPageNo: 1 }));
      baseline.push(await requestFrom(a, t.baseUrl, 'POST', `${url}/${id}/complete`, completion(miniAnswers({ age: 80 + k }))));
    }
    expect(baseline.filter((r) => r.status >= 300)).toEqual([]);
    const snapshot = async () => JSON.stringify(await sqlAll('SELECT id, status, data, consensus FROM responses WHERE id IN (?, ?, ?, ?, ?) ORDER BY id', ...before));
    const storedBefore = await snapshot();

    // The flood: 16 clients on their own thread, 400 completions with fresh ids, each solving its
    // own challenge as a real script would (until it is refused: it then keeps sending).
    const FLOOD = 400;
    const floodStart = performance.now();
    let stop = false;
    const flooding = floodInWorker({ baseUrl: t.baseUrl, slug: slug(), body: completion(), total: FLOOD, concurrency: 16, localAddress: '127.0.0.1' })
      .finally(() => { stop = true; });
    // Other respondents, each from an address of their own, answering during the flood: open the
    // link, get and solve a challenge, save twice, complete. Every request's time is kept.
    const others: Reply[] = [];
    const respondent = async (k: number) => {
      const a = agent(`127.0.2.${k + 1}`);
      const id = randomUUID();
      others.push(await requestFrom(a, t.baseUrl, 'GET', `/api/links/${slug()}`));
      const pow = await solvedPow(a, t.baseUrl, slug());
      others.push(await requestFrom(a, t.baseUrl, 'PUT', `${url}/${id}`, partial(), pow));
      others.push(await requestFrom(a, t.baseUrl, 'PUT', `${url}/${id}`, { ...partial(), currentPageNo: 1 }));
      others.push(await requestFrom(a, t.baseUrl, 'POST', `${url}/${id}/complete`, completion(miniAnswers({ age: 40 + (k % 40) }))));
    };
    const othersLoop = async (first: number) => {
      for (let k = first; !stop; k += 2) await respondent(k);
    };
    const [flood] = await Promise.all([flooding, othersLoop(0), othersLoop(1)]);
    const floodSeconds = (performance.now() - floodStart) / 1000;

    const accepted = flood.filter((r) => r.status === 201);
    const limited = flood.filter((r) => r.status === 429);
    expect(accepted.length).toBe(20);
    expect(limited.length).toBe(FLOOD - 20);
    for (const r of limited) {
      expect(r.code).toBe('too_many_responses');
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(600);
    }
    // Every other respondent was served; none was limited.
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((r) => r.status >= 300)).toEqual([]);
    const ms = others.map((r) => r.ms);
    console.info(`[antibot flood] ${FLOOD} completions from one address in ${floodSeconds.toFixed(1)} s (${Math.round(FLOOD / floodSeconds * 60)}/min): ${accepted.length} stored, ${limited.length} × 429; ` +
      `other respondents during it: ${others.length} requests, p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms ` +
      `(the same journeys without a flood: p50 ${percentile(baseline.map((r) => r.ms), 50).toFixed(1)} ms, p99 ${percentile(baseline.map((r) => r.ms), 99).toFixed(1)} ms)`);
    expect(await snapshot()).toBe(storedBefore);
    const stored = (await sqlAll<{ n: number }>("SELECT count(*) AS n FROM responses WHERE status = 'complete'"))[0]!.n;
    expect(stored).toBe(5 + 6 + 20 + others.filter((r) => r.status === 201).length);
  }, 120_000);

  it('a wave-wide ceiling refuses new responses from any address with wave_busy; saves of started ones go on', async () => {
    const limit = { points: 3, durationSeconds: 600 };
    t = await startTestApp({ antibot: { enforce: true, limits: { newPerAddress: { points: 20, durationSeconds: 600 }, completePerAddress: { points: 20, durationSeconds: 600 }, newPerWave: limit } } });
    const url = `/api/links/${slug()}/responses`;
    const started: string[] = [];
    for (let k = 0; k < 3; k++) {
      const a = agent(`127.0.3.${k + 1}`);
      const id = randomUUID();
      expect((await requestFrom(a, t.baseUrl, 'PUT', `${url}/${id}`, partial(), await solvedPow(a, t.baseUrl, slug()))).status).toBe(200);
      started.push(id);
    }
    const late = agent('127.0.3.9');
    const refused = await requestFrom(late, t.baseUrl, 'PUT', `${url}/${randomUUID()}`, partial(), await solvedPow(late, t.baseUrl, slug()));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'wave_busy' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const first = agent('127.0.3.1');
    expect((await requestFrom(first, t.baseUrl, 'POST', `${url}/${started[0]}/complete`, completion())).status).toBe(201);
  });

  it('invitations are exempt from the limits', async () => {
    t = await startTestApp({ antibot: { enforce: true, limits: { newPerAddress: { points: 1, durationSeconds: 600 }, completePerAddress: { points: 1, durationSeconds: 600 }, newPerWave: { points: 1, durationSeconds: 600 } } } });
    const a = agent('127.0.0.1');
    for (const inv of await t.createInvitations(5)) {
      expect((await requestFrom(a, t.baseUrl, 'POST', `/api/links/${inv.token}/responses/${randomUUID()}/complete`, completion())).status).toBe(201);
    }
  });
});

describe('privacy', () => {
  it('closing the wave destroys its secret; the stored hashes stay and no new secret is made', async () => {
    t = await startTestApp({ antibot: true });
    const a = agent('127.0.4.1');
    expect((await requestFrom(a, t.baseUrl, 'POST', `/api/links/${slug()}/responses/${randomUUID()}/complete`, completion(), await solvedPow(a, t.baseUrl, slug()))).status).toBe(201);
    const [secret] = await sqlAll<{ secret: string }>('SELECT secret FROM wave_secrets WHERE wave_id = ?', t.wave.id);
    const [signal] = await sqlAll<{ address_hash: string }>('SELECT address_hash FROM response_signals');
    // The hash is the keyed one: computable with the secret, not without.
    expect(signal!.address_hash).toBe(createHmac('sha256', secret!.secret).update('address\u0000127.0.4.1').digest('hex').slice(0, 32));
    expect(signal!.address_hash).not.toBe(createHash('sha256').update('127.0.4.1').digest('hex').slice(0, 32));
    await t.closeWave();
    expect(await sqlAll('SELECT * FROM wave_secrets')).toEqual([]);
    expect(await waveSecret(t.store, t.wave.id)).toBeUndefined();
    expect((await requestFrom(a, t.baseUrl, 'GET', `/api/links/${slug()}/challenge`)).body.error).toMatchObject({ code: 'wave_closed' });
    expect(await sqlAll('SELECT address_hash FROM response_signals')).toEqual([signal]);
  });

  it('a completed invitation keeps nothing that ties it to the answers; a retried completion is still answered', async () => {
    t = await startTestApp({ antibot: true });
    const a = agent('127.0.0.1');
    const [inv] = await t.createInvitations(1);
    const id = randomUUID();
    const link = `/api/links/${inv!.token}/responses/${id}`;
    expect((await requestFrom(a, t.baseUrl, 'PUT', link, partial())).status).toBe(200);
    // While it is being answered, the invitation resumes on another device.
    expect(await sqlAll('SELECT response_id FROM invitations WHERE id = ?', inv!.id)).toEqual([{ response_id: id }]);
    const done = await requestFrom(a, t.baseUrl, 'POST', `${link}/complete`, completion());
    expect(done.status).toBe(201);
    const [row] = await sqlAll<{ response_id: string | null; completed_at: string }>('SELECT response_id, completed_at FROM invitations WHERE id = ?', inv!.id);
    expect(row!.response_id).toBeNull();
    expect(row!.completed_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await sqlAll('SELECT invitation_id FROM responses WHERE id = ?', id)).toEqual([{ invitation_id: null }]);
    expect(JSON.stringify(await sqlAll('SELECT * FROM invitations'))).not.toContain(id);
    expect(await sqlAll('SELECT * FROM response_signals')).toEqual([]);
    // Used: the link is refused; the same completion again gets its first answer.
    expect((await requestFrom(a, t.baseUrl, 'GET', `/api/links/${inv!.token}`)).body.error).toMatchObject({ code: 'invitation_used' });
    const retry = await requestFrom(a, t.baseUrl, 'POST', `${link}/complete`, completion());
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(done.body);
    // …and another response id under the used invitation is still refused.
    expect((await requestFrom(a, t.baseUrl, 'POST', `/api/links/${inv!.token}/responses/${randomUUID()}/complete`, completion())).body.error).toMatchObject({ code: 'invitation_used' });
  });
});
