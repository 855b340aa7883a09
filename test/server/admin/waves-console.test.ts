// The console's wave routes under the account rules, over real HTTP: CSRF on closing a wave, and
// invitations and a close in the audit log under the account that made them; creating and opening
// waves; the export refused on PostgreSQL. On the engine KELISIM_TEST_DB names.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAudit } from '../../../server/audit/service';
import { listOf } from '../../helpers/app';
import { startAdminApp, type AdminTestApp } from './helpers';

let t: AdminTestApp;
beforeEach(async () => { t = await startAdminApp(); });
afterEach(async () => { await t.close(); });

describe('CSRF on a wave', () => {
  it('refuses closing a wave without the token, with a wrong one, or from another origin; the right token closes it', async () => {
    const s = await t.signIn('researcher');
    const none = await t.call('POST', `/waves/${t.wave.id}/close`, { session: s, csrf: false });
    expect([none.status, none.body.error.code]).toEqual([403, 'csrf_failed']);
    const wrong = await t.call('POST', `/waves/${t.wave.id}/close`, { session: { ...s, csrf: s.csrf.slice(1) + 'x' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'csrf_failed']);
    const foreign = await t.call('POST', `/waves/${t.wave.id}/close`, { session: s, headers: { origin: 'https://evil.example' } });
    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'csrf_failed']);
    // Nothing was changed by the refused requests; the right token closes the wave.
    expect((await t.call('GET', `/waves/${t.wave.id}`, { session: s })).body.status).toBe('open');
    const ok = await t.call('POST', `/waves/${t.wave.id}/close`, { session: s });
    expect([ok.status, ok.body.status]).toEqual([200, 'closed']);
  });
});

describe('audit of wave routes', () => {
  it('records invitations and a wave close with the account as actor and before/after', async () => {
    const admin = await t.signIn('admin');
    const me = (await t.call('GET', '/session', { session: admin })).body.user.id;
    const inv = await t.call('POST', `/waves/${t.wave.id}/invitations`, { session: admin, body: { count: 3 } });
    expect(inv.status).toBe(201);
    expect(inv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(inv.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = String(inv.body).trim().split(/\r\n/);
    expect(lines[0]).toBe('invitation_id,link');
    expect(lines).toHaveLength(4);
    expect((await t.call('GET', `/waves/${t.wave.id}/invitations`, { session: admin })).body).toMatchObject({ total: 3, used: 0, unused: 3 });
    await t.call('POST', `/waves/${t.wave.id}/close`, { session: admin });
    const rows = (await queryAudit(t.store.sql, { subjectType: 'wave' }, 100)).rows;
    const find = (action: string) => rows.find((r) => r.action === action);
    expect(find('invitations.create')).toMatchObject({ actor: `user:${me}`, subjectId: String(t.wave.id), after: { count: 3 } });
    expect(find('wave.close')).toMatchObject({ actor: `user:${me}`, before: { status: 'open' }, after: { status: 'closed' } });
  });
});

describe('creating and opening waves', () => {
  it('creates a closed wave for a past period, refuses a taken period and an open one while a wave is open, opens the next after a close', async () => {
    const s = await t.signIn('researcher');
    const past = await t.call('POST', '/waves', { session: s, body: { period: '2023-Q2', closed: true } });
    expect(past.status).toBe(201);
    expect(past.body).toMatchObject({ period: '2023-Q2', status: 'closed' });
    const taken = await t.call('POST', '/waves', { session: s, body: { period: '2023-Q2', closed: true } });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'period_taken']);
    expect(taken.body.error.message).toContain(`wave ${past.body.id} (closed) already has this period`);
    const whileOpen = await t.call('POST', '/waves', { session: s, body: { period: '2023-Q3' } });
    expect([whileOpen.status, whileOpen.body.error.code]).toEqual([409, 'wave_open']);
    const refused = await t.call('POST', '/waves/open', { session: s, body: {} });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'wave_open']);
    expect((await t.call('POST', `/waves/${t.wave.id}/close`, { session: s })).status).toBe(200);
    const opened = await t.call('POST', '/waves/open', { session: s, body: {} });
    expect(opened.status).toBe(201);
    expect(opened.body.status).toBe('open');
    const list = (await t.call('GET', '/waves', { session: s })).body;
    // Newest first.
    expect(listOf<{ id: number; status: string }>(list.items).map((w) => [w.id, w.status])).toEqual([
      [opened.body.id, 'open'], [past.body.id, 'closed'], [t.wave.id, 'closed'],
    ]);
    const actions = (await queryAudit(t.store.sql, { subjectType: 'wave' }, 100)).rows.map((r) => r.action).reverse();
    expect(actions).toEqual(['wave.create', 'wave.close', 'wave.open']);
    const unknown = await t.call('POST', '/waves/9999/close', { session: s });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'wave_not_found']);
  });
});

describe('opening waves at the same moment', () => {
  it('opens exactly one when several researchers open the next wave at once (its quarter already has a wave: no period to collide on)', async () => {
    const s = await t.signIn('researcher');
    expect((await t.call('POST', `/waves/${t.wave.id}/close`, { session: s })).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 6 }, () => t.call('POST', '/waves/open', { session: s, body: {} })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const open = listOf<{ status: string }>((await t.call('GET', '/waves', { session: s })).body.items).filter((w) => w.status === 'open');
    expect(open).toHaveLength(1);
  });
});

describe('the wave export by engine', () => {
  it('sends the file on both engines (PostgreSQL: the export worker reads the URL) and audits the download', async () => {
    const s = await t.signIn('researcher');
    const res = await t.call('GET', `/waves/${t.wave.id}/export?format=csv`, { session: s });
    const exports = async () => (await queryAudit(t.store.sql, { subjectType: 'wave' }, 100)).rows.filter((r) => r.action === 'wave.export').length;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(String(res.body).replace(/^\uFEFF/, '').startsWith('response_id,')).toBe(true);
    expect(await exports()).toBe(1);
  });
});

