// Regression tests for the holes hostile input found in the respondent API (issue 10 §4), each
// over real HTTP against a real SQLite file: no input reaches a 500, and nothing refused is stored.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ANSWER_DEPTH, MAX_ANSWER_SIZE } from '../../../server/validation';
import { miniAnswers } from '../../helpers/answers';
import { startTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeEach(async () => { t = await startTestApp(); });
afterEach(async () => {
  expect(t.internalErrors).toEqual([]);
  await t.close();
});

const slug = () => t.wave.openSlug;
const partial = (data: Record<string, unknown>) => ({ surveyVersionId: t.version.id, locale: 'en', data, currentPageNo: 0 });
const completion = (data: Record<string, unknown> = miniAnswers()) => ({ surveyVersionId: t.version.id, locale: 'en', data });
const rowCount = async () => (await t.responseRows()).length;

/** `[[[…[1]…]]]`, `depth` arrays deep, as JSON text (JSON.stringify itself would overflow on deep values). */
const deepArray = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);
const deepObject = (depth: number) => '{"x":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('partial saves are shape-checked', () => {
  it('refuses an answer nested 5,000 deep with 422, not a 500 (it overflowed JSON.stringify in the insert)', async () => {
    for (const deep of [deepArray(5000), deepObject(5000)]) {
      const body = `{"surveyVersionId":${t.version.id},"locale":"en","currentPageNo":0,"data":{"a1":${deep}}}`;
      expect(body.length).toBeLessThan(64 * 1024);
      const res = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, body);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('invalid_answers');
      expect(res.body.error.details).toEqual([{ question: 'a1', message: `The answer is nested too deeply (at most ${MAX_ANSWER_DEPTH} levels).` }]);
    }
    expect(await rowCount()).toBe(0);
  });

  it('accepts an answer exactly at the depth limit and refuses one level more', async () => {
    const atLimit = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`,
      `{"surveyVersionId":${t.version.id},"locale":"en","currentPageNo":0,"data":{"a1":${deepArray(MAX_ANSWER_DEPTH)}}}`);
    expect(atLimit.status).toBe(200);
    const over = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`,
      `{"surveyVersionId":${t.version.id},"locale":"en","currentPageNo":0,"data":{"a1":${deepArray(MAX_ANSWER_DEPTH + 1)}}}`);
    expect(over.status).toBe(422);
    expect(await rowCount()).toBe(1);
  });

  it('refuses an answer larger than the per-answer limit, in the respondent language', async () => {
    const res = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, { ...partial({ a1: 'x'.repeat(MAX_ANSWER_SIZE) }), locale: 'ru' });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ question: 'a1', message: 'Ответ слишком большой.' }]);
    const list = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, partial({ a1: Array.from({ length: MAX_ANSWER_SIZE }, () => 1) }));
    expect(list.status).toBe(422);
    expect(await rowCount()).toBe(0);
  });

  it('refuses unknown keys as completion does, and leaves the saved answers as they were', async () => {
    const id = randomUUID();
    expect((await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial({ adult: true }))).status).toBe(200);
    const res = await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial({ adult: true, note: 'x', __proto__x: 1 }));
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { question: 'note', message: 'The questionnaire has no such question.' },
      { question: '__proto__x', message: 'The questionnaire has no such question.' },
    ]);
    expect((await t.responseRows()).map((r) => r.data)).toEqual([{ adult: true }]);
  });

  it('still accepts what a respondent part-way through sends: some answers, including one the others now hide', async () => {
    // resident=false hides consent, but survey-core keeps the consent answer until completion.
    const res = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, partial({ adult: true, resident: false, consent: true }));
    expect(res.status).toBe(200);
  });

  it('refuses unknown body fields on both writes', async () => {
    const put = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, { ...partial({}), extra: 1 });
    expect(put.status).toBe(422);
    expect(put.body.error.code).toBe('invalid_request');
    const post = await t.api('POST', `/api/links/${slug()}/responses/${randomUUID()}/complete`, { ...completion(), extra: 1 });
    expect(post.status).toBe(422);
    expect(await rowCount()).toBe(0);
  });
});

describe('response ids', () => {
  it('refuses an upper-case UUID, so one UUID can never make two rows', async () => {
    const id = randomUUID();
    expect((await t.api('PUT', `/api/links/${slug()}/responses/${id}`, partial({ adult: true }))).status).toBe(200);
    for (const [method, suffix, body] of [['PUT', '', partial({ adult: true })], ['POST', '/complete', completion()], ['GET', '', undefined]] as const) {
      const res = await t.api(method, `/api/links/${slug()}/responses/${id.toUpperCase()}${suffix}`, body);
      expect(res.status, `${method} ${suffix}`).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'params.id' })]);
    }
    expect(await rowCount()).toBe(1);
  });

  it('refuses the nil and max UUIDs and ids that are not UUIDs', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'not-a-uuid', `${randomUUID()}x`, `{${randomUUID()}}`]) {
      const res = await t.api('PUT', `/api/links/${slug()}/responses/${encodeURIComponent(id)}`, partial({ adult: true }));
      expect(res.status, id).toBe(422);
    }
    expect(await rowCount()).toBe(0);
  });
});

describe('request bodies must be UTF-8 JSON', () => {
  it('answers 415 to a body declared in any charset but UTF-8, and stores nothing', async () => {
    for (const charset of ['utf-16', 'UTF-16LE', 'utf-32', 'iso-8859-1', '"utf-16"', 'utf8']) {
      const res = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, JSON.stringify(partial({ adult: true })), { 'content-type': `application/json; charset=${charset}` });
      expect(res.status, charset).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    }
    // Really UTF-16 bytes, declared as such.
    const utf16 = Buffer.from(JSON.stringify(completion()), 'utf16le');
    const res = await fetch(`${t.baseUrl}/api/links/${slug()}/responses/${randomUUID()}/complete`, { method: 'POST', body: utf16, headers: { 'content-type': 'application/json; charset=utf-16le' } });
    expect(res.status).toBe(415);
    expect(await rowCount()).toBe(0);
  });

  it('accepts UTF-8 declared in any letter case (its IANA name, utf-8)', async () => {
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"']) {
      const res = await t.api('PUT', `/api/links/${slug()}/responses/${randomUUID()}`, JSON.stringify(partial({ adult: true })), { 'content-type': `application/json; charset=${charset}` });
      expect(res.status, charset).toBe(200);
    }
  });
});
