// Console accounts, sessions and the login throttle (issue 8; docs/decisions/019). No express: the
// HTTP layer (server/auth/http.ts, routes.ts) and the command line (server/cli/user.ts) call these.
// Every state change appends to the audit log in the same transaction.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, type Role, type User } from '../../contract/admin-api';
import { appendAudit } from '../audit/service';
import { loginThrottle, sessions, users, type UserRow } from '../db/schema';
import { bare, type Sql } from '../db/sql';
import type { Store } from '../db/store';
import { DomainError } from '../errors';
import { checkNewPassword, dummyPasswordHash, hashPassword, newOneTimePassword, verifyPassword } from './passwords';

export const userActor = (u: { id: number }): string => `user:${u.id}`;

export function toUser(row: UserRow): User {
  return {
    id: row.id, email: row.email, role: row.role, disabled: row.disabled, mustChangePassword: row.mustChangePassword,
    createdAt: row.createdAt, lastLoginAt: row.lastLoginAt,
  };
}

const normEmail = (e: string) => e.trim().toLowerCase();

// Booleans: 0/1 in SQLite, boolean in PostgreSQL; written as 0/1 (both take it), read through Boolean().
const flag = (b: boolean) => (b ? 1 : 0);

const USER_COLUMNS = sql`${users.id} AS "id", ${users.email} AS "email", ${users.role} AS "role", ${users.passwordHash} AS "passwordHash",
  ${users.mustChangePassword} AS "mustChangePassword", ${users.disabled} AS "disabled", ${users.createdAt} AS "createdAt", ${users.lastLoginAt} AS "lastLoginAt"`;

type StoredUser = Omit<UserRow, 'mustChangePassword' | 'disabled'> & { mustChangePassword: number | boolean; disabled: number | boolean };
const toUserRow = (r: StoredUser): UserRow => ({ ...r, mustChangePassword: Boolean(r.mustChangePassword), disabled: Boolean(r.disabled) });
const userOrUndefined = (r: StoredUser | undefined) => (r ? toUserRow(r) : undefined);

export async function findUserByEmail(db: Sql, email: string): Promise<UserRow | undefined> {
  return userOrUndefined(await db.get<StoredUser>(sql`SELECT ${USER_COLUMNS} FROM ${users} WHERE ${users.email} = ${normEmail(email)}`));
}
export async function findUser(db: Sql, id: number): Promise<UserRow | undefined> {
  return userOrUndefined(await db.get<StoredUser>(sql`SELECT ${USER_COLUMNS} FROM ${users} WHERE ${users.id} = ${id}`));
}
export async function requireUser(db: Sql, id: number): Promise<UserRow> {
  const u = await findUser(db, id);
  if (!u) throw new DomainError('not_found', 'user_not_found', `There is no console account ${id}.`);
  return u;
}
export async function listUsers(db: Sql): Promise<UserRow[]> {
  return (await db.all<StoredUser>(sql`SELECT ${USER_COLUMNS} FROM ${users} ORDER BY ${users.id}`)).map(toUserRow);
}

async function updateUserRow(tx: Sql, id: number, set: SQL): Promise<UserRow> {
  const row = await tx.get<StoredUser>(sql`UPDATE ${users} SET ${set} WHERE ${users.id} = ${id} RETURNING ${USER_COLUMNS}`);
  return toUserRow(row!);
}

/**
 * Creates an account with a one-time password (to be changed at first sign-in); returns it once.
 * @throws DomainError conflict email_taken
 */
export async function createUser(store: Store, email: string, role: Role, actor: string, now = new Date()): Promise<{ user: UserRow; oneTimePassword: string }> {
  const address = normEmail(email);
  const oneTimePassword = newOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return store.write(async (tx) => {
    if (await findUserByEmail(tx, address)) throw new DomainError('conflict', 'email_taken', `An account for ${address} exists already; reset its password instead.`);
    const row = await tx.get<StoredUser>(sql`INSERT INTO ${users} (${bare(users.email)}, ${bare(users.role)}, ${bare(users.passwordHash)}, ${bare(users.mustChangePassword)}, ${bare(users.disabled)}, ${bare(users.createdAt)})
      VALUES (${address}, ${role}, ${passwordHash}, ${flag(true)}, ${flag(false)}, ${now.toISOString()}) RETURNING ${USER_COLUMNS}`);
    const user = toUserRow(row!);
    await appendAudit(tx, { actor, action: 'user.create', subjectType: 'user', subjectId: user.id, after: { email: address, role } }, now);
    return { user, oneTimePassword };
  });
}

/** A new one-time password for an account; ends all its sessions. */
export async function resetPassword(store: Store, id: number, actor: string, now = new Date()): Promise<{ user: UserRow; oneTimePassword: string }> {
  const oneTimePassword = newOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return store.write(async (tx) => {
    await requireUser(tx, id);
    const user = await updateUserRow(tx, id, sql`${bare(users.passwordHash)} = ${passwordHash}, ${bare(users.mustChangePassword)} = ${flag(true)}`);
    await tx.run(sql`DELETE FROM ${sessions} WHERE ${sessions.userId} = ${id}`);
    await appendAudit(tx, { actor, action: 'user.reset_password', subjectType: 'user', subjectId: id, after: { email: user.email, mustChangePassword: true } }, now);
    return { user, oneTimePassword };
  });
}

async function activeAdmins(db: Sql, except: number): Promise<number> {
  const row = await db.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${users} WHERE ${users.role} = 'admin' AND ${users.disabled} = ${flag(false)} AND ${users.id} <> ${except}`);
  return row!.n;
}

/** Changes an account's role and/or disables it (a disabled account's sessions end). */
export async function updateUser(store: Store, id: number, change: { role?: Role; disabled?: boolean }, actor: string, now = new Date()): Promise<UserRow> {
  return store.write(async (tx) => {
    const before = await requireUser(tx, id);
    const role = change.role ?? before.role;
    const disabled = change.disabled ?? before.disabled;
    if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled) && await activeAdmins(tx, id) === 0) {
      throw new DomainError('conflict', 'last_admin', `${before.email} is the only active admin; make another account admin first.`);
    }
    const after = await updateUserRow(tx, id, sql`${bare(users.role)} = ${role}, ${bare(users.disabled)} = ${flag(disabled)}`);
    if (disabled || role !== before.role) await tx.run(sql`DELETE FROM ${sessions} WHERE ${sessions.userId} = ${id}`);
    await appendAudit(tx, {
      actor, action: role !== before.role ? 'user.role' : 'user.update', subjectType: 'user', subjectId: id,
      before: { role: before.role, disabled: before.disabled }, after: { role, disabled },
    }, now);
    return after;
  });
}

// --- Sessions --------------------------------------------------------------------------------------
// In the database, so a session and its CSRF token hold on every app server of one database.

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface SessionInfo {
  user: UserRow;
  csrfToken: string;
  expiresAt: string;
  tokenHash: string;
}

/** Starts a new session for `user` (a new id at every sign-in) inside the write `tx`; returns the cookie's token. */
export async function startSession(tx: Sql, user: UserRow, now: Date): Promise<{ token: string; info: SessionInfo }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const tokenHash = sha256(token);
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString();
  await tx.run(sql`INSERT INTO ${sessions} (${bare(sessions.tokenHash)}, ${bare(sessions.userId)}, ${bare(sessions.csrfToken)}, ${bare(sessions.createdAt)}, ${bare(sessions.lastSeenAt)}, ${bare(sessions.expiresAt)})
    VALUES (${tokenHash}, ${user.id}, ${csrfToken}, ${now.toISOString()}, ${now.toISOString()}, ${expiresAt})`);
  return { token, info: { user, csrfToken, expiresAt, tokenHash } };
}

/**
 * The session of a cookie token, or null when there is none, it idled 30 min, passed its absolute
 * 12 h, or its account is disabled (an expired one is deleted). Touches `lastSeenAt`. One read on
 * most requests; a write only to delete an ended session or to touch it (at most once a minute).
 */
export async function resumeSession(store: Store, token: string, now: Date): Promise<SessionInfo | null> {
  const tokenHash = sha256(token);
  // The session and its account in one read.
  const s = await store.sql.get<StoredUser & { sessionCsrf: string; lastSeenAt: string; expiresAt: string }>(sql`SELECT ${USER_COLUMNS}, ${sessions.csrfToken} AS "sessionCsrf",
    ${sessions.lastSeenAt} AS "lastSeenAt", ${sessions.expiresAt} AS "expiresAt"
    FROM ${sessions} JOIN ${users} ON ${users.id} = ${sessions.userId} WHERE ${sessions.tokenHash} = ${tokenHash}`);
  if (!s) return null;
  const t = now.getTime();
  const { sessionCsrf: csrfToken, lastSeenAt, expiresAt, ...account } = s;
  const user = toUserRow(account);
  if (user.disabled || t >= Date.parse(expiresAt) || t - Date.parse(lastSeenAt) >= SESSION_IDLE_MS) {
    await store.write((tx) => tx.run(sql`DELETE FROM ${sessions} WHERE ${sessions.tokenHash} = ${tokenHash}`));
    return null;
  }
  // Written at most once a minute: a page's burst of requests does not each write.
  if (t - Date.parse(lastSeenAt) >= 60_000) {
    await store.write((tx) => tx.run(sql`UPDATE ${sessions} SET ${bare(sessions.lastSeenAt)} = ${now.toISOString()} WHERE ${sessions.tokenHash} = ${tokenHash}`));
  }
  return { user, csrfToken, expiresAt, tokenHash };
}

/** Ends a session inside the write `tx` (audited when there was one). */
export async function endSessionIn(tx: Sql, tokenHash: string, actor: string, now: Date): Promise<void> {
  const s = await tx.get<{ userId: number }>(sql`DELETE FROM ${sessions} WHERE ${sessions.tokenHash} = ${tokenHash} RETURNING ${sessions.userId} AS "userId"`);
  if (s) await appendAudit(tx, { actor, action: 'auth.logout', subjectType: 'user', subjectId: s.userId }, now);
}

export async function endSession(store: Store, tokenHash: string, actor: string, now: Date): Promise<void> {
  await store.write((tx) => endSessionIn(tx, tokenHash, actor, now));
}

/** Deletes expired sessions inside the write `tx` (done now and then; expired ones are refused anyway). */
export async function purgeSessions(tx: Sql, now: Date): Promise<void> {
  await tx.run(sql`DELETE FROM ${sessions} WHERE ${sessions.expiresAt} < ${now.toISOString()}`);
  await tx.run(sql`DELETE FROM ${sessions} WHERE ${sessions.lastSeenAt} < ${new Date(now.getTime() - SESSION_IDLE_MS).toISOString()}`);
}

// --- Login and its throttle ---------------------------------------------------------------------------

/** Failures allowed per account before delays start; each further failure doubles the delay. */
export const THROTTLE_FREE_TRIES = 5;
/**
 * Failures allowed per address: more than per account, because an institute's staff may share one
 * address behind NAT; one address guessing many accounts is still slowed after 20.
 */
export const THROTTLE_FREE_TRIES_PER_ADDRESS = 20;
export const THROTTLE_BASE_DELAY_MS = 1000;
export const THROTTLE_MAX_DELAY_MS = 15 * 60 * 1000;

/** The delay after `failures` failures: none for the first `free` (5), then 1 s, 2 s, 4 s … up to 15 min. */
export function throttleDelayMs(failures: number, free = THROTTLE_FREE_TRIES): number {
  if (failures < free) return 0;
  return Math.min(THROTTLE_MAX_DELAY_MS, THROTTLE_BASE_DELAY_MS * 2 ** (failures - free));
}

const throttleKeys = (email: string, address: string) => [`account:${normEmail(email)}`, `address:${address}`];

type ThrottleRow = { key: string; failures: number; blockedUntil: string | null };

/**
 * The throttle rows of `keys`. `lock` (inside a write): on PostgreSQL the rows are locked until the
 * write ends, so two servers counting a failure of one key at once count both (SQLite's single
 * writer serialises them anyway).
 */
async function throttleRows(db: Sql, keys: string[], lock = false): Promise<Map<string, ThrottleRow>> {
  const forUpdate = lock && db.dialect === 'postgres' ? sql` FOR UPDATE` : sql``;
  const rows = await db.all<ThrottleRow>(sql`SELECT ${loginThrottle.key} AS "key", ${loginThrottle.failures} AS "failures", ${loginThrottle.blockedUntil} AS "blockedUntil"
    FROM ${loginThrottle} WHERE ${loginThrottle.key} IN (${sql.join(keys.map((k) => sql`${k}`), sql`, `)})${forUpdate}`);
  return new Map(rows.map((r) => [r.key, r]));
}

/** Seconds to wait before another attempt may be checked (0 = go ahead). */
async function blockedFor(db: Sql, keys: string[], now: Date): Promise<number> {
  let until = 0;
  for (const row of (await throttleRows(db, keys)).values()) {
    if (row.blockedUntil) until = Math.max(until, Date.parse(row.blockedUntil));
  }
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

async function recordFailure(tx: Sql, keys: string[], now: Date): Promise<void> {
  const stored = await throttleRows(tx, keys, true);
  for (const key of keys) {
    const failures = (stored.get(key)?.failures ?? 0) + 1;
    const delay = throttleDelayMs(failures, key.startsWith('address:') ? THROTTLE_FREE_TRIES_PER_ADDRESS : THROTTLE_FREE_TRIES);
    const blockedUntil = delay ? new Date(now.getTime() + delay).toISOString() : null;
    // One statement whether the key has a row or not (a key's first failure on two servers at
    // once may count once: the counter errs towards fewer delays, never a refused write).
    await tx.run(sql`INSERT INTO ${loginThrottle} (${bare(loginThrottle.key)}, ${bare(loginThrottle.failures)}, ${bare(loginThrottle.lastFailureAt)}, ${bare(loginThrottle.blockedUntil)})
      VALUES (${key}, ${failures}, ${now.toISOString()}, ${blockedUntil})
      ON CONFLICT (${bare(loginThrottle.key)}) DO UPDATE SET ${bare(loginThrottle.failures)} = excluded.${bare(loginThrottle.failures)}, ${bare(loginThrottle.lastFailureAt)} = excluded.${bare(loginThrottle.lastFailureAt)}, ${bare(loginThrottle.blockedUntil)} = excluded.${bare(loginThrottle.blockedUntil)}`);
  }
}

export interface LoginOptions {
  /** The session this browser had: ended by the attempt (a new id at every sign-in). */
  replacing?: { tokenHash: string; actor: string };
  /** Also delete expired sessions. */
  purge?: boolean;
}

export type LoginResult = { ok: true; token: string; info: SessionInfo } | { ok: false; retryAfterSeconds?: number };

/**
 * Checks e-mail and password, throttled per account (5 failures) and per address (20), then each
 * further attempt waits 1 s, 2 s, 4 s … (stored in the database, so a restart does not reset it).
 * A wrong password, an unknown account and a disabled one get the same answer, after the same work.
 * A success clears the account's counter and starts a new session.
 */
export async function login(store: Store, email: string, password: string, address: string, now: Date, o: LoginOptions = {}): Promise<LoginResult> {
  const keys = throttleKeys(email, address);
  // What the attempt's one write does first, whatever its outcome.
  const before = async (tx: Sql) => {
    if (o.replacing) await endSessionIn(tx, o.replacing.tokenHash, o.replacing.actor, now);
    if (o.purge) await purgeSessions(tx, now);
  };
  const wait = await blockedFor(store.sql, keys, now);
  if (wait > 0) {
    await store.write(async (tx) => {
      await before(tx);
      await appendAudit(tx, { actor: `address:${address}`, action: 'auth.login_throttled', subjectType: 'user', subjectId: null, after: { email: normEmail(email) } }, now);
    });
    return { ok: false, retryAfterSeconds: wait };
  }
  const user = await findUserByEmail(store.sql, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? await dummyPasswordHash());
  return store.write(async (tx): Promise<LoginResult> => {
    await before(tx);
    if (!user || !ok || user.disabled) {
      await recordFailure(tx, keys, now);
      await appendAudit(tx, { actor: `address:${address}`, action: 'auth.login_failed', subjectType: 'user', subjectId: user?.id ?? null, after: { email: normEmail(email) } }, now);
      return { ok: false };
    }
    await tx.run(sql`DELETE FROM ${loginThrottle} WHERE ${loginThrottle.key} = ${keys[0]!}`);
    const fresh = await updateUserRow(tx, user.id, sql`${bare(users.lastLoginAt)} = ${now.toISOString()}`);
    const started = await startSession(tx, fresh, now);
    await appendAudit(tx, { actor: userActor(user), action: 'auth.login', subjectType: 'user', subjectId: user.id, after: { address } }, now);
    return { ok: true, ...started };
  });
}

/**
 * Changes the signed-in account's own password (which ends its other sessions and clears the
 * one-time flag) and gives the browser a new session in place of this one (a new id after the
 * change), all in one write. @throws DomainError invalid_credentials (current password wrong), weak_password, same_password
 */
export async function changePassword(store: Store, session: SessionInfo, current: string, next: string, now: Date): Promise<{ user: UserRow; token: string; info: SessionInfo }> {
  const user = await requireUser(store.sql, session.user.id);
  if (!(await verifyPassword(current, user.passwordHash))) throw new DomainError('bad_usage', 'wrong_password', 'The current password is not right; enter the password you signed in with.');
  checkNewPassword(next, user.email);
  if (current === next) throw new DomainError('conflict', 'same_password', 'The new password is the same as the current one; choose a new one.');
  const passwordHash = await hashPassword(next);
  return store.write(async (tx) => {
    const after = await updateUserRow(tx, user.id, sql`${bare(users.passwordHash)} = ${passwordHash}, ${bare(users.mustChangePassword)} = ${flag(false)}`);
    await tx.run(sql`DELETE FROM ${sessions} WHERE ${sessions.userId} = ${user.id} AND ${sessions.tokenHash} <> ${session.tokenHash}`);
    await appendAudit(tx, { actor: userActor(user), action: 'user.password_change', subjectType: 'user', subjectId: user.id, before: { mustChangePassword: user.mustChangePassword }, after: { mustChangePassword: false } }, now);
    await endSessionIn(tx, session.tokenHash, userActor(user), now);
    return { user: after, ...await startSession(tx, after, now) };
  });
}
