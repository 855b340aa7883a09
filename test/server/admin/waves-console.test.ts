// The console's wave routes under the account rules, over real HTTP: CSRF on closing a wave, and
// invitations and a close in the audit log under the account that made them. SQLite only until
// the waves and invitations services move to the store (decision 027, step 2; the account rules
// themselves run on both engines in auth.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAudit } from '../../../server/audit/service';
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
