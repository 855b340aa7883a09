// `kelisim user create` and `user reset-password` as real processes against the database of a
// running app (the SQLite file, or the PostgreSQL URL with KELISIM_TEST_DB=postgres): the printed
// one-time password signs in, must be changed, and a reset replaces it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAudit } from '../../../server/audit/service';
import { textOf } from '../../helpers/app';
import { runCli } from '../../helpers/spawn';
import { cookieOf, startAdminApp, type AdminTestApp } from './helpers';

let t: AdminTestApp;
beforeEach(async () => { t = await startAdminApp(); });
afterEach(async () => { await t.close(); });

const user = (args: string[]) => runCli(['user', ...args], t.cliEnv);
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
    const audit = (await queryAudit(t.store.sql, { action: 'user.create' }, 10)).rows[0];
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
