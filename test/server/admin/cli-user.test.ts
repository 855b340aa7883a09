// `kelisim user create` and `user reset-password` as real processes against the database of a
// running app: the printed one-time password signs in, must be changed, and a reset replaces it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../../server/db/schema';
import { listOf, textOf } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';
import { cookieOf, startAdminApp, type AdminTestApp } from './helpers';

let t: AdminTestApp;
let dbFile: string;
beforeEach(async () => {
  t = await startAdminApp();
  dbFile = t.db.$client.name;
});
afterEach(async () => { await t.close(); });

const user = (args: string[]) => runCli(['user', ...args], { KELISIM_DB: dbFile });
const otpOf = (stdout: string) => /one-time password[^:]*: (\S+)/.exec(stdout)?.[1];

describe('kelisim user', () => {
  it('creates the first admin with a one-time password that must be changed at first sign-in', async () => {
    const res = await user(['create', '--email', 'First.Admin@Example.kz', '--role', 'admin']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('created admin account');
    const otp = otpOf(res.stdout);
    expect(otp).toMatch(/^[\w-]{24}$/);
    const login = await t.call('POST', '/session', { body: { email: 'first.admin@example.kz', password: otp } });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ role: 'admin', mustChangePassword: true });
    const s = { cookie: cookieOf(login.headers), csrf: textOf(login.body.csrfToken) };
    expect((await t.call('GET', '/users', { session: s })).body.error.code).toBe('password_change_required');
    const audit = t.db.select().from(auditLog).all().find((a) => a.action === 'user.create');
    expect(audit?.actor).toMatch(/^cli:/);

    const dup = await user(['create', '--email', 'first.admin@example.kz', '--role', 'viewer']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('exists already');
  });

  it('resets a password: the old one stops working, the new one-time one signs in', async () => {
    const created = otpOf((await user(['create', '--email', 'r@example.kz', '--role', 'researcher'])).stdout)!;
    const reset = await user(['reset-password', '--email', 'r@example.kz']);
    expect(reset.code).toBe(0);
    const fresh = otpOf(reset.stdout)!;
    expect(fresh).not.toBe(created);
    expect((await t.call('POST', '/session', { body: { email: 'r@example.kz', password: created } })).status).toBe(401);
    expect((await t.call('POST', '/session', { body: { email: 'r@example.kz', password: fresh } })).status).toBe(200);
  });

  it('says what is wrong with a bad role, a bad e-mail or an unknown account', async () => {
    const role = await user(['create', '--email', 'x@example.kz', '--role', 'analyst']);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('--role must be one of viewer, researcher, admin');
    const email = await user(['create', '--email', 'not-an-address', '--role', 'viewer']);
    expect(email.code).toBe(2);
    expect(email.stderr).toContain('must be an e-mail address');
    const unknown = await user(['reset-password', '--email', 'nobody@example.kz']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no account for nobody@example.kz');
  });
});

describe('kelisim wave, through the console\'s service', () => {
  it('audits a close and an open from the command line; the console\'s audit view shows them', async () => {
    const env = { KELISIM_DB: dbFile };
    expect((await runCli(['wave', 'close', '--wave', String(t.wave.id)], env)).code).toBe(0);
    const opened = await runCli(['wave', 'open'], env);
    expect(opened.code).toBe(0);
    const refused = await runCli(['wave', 'open'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is still open; close it first \(wave close --wave \d+\)/);
    const s = await t.signIn('viewer');
    const log = listOf<{ action: string; actor: string }>((await t.call('GET', '/audit?subjectType=wave', { session: s })).body.items);
    expect(log.map((e) => e.action)).toEqual(['wave.open', 'wave.close']);
    expect(log[1]).toMatchObject({ subjectId: String(t.wave.id), before: { status: 'open' }, after: { status: 'closed' } });
    expect(log[0].actor).toMatch(/^cli:/);
  });
});
