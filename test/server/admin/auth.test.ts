// Sign-in, sessions, CSRF and the login throttle of the console API, over real HTTP and the test's
// database (SQLite, or PostgreSQL with KELISIM_TEST_DB=postgres) with an injected clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../../contract/admin-api';
import { queryAudit } from '../../../server/audit/service';
import { auditLog, sessions } from '../../../server/db/schema';
import { sha256 } from '../../../server/auth/service';
import { listOf, numberOf, textOf } from '../../helpers/app';
import { cookieOf, PASSWORD, startAdminApp, type AdminTestApp } from './helpers';

let t: AdminTestApp;
beforeEach(async () => { t = await startAdminApp(); });
afterEach(async () => { await t.close(); });

/** Every action in the audit log, newest first. */
const actions = async () => (await queryAudit(t.store.sql, {}, 10_000)).rows.map((a) => a.action);

describe('sessions', () => {
  it('sets an HttpOnly, SameSite=Lax cookie (not Secure over plain HTTP), stores only its SHA-256, and gives a new id at every sign-in', async () => {
    await t.signIn('viewer', 'v@example.kz');
    const a = await t.call('POST', '/session', { body: { email: 'v@example.kz', password: PASSWORD } });
    const b = await t.call('POST', '/session', { body: { email: 'v@example.kz', password: PASSWORD } });
    const raw = a.headers.getSetCookie()[0]!;
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/SameSite=Lax/);
    expect(raw).not.toMatch(/Secure/);
    const tokenA = cookieOf(a.headers).split('=')[1]!;
    const tokenB = cookieOf(b.headers).split('=')[1]!;
    expect(tokenA).not.toBe(tokenB);
    const stored = (await t.store.sql.all<{ tokenHash: string }>(sql`SELECT ${sessions.tokenHash} AS "tokenHash" FROM ${sessions}`)).map((s) => s.tokenHash);
    expect(stored).toContain(sha256(decodeURIComponent(tokenA)));
    expect(stored).not.toContain(tokenA);
    expect(a.body.user.email).toBe('v@example.kz');
    expect(a.body.csrfToken).toMatch(/^[\w-]{40,}$/);
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy (and only then)', async () => {
    await t.signIn('viewer', 'p@example.kz');
    const viaProxy = { 'x-forwarded-proto': 'https' };
    // Without `trust proxy` the forwarded header is not believed.
    const plain = await t.call('POST', '/session', { body: { email: 'p@example.kz', password: PASSWORD }, headers: viaProxy });
    expect(plain.headers.getSetCookie()[0]).not.toMatch(/Secure/);
    const behind = await startAdminApp({ trustProxy: 1 });
    try {
      await behind.signIn('viewer', 'p@example.kz');
      const origin = behind.baseUrl.replace('http:', 'https:');
      const res = await behind.call('POST', '/session', { body: { email: 'p@example.kz', password: PASSWORD }, headers: { ...viaProxy, origin } });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()[0]).toMatch(/; Secure/);
    } finally {
      await behind.close();
    }
  });

  it('ends a session after 30 minutes idle, and after 12 hours however active', async () => {
    const s = await t.signIn('viewer');
    t.clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await t.call('GET', '/session', { session: s })).status).toBe(200);
    t.clock.advance(SESSION_IDLE_MS - 60_000); // active a minute before each idle limit: still in
    expect((await t.call('GET', '/session', { session: s })).status).toBe(200);
    t.clock.advance(SESSION_IDLE_MS);
    const idle = await t.call('GET', '/session', { session: s });
    expect(idle.status).toBe(401);
    expect(idle.body.error.code).toBe('unauthenticated');

    const s2 = await t.signIn('viewer');
    for (let spent = 0; spent < SESSION_ABSOLUTE_MS - 20 * 60_000; spent += 20 * 60_000) {
      t.clock.advance(20 * 60_000);
      expect((await t.call('GET', '/session', { session: s2 })).status).toBe(200);
    }
    t.clock.advance(20 * 60_000);
    expect((await t.call('GET', '/session', { session: s2 })).status).toBe(401);
  });

  it('logout really ends the session: the same cookie is refused afterwards', async () => {
    const s = await t.signIn('researcher');
    expect((await t.call('DELETE', '/session', { session: s })).status).toBe(204);
    expect((await t.call('GET', '/waves', { session: s })).status).toBe(401);
    expect(await actions()).toContain('auth.logout');
  });

  it('a one-time password allows only the password change, which then lets the account in', async () => {
    const res = await t.call('POST', '/users', { session: await t.signIn('admin'), body: { email: 'new@example.kz', role: 'researcher' } });
    expect(res.status).toBe(201);
    const otp = textOf(res.body.oneTimePassword);
    const login = await t.call('POST', '/session', { body: { email: 'new@example.kz', password: otp } });
    expect(login.status).toBe(200);
    expect(login.body.user.mustChangePassword).toBe(true);
    const s = { cookie: cookieOf(login.headers), csrf: textOf(login.body.csrfToken) };
    const blocked = await t.call('GET', '/waves', { session: s });
    expect([blocked.status, blocked.body.error.code]).toEqual([403, 'password_change_required']);
    const weak = await t.call('POST', '/password', { session: s, body: { currentPassword: otp, newPassword: 'password1234' } });
    expect([weak.status, weak.body.error.code]).toEqual([422, 'weak_password']);
    const common = await t.call('POST', '/password', { session: s, body: { currentPassword: otp, newPassword: 'Password2026!!' } });
    expect([common.status, common.body.error.code]).toEqual([422, 'weak_password']);
    const short = await t.call('POST', '/password', { session: s, body: { currentPassword: otp, newPassword: 'short one' } });
    expect(short.status).toBe(422);
    const ok = await t.call('POST', '/password', { session: s, body: { currentPassword: otp, newPassword: 'steppe wind over the lake' } });
    expect(ok.status).toBe(200);
    expect(ok.body.user.mustChangePassword).toBe(false);
    // The change gives a new session id; the old cookie is over.
    expect((await t.call('GET', '/session', { session: s })).status).toBe(401);
    const s2 = { cookie: cookieOf(ok.headers), csrf: textOf(ok.body.csrfToken) };
    expect((await t.call('GET', '/audit', { session: s2 })).status).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request without the token, with a wrong one, or from another origin', async () => {
    const s = await t.signIn('admin');
    const created = await t.call('POST', '/users', { session: s, body: { email: 'csrf@example.kz', role: 'viewer' } });
    const id = numberOf(created.body.user.id);
    const change = { role: 'researcher' };
    const none = await t.call('PATCH', `/users/${id}`, { session: s, body: change, csrf: false });
    expect([none.status, none.body.error.code]).toEqual([403, 'csrf_failed']);
    const wrong = await t.call('PATCH', `/users/${id}`, { session: { ...s, csrf: s.csrf.slice(1) + 'x' }, body: change });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'csrf_failed']);
    const foreign = await t.call('PATCH', `/users/${id}`, { session: s, body: change, headers: { origin: 'https://evil.example' } });
    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'csrf_failed']);
    const login = await t.call('POST', '/session', { body: { email: 'x@example.kz', password: 'whatever' }, headers: { origin: 'https://evil.example' } });
    expect([login.status, login.body.error.code]).toEqual([403, 'csrf_failed']);
    // Nothing was changed by the refused requests; the right token changes the role.
    const listed = async () => listOf<{ id: number; role: string }>((await t.call('GET', '/users', { session: s })).body.items).find((u) => u.id === id)!;
    expect((await listed()).role).toBe('viewer');
    const ok = await t.call('PATCH', `/users/${id}`, { session: s, body: change });
    expect([ok.status, ok.body.role]).toEqual([200, 'researcher']);
    expect((await listed()).role).toBe('researcher');
  });

  it('holds on another app server of the same database: a session and its token signed in on one are valid on the other', async () => {
    const { createApp } = await import('../../../server/app');
    const s = await t.signIn('admin');
    const other = createApp({ ...t.appDeps, config: { bodyLimitBytes: 1024, staticDir: '/nonexistent' }, clock: () => t.clock.now });
    const server = await new Promise<import('node:http').Server>((resolve) => { const x = other.listen(0, '127.0.0.1', () => resolve(x)); });
    try {
      const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
      const me = await fetch(`${base}/api/admin/session`, { headers: { cookie: s.cookie } });
      expect(me.status).toBe(200);
      const post = (csrf: string) => fetch(`${base}/api/admin/users`, { method: 'POST', headers: { cookie: s.cookie, origin: base, 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ email: 'second@example.kz', role: 'viewer' }) });
      expect((await post('not the token')).status).toBe(403);
      expect((await post(s.csrf)).status).toBe(201);
      // Signed out on the second server: refused on the first.
      expect((await fetch(`${base}/api/admin/session`, { method: 'DELETE', headers: { cookie: s.cookie, origin: base, 'x-csrf-token': s.csrf } })).status).toBe(204);
      expect((await t.call('GET', '/session', { session: s })).status).toBe(401);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('media types', () => {
  it('takes files only on the upload routes, JSON everywhere else', async () => {
    const s = await t.signIn('researcher');
    const csvToJson = await t.call('POST', '/waves', { session: s, body: 'period\n2025-Q1\n', headers: { 'content-type': 'text/csv' } });
    expect([csvToJson.status, csvToJson.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const jsonToUpload = await t.call('POST', `/waves/${t.wave.id}/imports`, { session: s, body: { rows: [] } });
    expect([jsonToUpload.status, jsonToUpload.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const empty = await t.call('POST', `/waves/${t.wave.id}/imports`, { session: s, body: '', headers: { 'content-type': 'text/csv' } });
    expect(empty.status).toBe(422);
  });
});

describe('login throttle', () => {
  it('answers a wrong password and an unknown account alike, and after 5 failures makes every attempt wait, doubling', async () => {
    await t.signIn('admin', 'boss@example.kz');
    const wrong = await t.call('POST', '/session', { body: { email: 'boss@example.kz', password: 'not it at all' } });
    const unknown = await t.call('POST', '/session', { body: { email: 'nobody@example.kz', password: 'not it at all' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    for (let i = 0; i < 4; i++) expect((await t.call('POST', '/session', { body: { email: 'boss@example.kz', password: `wrong ${i}` } })).status).toBe(401);
    // 5 failures for the account: now even the right password waits.
    const blocked = await t.call('POST', '/session', { body: { email: 'boss@example.kz', password: PASSWORD } });
    expect([blocked.status, blocked.body.error.code]).toEqual([429, 'too_many_attempts']);
    const first = Number(blocked.headers.get('retry-after'));
    expect(first).toBeGreaterThanOrEqual(1);
    t.clock.advance(first * 1000);
    expect((await t.call('POST', '/session', { body: { email: 'boss@example.kz', password: 'wrong again' } })).status).toBe(401);
    const again = await t.call('POST', '/session', { body: { email: 'boss@example.kz', password: PASSWORD } });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(first);
    // The state is in the database (a restart does not reset it); after the wait the right password works.
    t.clock.advance(Number(again.headers.get('retry-after')) * 1000);
    expect((await t.call('POST', '/session', { body: { email: 'boss@example.kz', password: PASSWORD } })).status).toBe(200);
    const log = await actions();
    expect(log.filter((a) => a === 'auth.login_failed').length).toBe(7);
    expect(log).toContain('auth.login_throttled');
  });

  it('throttles per address too: after 20 failures on any accounts from one address', async () => {
    for (let i = 0; i < 20; i++) await t.call('POST', '/session', { body: { email: `guess${i}@example.kz`, password: 'some password' } });
    const res = await t.call('POST', '/session', { body: { email: 'fresh@example.kz', password: 'some password' } });
    expect(res.status).toBe(429);
  });
});

describe('audit', () => {
  it('records sign-ins, failed sign-ins, account and role changes with actor and before/after, and the view filters and pages them', async () => {
    const admin = await t.signIn('admin', 'a@example.kz');
    await t.call('POST', '/session', { body: { email: 'a@example.kz', password: 'wrong password!!' } });
    const created = await t.call('POST', '/users', { session: admin, body: { email: 'r@example.kz', role: 'viewer' } });
    const id = numberOf(created.body.user.id);
    expect((await t.call('PATCH', `/users/${id}`, { session: admin, body: { role: 'researcher' } })).body.role).toBe('researcher');
    const rows = (await queryAudit(t.store.sql, {}, 10_000)).rows.reverse();
    const adminId = rows.find((r) => r.action === 'auth.login')!.actor;
    const find = (action: string) => rows.filter((r) => r.action === action).at(-1);
    expect(find('auth.login')?.actor).toBe(adminId);
    expect(find('auth.login_failed')?.after).toEqual({ email: 'a@example.kz' });
    expect(find('user.create')).toMatchObject({ actor: adminId, subjectId: String(id), after: { email: 'r@example.kz', role: 'viewer' } });
    expect(find('user.role')).toMatchObject({ actor: adminId, before: { role: 'viewer', disabled: false }, after: { role: 'researcher', disabled: false } });
    // The console's audit view filters and pages them.
    const page = await t.call('GET', '/audit?action=user.&limit=1', { session: admin });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].action).toBe('user.role');
    const next = await t.call('GET', `/audit?action=user.&limit=1&cursor=${page.body.nextCursor}`, { session: admin });
    expect(next.body.items[0].action).toBe('user.create');
    expect(next.body.items[0].after).toEqual({ email: 'r@example.kz', role: 'viewer' });
    // The rest: the test's own creation of the admin, and no further page.
    const rest = await t.call('GET', `/audit?action=user.&cursor=${next.body.nextCursor}`, { session: admin });
    expect(listOf<{ action: string; after: unknown }>(rest.body.items).map((e) => [e.action, e.after])).toEqual([['user.create', { email: 'a@example.kz', role: 'admin' }]]);
    expect(rest.body.nextCursor).toBeNull();
    // A prefix is a prefix, in either engine's text rules: 'User.' and 'user' match nothing.
    expect((await t.call('GET', '/audit?action=User.', { session: admin })).body.items).toEqual([]);
    expect((await t.call('GET', '/audit?action=user', { session: admin })).body.items).toEqual([]);
    const byActor = await t.call('GET', `/audit?actor=${encodeURIComponent(adminId)}&subjectType=user&subjectId=${id}`, { session: admin });
    expect(listOf<{ action: string }>(byActor.body.items).map((e) => e.action)).toEqual(['user.role', 'user.create']);
    // And it cannot be rewritten.
    await expect(t.store.write((tx) => tx.run(sql`UPDATE ${auditLog} SET actor = 'someone else'`))).rejects.toThrow(/append-only/);
  });

  it('refuses to demote or disable the last active admin', async () => {
    const admin = await t.signIn('admin', 'only@example.kz');
    const me = (await t.call('GET', '/session', { session: admin })).body.user.id;
    const res = await t.call('PATCH', `/users/${me}`, { session: admin, body: { disabled: true } });
    expect([res.status, res.body.error.code]).toEqual([409, 'last_admin']);
  });
});

describe('an authenticated feature of its own', () => {
  it('refuses a signed-in account below the feature\'s role with 403, lets it in at or above', async () => {
    const { Router } = await import('express');
    const path = await import('node:path');
    const { createApp } = await import('../../../server/app');
    const { FEATURES } = await import('../../../server/features');
    const probe = { name: 'probe', path: '/probe', access: { kind: 'authenticated', role: 'researcher' }, cache: 'no-store', router: () => Router().get('/', (_q, r) => { r.json({ ok: true }); }) } as const;
    const app = createApp({ ...t.appDeps, config: { bodyLimitBytes: 1024, staticDir: path.join('/nonexistent') }, features: [...FEATURES, probe], clock: () => t.clock.now });
    const server = await new Promise<import('node:http').Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/api/probe`;
      const viewer = await t.signIn('viewer');
      const researcher = await t.signIn('researcher');
      expect((await fetch(url)).status).toBe(401);
      const low = await fetch(url, { headers: { cookie: viewer.cookie } });
      expect([low.status, ((await low.json()) as { error: { code: string } }).error.code]).toEqual([403, 'forbidden']);
      expect((await fetch(url, { headers: { cookie: researcher.cookie } })).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
