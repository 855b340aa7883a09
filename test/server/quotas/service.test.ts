// Quotas against a real SQLite file (server/quotas/service.ts): targets checked with errors naming
// the place, audited; places held, counted, moved, released after 2 h without a save (the clock is
// injected), refused when the cell is full; imports counted and never refused, their overshoot shown.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QuotaCellFill } from '../../../contract/quotas';
import { sql as q } from 'drizzle-orm';
import { auditLog, invitations, quotaReservations, responses, type WaveRow } from '../../../server/db/schema';
import type { Store } from '../../../server/db/store';
import { DomainError } from '../../../server/errors';
import { createInvitations } from '../../../server/invitations/service';
import { importQuotasCsv, QUOTA_HOLD_MS, quotaFill, releaseAbandoned, screenReasonOf, setQuotas } from '../../../server/quotas/service';
import { importResponsesTable } from '../../../server/responses/import';
import { completeResponse, getLinkState, getResponseState, savePartial, type RespondentDb } from '../../../server/responses/service';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { parseCsvText } from '../../../server/tables/read-table';
import { ensureOpenWave } from '../../../server/waves/service';
import { miniAnswers } from '../../helpers/answers';
import { MINI_SURVEYS_DIR } from '../../helpers/app';
import { createTestStore, type TestStore } from '../../helpers/store';

let t: TestStore;
/** A folder of the test's own for the CSV files it writes. */
let dir: string;
let store: Store;
let wave: WaveRow;
let versionId: number;
beforeEach(async () => {
  t = await createTestStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-quotas-'));
  store = t.store;
  versionId = (await loadOfficialSurvey(store, MINI_SURVEYS_DIR)).version.id;
  wave = (await ensureOpenWave(store, OFFICIAL_SURVEY_ID)).wave;
});
afterEach(async () => {
  await t.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = new Date('2026-11-29T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
/** As a job of the store's group commit: one transaction (savepoint) per call. */
const inTx = <T>(fn: (r: RespondentDb) => Promise<T>): Promise<T> => store.write((tx) => fn({ sql: tx, store }));
const reads = (): RespondentDb => ({ sql: store.sql, store });
const about = (over: Record<string, unknown> = {}) => ({ adult: true, resident: true, consent: true, region: 'KZ-75', settlement: 'urban', sex: 'f', age: 34, ethnicity: 'kazakh', ...over });
const save = (id: string, data: Record<string, unknown>, now: Date) =>
  inTx((r) => savePartial(r, wave.openSlug, id, { surveyVersionId: versionId, locale: 'ru', data, currentPageNo: 2 }, now));
const complete = (id: string, data: Record<string, unknown>, now: Date) =>
  inTx((r) => completeResponse(r, wave.openSlug, id, { surveyVersionId: versionId, locale: 'kk', data }, now));
const cell = async (region: string, sex: string, ageBand: string, now = T0): Promise<QuotaCellFill> =>
  (await quotaFill(store.sql, wave.id, now)).cells.find((c) => c.region === region && c.sex === sex && c.ageBand === ageBand)!;
const statusOf = async (id: string) => (await store.sql.get<{ status: string }>(q`SELECT ${responses.status} AS "status" FROM ${responses} WHERE ${responses.id} = ${id}`))?.status;
const BANDS = ['18-29', '30-44', '45-59', '60+'];
const grid = (target: number) => ['KZ-75', 'KZ-71', 'KZ-79'].flatMap((region) => ['m', 'f'].flatMap((sex) => BANDS.map((ageBand) => ({ region, sex, ageBand, target }))));

describe('targets', () => {
  it('sets a wave\'s targets with an audit entry of before and after, and replaces them whole', async () => {
    await setQuotas(store, wave.id, grid(10), 'test:a', T0);
    const fill = await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 3 }], 'test:b', at(MIN));
    expect(fill.cells).toEqual([{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 3, reserved: 0, completed: 0, imported: 0, refused: 0, overshoot: 0 }]);
    const audits = await store.sql.all<{ actor: string; subjectId: string; before: string; after: string }>(q`SELECT ${auditLog.actor} AS "actor", ${auditLog.subjectId} AS "subjectId",
      CAST(${auditLog.before} AS TEXT) AS "before", CAST(${auditLog.after} AS TEXT) AS "after" FROM ${auditLog} WHERE ${auditLog.action} = 'quota.set' ORDER BY ${auditLog.id}`);
    expect(audits.map((a) => a.actor)).toEqual(['test:a', 'test:b']);
    expect(audits[1]!.subjectId).toBe(String(wave.id));
    expect(JSON.parse(audits[1]!.before)).toHaveLength(24);
    expect(JSON.parse(audits[1]!.after).targets).toEqual([{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 3 }]);
  });

  it('refuses bad targets, naming the entry and field, and changes nothing', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ region: 'KZ-99' }, /^targets\[1\]\.region: unknown region code "KZ-99"; the questionnaire's codes are KZ-75, KZ-71, KZ-79/],
      [{ sex: 'x' }, /^targets\[1\]\.sex: unknown sex code "x"; use m or f/],
      [{ ageBand: '44-30' }, /^targets\[1\]\.ageBand: age band "44-30" must be LO-HI or LO\+/],
      [{ ageBand: '25-35' }, /^targets\[1\]\.ageBand: age band "25-35" overlaps band "18-29" \(targets\[0\]\)/],
      [{ target: -1 }, /^targets\[1\]\.target: target "-1" must be a whole number of 0 or more/],
      [{ ageBand: '18-29' }, /^targets\[1\]\.region: the cell KZ-75 × f × 18-29 appears twice \(also targets\[0\]\)/],
    ];
    for (const [patch, message] of bad) {
      const targets = [{ region: 'KZ-75', sex: 'f', ageBand: '18-29', target: 5 }, { region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 5, ...patch }] as never;
      let err: unknown;
      try { await setQuotas(store, wave.id, targets, 'test', T0); } catch (e) { err = e; }
      expect(err, JSON.stringify(patch)).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('invalid_quota');
      expect((err as DomainError).message).toMatch(message);
    }
    expect((await quotaFill(store.sql, wave.id, T0)).cells).toEqual([]);
    await expect(setQuotas(store, 999, [], 'test', T0)).rejects.toThrow(/--wave 999: no such wave; existing waves: 1/);
  });

  it('reads a CSV and names line and column of each kind of mistake', async () => {
    const file = (lines: string[]) => { const p = path.join(dir, 'q.csv'); fs.writeFileSync(p, lines.join('\n') + '\n'); return p; };
    const head = 'region,sex,age_band,target';
    const ok = file([head, 'KZ-75,f,18-29,5', 'KZ-75,m,60+,2']);
    expect((await importQuotasCsv(store, wave.id, ok, 'test', T0)).cells.map((c) => `${c.region}/${c.sex}/${c.ageBand}=${c.target}`)).toEqual(['KZ-75/f/18-29=5', 'KZ-75/m/60+=2']);
    const cases: [string[], string][] = [
      [['region,sex,target', 'KZ-75,f,5'], 'q.csv line 1: no column "age_band"; expected columns region,sex,age_band,target'],
      [[head, 'KZ-75,f,18-29,5', 'KZ-00,f,30-44,5'], 'q.csv line 3, column region: unknown region code "KZ-00"'],
      [[head, 'KZ-75,f,18-29,5', 'KZ-75,f,30-44,-3'], 'q.csv line 3, column target: target "-3" must be a whole number of 0 or more'],
      [[head, 'KZ-75,f,18-29,5', 'KZ-75,f,30-44,2.5'], 'q.csv line 3, column target: "2.5" must be a whole number of 0 or more'],
      [[head, 'KZ-75,f,18-29,5', 'KZ-75,f,30 to 44,5'], 'q.csv line 3, column age_band: age band "30 to 44" must be LO-HI or LO+'],
      [[head, 'KZ-75,f,18-29,5', 'KZ-71,m,29-40,5'], 'q.csv line 3, column age_band: age band "29-40" overlaps band "18-29" (line 2)'],
      [[head, 'KZ-75,f,18-29,5', 'KZ-71,m,30-44,5', 'KZ-75,f,18-29,7'], 'q.csv line 4, column region: the cell KZ-75 × f × 18-29 appears twice (also line 2)'],
    ];
    for (const [lines, message] of cases) {
      await expect(importQuotasCsv(store, wave.id, file(lines), 'test', T0)).rejects.toThrow(message);
    }
    // Nothing of the refused files was stored.
    expect((await quotaFill(store.sql, wave.id, T0)).cells).toHaveLength(2);
  });
});

describe('places', () => {
  it('a partial save holds a place, a completion counts it, a full cell screens out with quota_full', async () => {
    await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 2 }], 'test', T0);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    // Before the placing answers nothing is held.
    expect((await save(a, { adult: true, resident: true, consent: true }, T0)).status).toBe('partial');
    expect((await cell('KZ-75', 'f', '30-44')).reserved).toBe(0);
    expect((await save(a, about(), T0)).status).toBe('partial');
    expect((await save(b, about({ age: 44 }), T0)).status).toBe('partial');
    expect(await cell('KZ-75', 'f', '30-44')).toMatchObject({ reserved: 2, completed: 0 });
    const refused = await save(c, about({ age: 30 }), at(MIN));
    expect(refused).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });
    expect(await statusOf(c)).toBe('screened_out');
    expect(await screenReasonOf(store.sql, c)).toBe('quota_full');
    expect(await getResponseState(reads(), wave.openSlug, c)).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });
    // A later save of the refused response is answered quota_full (the page shows the same message).
    await expect(save(c, about({ age: 30 }), at(2 * MIN))).rejects.toThrow(expect.objectContaining({ code: 'quota_full' }));
    // Its completion is answered idempotently with the reason.
    expect(await complete(c, miniAnswers({ age: 30 }), at(3 * MIN))).toMatchObject({ created: false, body: { status: 'screened_out', screenReason: 'quota_full' } });
    // Holding respondents complete: counted, not over target.
    expect((await complete(a, miniAnswers(), at(4 * MIN))).body.status).toBe('complete');
    expect(await cell('KZ-75', 'f', '30-44', at(4 * MIN))).toMatchObject({ target: 2, reserved: 1, completed: 1, refused: 1, overshoot: 0 });
    // A cell without a target is not limited; its respondents show as outside.
    expect((await complete(randomUUID(), miniAnswers({ region: 'KZ-71' }), at(5 * MIN))).body.status).toBe('complete');
    expect((await quotaFill(store.sql, wave.id, at(5 * MIN))).outside).toEqual({ reserved: 0, completed: 1 });
  });

  it('a completion in a full cell without any partial save is stored screened out, without scores', async () => {
    await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 1 }], 'test', T0);
    expect((await complete(randomUUID(), miniAnswers(), T0)).body).toMatchObject({ status: 'complete' });
    const id = randomUUID();
    const res = await complete(id, miniAnswers({ age: 40 }), at(MIN));
    expect(res).toMatchObject({ created: true, body: { status: 'screened_out', screenReason: 'quota_full' } });
    const row = await store.sql.get(q`SELECT ${responses.status} AS "status", ${responses.region} AS "region", ${responses.consensus} AS "consensus" FROM ${responses} WHERE ${responses.id} = ${id}`);
    expect(row).toEqual({ status: 'screened_out', region: null, consensus: null });
    // A respondent screened out by the screener questions is no quota refusal.
    const out = randomUUID();
    await save(out, { ...about({ age: 50 }) }, at(MIN));
    expect((await complete(out, { adult: true, resident: true, consent: false }, at(2 * MIN))).body).toEqual({ id: out, status: 'screened_out', completedAt: at(2 * MIN).toISOString() });
    expect(await screenReasonOf(store.sql, out)).toBeUndefined();
  });

  it('moves the place when the answers move the respondent to another cell, checking the new one', async () => {
    await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 1 }, { region: 'KZ-75', sex: 'f', ageBand: '45-59', target: 1 }], 'test', T0);
    const [a, b] = [randomUUID(), randomUUID()];
    await save(a, about({ age: 34 }), T0);
    await save(b, about({ age: 50 }), T0);
    // a corrects the age into b's (full) band: refused there; its old place is given up with it.
    expect(await save(a, about({ age: 52 }), at(MIN))).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });
    expect((await cell('KZ-75', 'f', '30-44', at(MIN))).reserved).toBe(0);
    // b moves to the now free band: allowed, and frees its own.
    expect((await save(b, about({ age: 31 }), at(MIN))).status).toBe('partial');
    expect((await cell('KZ-75', 'f', '30-44', at(MIN))).reserved).toBe(1);
    expect((await cell('KZ-75', 'f', '45-59', at(MIN))).reserved).toBe(0);
  });
});

describe('invitations and open links', () => {
  it('count in the same cells; a refused invitation is used up and its link says so', async () => {
    await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 2 }], 'test', T0);
    const [first, second] = await store.write((tx) => createInvitations(tx, wave.id, 2, T0));
    const viaInvitation = (token: string, id: string, data: Record<string, unknown>, now: Date) =>
      inTx((r) => savePartial(r, token, id, { surveyVersionId: versionId, locale: 'en', data, currentPageNo: 2 }, now));
    expect((await viaInvitation(first!.token, randomUUID(), about(), T0)).status).toBe('partial');
    expect((await save(randomUUID(), about(), T0)).status).toBe('partial');
    expect(await cell('KZ-75', 'f', '30-44')).toMatchObject({ reserved: 2 });
    const id = randomUUID();
    expect(await viaInvitation(second!.token, id, about(), at(MIN))).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });
    // Used up, keeping only the day, and no longer tied to its response (docs/decisions/021).
    expect(await store.sql.get(q`SELECT ${invitations.completedAt} AS "completed_at", ${invitations.responseId} AS "response_id" FROM ${invitations} WHERE ${invitations.id} = ${second!.id}`)).toEqual({ completed_at: at(MIN).toISOString().slice(0, 10), response_id: null });
    await expect(getLinkState(reads(), second!.token)).rejects.toThrow(expect.objectContaining({ code: 'invitation_used' }));
    expect(await getResponseState(reads(), second!.token, id)).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });
  });
});

describe('release after 2 h without a save', () => {
  it('frees an abandoned place; the respondent who comes back re-reserves if there is room, or is refused politely', async () => {
    await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 1 }], 'test', T0);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await save(a, about(), T0);
    // Saves keep the place alive: still held at 1 h 59 min after the last save.
    await save(a, about(), at(60 * MIN));
    expect(await save(b, about(), at(60 * MIN + QUOTA_HOLD_MS - MIN))).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });
    expect((await cell('KZ-75', 'f', '30-44', at(60 * MIN + QUOTA_HOLD_MS - MIN))).reserved).toBe(1);
    // 2 h after a's last save the place is free: the fill says so, and the next respondent gets it.
    const afterHold = at(60 * MIN + QUOTA_HOLD_MS + 1000);
    expect(await cell('KZ-75', 'f', '30-44', afterHold)).toMatchObject({ reserved: 0, completed: 0 });
    expect((await save(c, about(), afterHold)).status).toBe('partial');
    const held = () => store.sql.all(q`SELECT ${quotaReservations.responseId} AS "id", ${quotaReservations.state} AS "state" FROM ${quotaReservations}`);
    expect(await held()).toContainEqual({ id: a, state: 'released' });
    // a comes back: the group is complete now.
    expect(await save(a, about(), at(60 * MIN + QUOTA_HOLD_MS + 2000))).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });
    // c abandons too; the sweep records it; nobody holds the cell any more.
    expect(await releaseAbandoned(store, at(60 * MIN + 2 * QUOTA_HOLD_MS + 2000))).toBe(1);
    expect(await held()).toContainEqual({ id: c, state: 'released' });
  });

  it('a respondent coming back after the release takes a place again when the cell has room', async () => {
    await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 1 }], 'test', T0);
    const a = randomUUID();
    await save(a, about(), T0);
    const back = at(QUOTA_HOLD_MS + 5 * MIN);
    expect((await cell('KZ-75', 'f', '30-44', back)).reserved).toBe(0);
    expect((await save(a, about(), back)).status).toBe('partial');
    expect((await cell('KZ-75', 'f', '30-44', back)).reserved).toBe(1);
    expect((await complete(a, miniAnswers(), at(QUOTA_HOLD_MS + 10 * MIN))).body.status).toBe('complete');
    expect(await cell('KZ-75', 'f', '30-44', at(QUOTA_HOLD_MS + 10 * MIN))).toMatchObject({ reserved: 0, completed: 1, overshoot: 0 });
  });
});

describe('imports', () => {
  const HEADER = 'adult,resident,consent,region,settlement,sex,age,ethnicity,a1,a2,a3,b1,b2,c1,c5';
  const line = (age: number, sex = 'f') => `true,true,true,KZ-75,urban,${sex},${age},kazakh,4,5,2,1,dk,3,7`;

  it('counts imported interviews even in a full cell and shows the overshoot; web respondents are then refused', async () => {
    await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 2 }], 'test', T0);
    expect((await complete(randomUUID(), miniAnswers(), T0)).body.status).toBe('complete');
    const summary = await importResponsesTable(store, wave.id, parseCsvText([HEADER, line(31), line(38), line(44), line(70)].join('\n'), 'field.csv'), 'test', at(MIN));
    expect(summary.inserted).toBe(4);
    expect(await cell('KZ-75', 'f', '30-44', at(MIN))).toEqual({ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 2, reserved: 0, completed: 4, imported: 3, refused: 0, overshoot: 2 });
    expect((await quotaFill(store.sql, wave.id, at(MIN))).outside).toEqual({ reserved: 0, completed: 1 });
    expect(await save(randomUUID(), about(), at(2 * MIN))).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });
  });

  it('counts the responses a wave already has when its quotas are set, never refusing them', async () => {
    await importResponsesTable(store, wave.id, parseCsvText([HEADER, line(31), line(38), line(44)].join('\n'), 'field.csv'), 'test', T0);
    const a = randomUUID();
    await save(a, about({ age: 40 }), T0);
    await complete(randomUUID(), miniAnswers({ age: 33 }), T0);
    const fill = await setQuotas(store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 3 }], 'test', at(MIN));
    expect(fill.cells[0]).toMatchObject({ target: 3, reserved: 1, completed: 4, imported: 3, overshoot: 2 });
    // The partial one keeps its place and may complete.
    expect((await complete(a, miniAnswers({ age: 40 }), at(2 * MIN))).body.status).toBe('complete');
    expect(await cell('KZ-75', 'f', '30-44', at(2 * MIN))).toMatchObject({ reserved: 0, completed: 5, overshoot: 2 });
  });
});
