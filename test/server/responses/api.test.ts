// The respondent API (docs/decisions/001) over real HTTP against a real SQLite file per test.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ageBand, parseScoringSpec, scoreRespondent } from '../../../analysis/scoring';
import { miniAnswers, miniScreenedOut } from '../../helpers/answers';
import { listOf, MINI_SURVEYS_DIR, startTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeEach(async () => { t = await startTestApp(); });
afterEach(async () => {
  // No request in these tests may reach the internal-error path.
  expect(t.internalErrors).toEqual([]);
  await t.close();
});

const slug = () => t.wave.openSlug;
const rowsWithId = (id: string) => t.responseRows(id);
const partial = (over: Record<string, unknown> = {}) => ({ surveyVersionId: t.version.id, locale: 'ru', data: { adult: true }, currentPageNo: 0, ...over });
const completion = (over: Record<string, unknown> = {}) => ({ surveyVersionId: t.version.id, locale: 'ru', data: miniAnswers(), durationMs: 123_456, ...over });

describe('GET /api/links/:link', () => {
  it('returns the wave, the current survey version and no response for the open link', async () => {
    const res = await t.api('GET', `/api/links/${slug()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      link: { kind: 'open' },
      wave: { id: t.wave.id, title: { kk: t.wave.titleKk, ru: t.wave.titleRu, en: t.wave.titleEn }, status: 'open' },
      survey: { versionId: t.version.id, json: JSON.parse(fs.readFileSync(path.join(MINI_SURVEYS_DIR, 'official/survey.json'), 'utf8')) },
      response: null,
    });
  });

  it('answers 404 link_not_found for an unknown link', async () => {
    const res = await t.api('GET', '/api/links/no-such-link');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('link_not_found');
    expect(res.body.error.message).toMatch(/link/);
  });

  it('answers 409 wave_closed once the wave is closed', async () => {
    await t.closeWave();
    const res = await t.api('GET', `/api/links/${slug()}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('wave_closed');
  });
});

describe('partial saves and resume', () => {
  it('creates the row on the first PUT, updates it later, and GET returns it with its survey', async () => {
    const id = randomUUID();
    const first = await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial());
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id, status: 'partial', surveyVersionId: t.version.id, locale: 'ru', data: { adult: true }, currentPageNo: 0 });

    const later = partial({ locale: 'en', data: { adult: true, resident: true, consent: true, region: 'KZ-71' }, currentPageNo: 1 });
    expect((await t.api('PUT', `/api/links/${slug()}/responses/${id}`, later)).status).toBe(200);

    const resumed = await t.api('GET', `/api/links/${slug()}/responses/${id}`);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ id, status: 'partial', surveyVersionId: t.version.id, locale: 'en', data: later.data, currentPageNo: 1 });
    expect(resumed.body.survey.versionId).toBe(t.version.id);
    expect(resumed.body.survey.json).toEqual(t.version.json);
    expect((await rowsWithId(id))).toHaveLength(1);
  });

  it('answers 404 response_not_found for an unknown id and 422 for an id that is not a UUID', async () => {
    const unknown = await t.api('GET', `/api/links/${slug()}/responses/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('response_not_found');
    const bad = await t.api('GET', `/api/links/${slug()}/responses/not-a-uuid`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'params.id' })]);
  });

  it('does not show a response under another link', async () => {
    const id = randomUUID();
    await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial());
    const [inv] = await t.createInvitations(1);
    const res = await t.api('GET', `/api/links/${inv!.token}/responses/${id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('response_not_found');
  });

  it('answers 404 survey_version_not_found for a version that does not exist', async () => {
    const res = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, partial({ surveyVersionId: t.version.id + 1000 }));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('survey_version_not_found');
  });

  it('answers 409 already_completed to a PUT after completion and 409 wave_closed after closing', async () => {
    const id = randomUUID();
    expect((await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion())).status).toBe(201);
    const afterComplete = await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial());
    expect(afterComplete.status).toBe(409);
    expect(afterComplete.body.error.code).toBe('already_completed');

    const other = randomUUID();
    await t.api('PUT', `/api/links/${slug()}/responses/${other}`, partial());
    await t.closeWave();
    const put = await t.api('PUT', `/api/links/${slug()}/responses/${other}`, partial());
    expect(put.status).toBe(409);
    expect(put.body.error.code).toBe('wave_closed');
    const post = await t.api('POST', `/api/links/${slug()}/responses/${other}/complete`, completion());
    expect(post.status).toBe(409);
    expect(post.body.error.code).toBe('wave_closed');
    // A completion acknowledged before the wave closed is still returned to a retrying client.
    const retry = await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion());
    expect(retry.status).toBe(200);
  });
});

describe('POST …/complete', () => {
  it('stores the answers with the weighting variables and exactly the scores of scoreRespondent', async () => {
    const id = randomUUID();
    await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial({ currentPageNo: 2 }));
    const data = miniAnswers({ age: 61, sex: 'm', region: 'KZ-79', settlement: 'rural', ethnicity: 'russian', a2: 'dk', c1: 'dk' });
    const res = await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion({ data, locale: 'kk' }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id, status: 'complete', completedAt: expect.any(String) });
    expect(new Date(String(res.body.completedAt)).toISOString()).toBe(res.body.completedAt);

    const [row] = (await rowsWithId(id));
    const spec = parseScoringSpec(JSON.parse(fs.readFileSync(path.join(MINI_SURVEYS_DIR, 'official/scoring.json'), 'utf8')));
    const expected = scoreRespondent(spec, data);
    expect(row).toMatchObject({
      status: 'complete', locale: 'kk', data, surveyVersionId: t.version.id, waveId: t.wave.id, invitationId: null,
      completedAt: res.body.completedAt, durationMs: 123_456, currentPageNo: 2,
      region: 'KZ-79', settlement: 'rural', sex: 'm', age: 61, ageBand: ageBand(61), ethnicity: 'russian',
      itemScores: expected.items,
      consensus: expected.indicators.consensus, tolerance: expected.indicators.tolerance, mood: expected.indicators.mood,
    });
    // The fixture has c1 = dk and c5 answered: mood rests on one of two items (below 60%).
    expect(row!.mood).toBeNull();
    expect(row!.consensus).not.toBeNull();
  });

  it('stores a screened-out respondent with status screened_out and no scores', async () => {
    const id = randomUUID();
    const res = await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion({ data: miniScreenedOut() }));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('screened_out');
    const [row] = (await rowsWithId(id));
    expect(row).toMatchObject({ status: 'screened_out', data: miniScreenedOut(), itemScores: null, consensus: null, tolerance: null, mood: null, region: null, age: null, ageBand: null });
  });

  it('is idempotent: the same id again answers 200 with the first result and stores one row', async () => {
    const id = randomUUID();
    const first = await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion());
    expect(first.status).toBe(201);
    const again = await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion({ data: miniAnswers({ a1: 1 }), locale: 'en' }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const rows = (await rowsWithId(id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).toEqual(miniAnswers());
    expect(rows[0]!.locale).toBe('ru');
  });

  it('stores one row when many duplicates of a completion arrive at once', async () => {
    const id = randomUUID();
    const results = await Promise.all(Array.from({ length: 24 }, () =>
      t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion())));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(23);
    for (const r of results) expect(r.body).toEqual(results[0]!.body);
    expect((await rowsWithId(id))).toHaveLength(1);
  });

  it('completes a partially saved response once when its completion is retried many times at once', async () => {
    const id = randomUUID();
    expect((await t.api('PUT', `/api/links/${slug()}/responses/${id}`, { surveyVersionId: t.version.id, locale: 'ru', data: { adult: true }, currentPageNo: 1 })).status).toBe(200);
    // Connections for all of them first (on PostgreSQL a pool opening its connections one by one
    // would let the first transaction finish before the others start).
    await Promise.all(Array.from({ length: 12 }, () => t.api('GET', `/api/links/${slug()}/responses/${id}`)));
    // Each retry carries other answers: only the one that completed may be stored.
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion({ data: miniAnswers({ age: 20 + i }) }))));
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(11);
    for (const r of results) expect(r.body).toEqual(created[0]!.body);
    const rows = await rowsWithId(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'complete', completedAt: created[0]!.body.completedAt });
    expect(results.map((_, i) => 20 + i)).toContain(rows[0]!.data.age);
    expect(rows[0]!.age).toBe(rows[0]!.data.age);
  });

  it('answers 422 invalid_answers with per-question messages in the respondent\'s language, storing nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [miniAnswers({ a1: undefined }), 'a1'], // required question left out
      [miniAnswers({ a1: 9 }), 'a1'], // not among the choices
      [miniAnswers({ c5: 11 }), 'c5'], // rating out of 0–10
      [miniAnswers({ age: 'abc' }), 'age'], // not a number
      [miniAnswers({ age: 16 }), 'age'], // below the question's min
      [miniAnswers({ favourite_colour: 'blue' }), 'favourite_colour'], // no such question
    ];
    for (const [data, question] of cases) {
      const id = randomUUID();
      const byLocale: Record<string, string> = {};
      for (const locale of ['kk', 'ru', 'en']) {
        const res = await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion({ data, locale }));
        expect(res.status, `${question} ${locale}`).toBe(422);
        expect(res.body.error.code).toBe('invalid_answers');
        const detail = listOf<{ question: string; message: string }>(res.body.error.details).find((d) => d.question === question);
        expect(detail, JSON.stringify(res.body.error.details)).toBeDefined();
        expect(detail!.message).toEqual(expect.any(String));
        byLocale[locale] = detail!.message;
      }
      expect(byLocale.ru, question).toMatch(/[а-яё]/i);
      expect(byLocale.en, question).toMatch(/^[\x20-\x7e]+$/);
      expect(new Set(Object.values(byLocale)).size, question).toBeGreaterThan(1);
      expect((await rowsWithId(id))).toHaveLength(0);
    }
  });

  it('keeps a partial response partial when its completion is invalid, and accepts the corrected one', async () => {
    const id = randomUUID();
    await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial({ currentPageNo: 2 }));
    const bad = await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion({ data: miniAnswers({ sex: 'x' }) }));
    expect(bad.status).toBe(422);
    expect((await rowsWithId(id))[0]).toMatchObject({ status: 'partial', data: { adult: true } });
    expect((await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion())).status).toBe(201);
  });

  it('answers 422 invalid_request with field details for a body of the wrong shape', async () => {
    const id = randomUUID();
    const url = `/api/links/${slug()}/responses/${id}/complete`;
    const cases: [unknown, string][] = [
      [{ ...completion(), locale: 'de' }, 'body.locale'],
      [{ ...completion(), data: [1, 2] }, 'body.data'],
      [{ ...completion(), surveyVersionId: 'one' }, 'body.surveyVersionId'],
      [{ ...completion(), durationMs: -5 }, 'body.durationMs'],
      [{ locale: 'kk', data: {} }, 'body.surveyVersionId'],
      [[], 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('POST', url, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe('invalid_request');
      expect(listOf<{ field: string }>(res.body.error.details).map((d) => d.field)).toContain(field);
    }
    const put = await t.api('PUT', `/api/links/${slug()}/responses/${id}`, { ...partial(), currentPageNo: -1 });
    expect(put.status).toBe(422);
    expect(put.body.error.details).toEqual([expect.objectContaining({ field: 'body.currentPageNo' })]);
    expect((await rowsWithId(id))).toHaveLength(0);
  });

  it('answers 409 survey_version_mismatch when completing on another version than the one started', async () => {
    const id = randomUUID();
    await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial());
    const res = await t.api('POST', `/api/links/${slug()}/responses/${id}/complete`, completion({ surveyVersionId: t.version.id + 1 }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('survey_version_mismatch');
    expect(res.body.error.details).toEqual({ surveyVersionId: t.version.id });
  });
});

describe('bad input never reaches a 5xx', () => {
  it('answers 400 malformed_json for a body that is not JSON', async () => {
    for (const body of ['{"surveyVersionId": 1,', '{oops}', '"unterminated']) {
      const res = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('malformed_json');
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(js|ts):\d+/);
    }
  });

  it('answers 413 payload_too_large above the body limit (64 KiB in these tests)', async () => {
    const big = completion({ data: { ...miniAnswers(), note: 'x'.repeat(70 * 1024) } });
    const res = await t.api('POST', `/api/links/${slug()}/responses/${randomUUID()}/complete`, big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers 415 when the body is not sent as JSON, 422 when there is no body, and 404 JSON for unknown API routes', async () => {
    const res = await t.api('POST', `/api/links/${slug()}/responses/${randomUUID()}/complete`, JSON.stringify(completion()), { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    const none = await t.api('POST', `/api/links/${slug()}/responses/${randomUUID()}/complete`);
    expect(none.status).toBe(422);
    expect(none.body.error.details).toEqual([expect.objectContaining({ field: 'body' })]);
    for (const [method, url] of [['GET', '/api/nope'], ['DELETE', `/api/links/${slug()}`], ['POST', `/api/links/${slug()}`]] as const) {
      const r = await t.api(method, url);
      expect(r.status, `${method} ${url}`).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
  });

  it('answers 4xx for a malformed path escape', async () => {
    const res = await t.api('GET', '/api/links/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });
});

describe('invitations', () => {
  it('can be resumed until completed, by its own response only, and never after', async () => {
    const [inv] = await t.createInvitations(1);
    const link = inv!.token;
    const fresh = await t.api('GET', `/api/links/${link}`);
    expect(fresh.status).toBe(200);
    expect(fresh.body.link).toEqual({ kind: 'invitation' });
    expect(fresh.body.response).toBeNull();

    const id = randomUUID();
    expect((await t.api('PUT', `/api/links/${link}/responses/${id}`, partial({ currentPageNo: 1 }))).status).toBe(200);
    // Resume on another device: the link alone brings the bound response back.
    const resumed = await t.api('GET', `/api/links/${link}`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.response).toEqual({ id, status: 'partial', surveyVersionId: t.version.id, locale: 'ru', data: { adult: true }, currentPageNo: 1 });

    const intruder = randomUUID();
    const put2 = await t.api('PUT', `/api/links/${link}/responses/${intruder}`, partial());
    expect(put2.status).toBe(409);
    expect(put2.body.error.code).toBe('invitation_used');
    const post2 = await t.api('POST', `/api/links/${link}/responses/${intruder}/complete`, completion());
    expect(post2.status).toBe(409);
    expect(post2.body.error.code).toBe('invitation_used');

    const done = await t.api('POST', `/api/links/${link}/responses/${id}/complete`, completion());
    expect(done.status).toBe(201);
    // Used, and no longer tied to the answers (docs/decisions/021): only the day, no response id either way.
    const invRow = await t.invitationRow(inv!.id);
    expect(invRow).toMatchObject({ responseId: null, completedAt: String(done.body.completedAt).slice(0, 10) });
    expect((await rowsWithId(id))[0]!.invitationId).toBeNull();

    const reopen = await t.api('GET', `/api/links/${link}`);
    expect(reopen.status).toBe(409);
    expect(reopen.body.error.code).toBe('invitation_used');
    expect((await t.api('PUT', `/api/links/${link}/responses/${id}`, partial())).body.error.code).toBe('already_completed');
    expect((await t.api('POST', `/api/links/${link}/responses/${id}/complete`, completion())).status).toBe(200);
    expect((await rowsWithId(intruder))).toHaveLength(0);
  });

  it('binds an invitation completed without partial saves, and refuses a second respondent', async () => {
    const [inv] = await t.createInvitations(1);
    const first = await t.api('POST', `/api/links/${inv!.token}/responses/${randomUUID()}/complete`, completion());
    expect(first.status).toBe(201);
    const second = await t.api('POST', `/api/links/${inv!.token}/responses/${randomUUID()}/complete`, completion());
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('invitation_used');
  });

  it('lets only one of two concurrent respondents take a fresh invitation', async () => {
    const [inv] = await t.createInvitations(1);
    const ids = Array.from({ length: 8 }, () => randomUUID());
    const results = await Promise.all(ids.map((id) => t.api('POST', `/api/links/${inv!.token}/responses/${id}/complete`, completion())));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && String(r.body.error.code) === 'invitation_used')).toHaveLength(7);
    expect((await Promise.all(ids.map((id) => rowsWithId(id)))).flat()).toHaveLength(1);
  });
});
