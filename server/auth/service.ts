// Console accounts, sessions and the login throttle (issue 8; docs/decisions/019). No express: the
// HTTP layer (server/auth/http.ts, routes.ts) and the command line (server/cli/user.ts) call these.
// Every state change appends to the audit log in the same transaction.
import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, lt, ne } from 'drizzle-orm';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, type Role, type User } from '../../contract/admin-api';
import { appendAudit } from '../audit/service';
import type { Db, Queryable } from '../db/open';
import { loginThrottle, sessions, users, type UserRow } from '../db/schema';
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

export function findUserByEmail(db: Queryable, email: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.email, normEmail(email))).get();
}
export function findUser(db: Queryable, id: number): UserRow | undefined {
  return db.select().from(users).where(eq(users.id, id)).get();
}
export function requireUser(db: Queryable, id: number): UserRow {
  const u = findUser(db, id);
  if (!u) throw new DomainError('not_found', 'user_not_found', `There is no console account ${id}.`);
  return u;
}
export function listUsers(db: Queryable): UserRow[] {
  return db.select().from(users).orderBy(users.id).all();
}

/**
 * Creates an account with a one-time password (to be changed at first sign-in); returns it once.
 * @throws DomainError conflict email_taken
 */
export async function createUser(db: Db, email: string, role: Role, actor: string, now = new Date()): Promise<{ user: UserRow; oneTimePassword: string }> {
  const address = normEmail(email);
  const oneTimePassword = newOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return db.transaction((tx) => {
    if (findUserByEmail(tx, address)) throw new DomainError('conflict', 'email_taken', `An account for ${address} exists already; reset its password instead.`);
    const user = tx.insert(users).values({ email: address, role, passwordHash, mustChangePassword: true, disabled: false, createdAt: now.toISOString() }).returning().get();
    appendAudit(tx, { actor, action: 'user.create', subjectType: 'user', subjectId: user.id, after: { email: address, role } }, now);
    return { user, oneTimePassword };
  }, { behavior: 'immediate' });
}

/** A new one-time password for an account; ends all its sessions. */
export async function resetPassword(db: Db, id: number, actor: string, now = new Date()): Promise<{ user: UserRow; oneTimePassword: string }> {
  const oneTimePassword = newOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return db.transaction((tx) => {
    requireUser(tx, id);
    const user = tx.update(users).set({ passwordHash, mustChangePassword: true }).where(eq(users.id, id)).returning().get()!;
    tx.delete(sessions).where(eq(sessions.userId, id)).run();
    appendAudit(tx, { actor, action: 'user.reset_password', subjectType: 'user', subjectId: id, after: { email: user.email, mustChangePassword: true } }, now);
    return { user, oneTimePassword };
  }, { behavior: 'immediate' });
}

function activeAdmins(db: Queryable, except: number): number {
  return db.select({ n: count() }).from(users).where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, except))).get()!.n;
}

/** Changes an account's role and/or disables it (a disabled account's sessions end). */
export function updateUser(db: Db, id: number, change: { role?: Role; disabled?: boolean }, actor: string, now = new Date()): UserRow {
  return db.transaction((tx) => {
    const before = requireUser(tx, id);
    const role = change.role ?? before.role;
    const disabled = change.disabled ?? before.disabled;
    if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled) && activeAdmins(tx, id) === 0) {
      throw new DomainError('conflict', 'last_admin', `${before.email} is the only active admin; make another account admin first.`);
    }
    const after = tx.update(users).set({ role, disabled }).where(eq(users.id, id)).returning().get()!;
    if (disabled || role !== before.role) tx.delete(sessions).where(eq(sessions.userId, id)).run();
    appendAudit(tx, {
      actor, action: role !== before.role ? 'user.role' : 'user.update', subjectType: 'user', subjectId: id,
      before: { role: before.role, disabled: before.disabled }, after: { role, disabled },
    }, now);
    return after;
  }, { behavior: 'immediate' });
}

// --- Sessions --------------------------------------------------------------------------------------

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface SessionInfo {
  user: UserRow;
  csrfToken: string;
  expiresAt: string;
  tokenHash: string;
}

/** Starts a new session for `user` (a new id at every sign-in); returns the cookie's token. */
export function startSession(db: Queryable, user: UserRow, now: Date): { token: string; info: SessionInfo } {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const tokenHash = sha256(token);
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString();
  db.insert(sessions).values({ tokenHash, userId: user.id, csrfToken, createdAt: now.toISOString(), lastSeenAt: now.toISOString(), expiresAt }).run();
  return { token, info: { user, csrfToken, expiresAt, tokenHash } };
}

/**
 * The session of a cookie token, or null when there is none, it idled 30 min, passed its absolute
 * 12 h, or its account is disabled (an expired one is deleted). Touches `lastSeenAt`.
 */
export function resumeSession(db: Queryable, token: string, now: Date): SessionInfo | null {
  const tokenHash = sha256(token);
  const s = db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get();
  if (!s) return null;
  const t = now.getTime();
  const user = findUser(db, s.userId);
  if (!user || user.disabled || t >= Date.parse(s.expiresAt) || t - Date.parse(s.lastSeenAt) >= SESSION_IDLE_MS) {
    db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run();
    return null;
  }
  // Written at most once a minute: a page's burst of requests does not each write.
  if (t - Date.parse(s.lastSeenAt) >= 60_000) db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.tokenHash, tokenHash)).run();
  return { user, csrfToken: s.csrfToken, expiresAt: s.expiresAt, tokenHash };
}

export function endSession(db: Queryable, tokenHash: string, actor: string, now: Date): void {
  db.transaction((tx) => {
    const s = tx.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).returning().get();
    if (s) appendAudit(tx, { actor, action: 'auth.logout', subjectType: 'user', subjectId: s.userId }, now);
  }, { behavior: 'immediate' });
}

/** Deletes expired sessions (called now and then; expired ones are refused anyway). */
export function purgeSessions(db: Queryable, now: Date): void {
  db.delete(sessions).where(lt(sessions.expiresAt, now.toISOString())).run();
  db.delete(sessions).where(lt(sessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_MS).toISOString())).run();
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

/** Seconds to wait before another attempt may be checked (0 = go ahead). */
function blockedFor(db: Queryable, keys: string[], now: Date): number {
  let until = 0;
  for (const key of keys) {
    const row = db.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get();
    if (row?.blockedUntil) until = Math.max(until, Date.parse(row.blockedUntil));
  }
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

function recordFailure(db: Queryable, keys: string[], now: Date): void {
  for (const key of keys) {
    const row = db.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get();
    const failures = (row?.failures ?? 0) + 1;
    const delay = throttleDelayMs(failures, key.startsWith('address:') ? THROTTLE_FREE_TRIES_PER_ADDRESS : THROTTLE_FREE_TRIES);
    const values = { failures, lastFailureAt: now.toISOString(), blockedUntil: delay ? new Date(now.getTime() + delay).toISOString() : null };
    if (row) db.update(loginThrottle).set(values).where(eq(loginThrottle.key, key)).run();
    else db.insert(loginThrottle).values({ key, ...values }).run();
  }
}

export type LoginResult = { ok: true; token: string; info: SessionInfo } | { ok: false; retryAfterSeconds?: number };

/**
 * Checks e-mail and password, throttled per account (5 failures) and per address (20), then each
 * further attempt waits 1 s, 2 s, 4 s … (stored in the database, so a restart does not reset it).
 * A wrong password, an unknown account and a disabled one get the same answer, after the same work.
 * A success clears the account's counter and starts a new session.
 */
export async function login(db: Db, email: string, password: string, address: string, now: Date): Promise<LoginResult> {
  const keys = throttleKeys(email, address);
  const wait = blockedFor(db, keys, now);
  if (wait > 0) {
    appendAudit(db, { actor: `address:${address}`, action: 'auth.login_throttled', subjectType: 'user', subjectId: null, after: { email: normEmail(email) } }, now);
    return { ok: false, retryAfterSeconds: wait };
  }
  const user = findUserByEmail(db, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? await dummyPasswordHash());
  return db.transaction((tx) => {
    if (!user || !ok || user.disabled) {
      recordFailure(tx, keys, now);
      appendAudit(tx, { actor: `address:${address}`, action: 'auth.login_failed', subjectType: 'user', subjectId: user?.id ?? null, after: { email: normEmail(email) } }, now);
      return { ok: false } as const;
    }
    tx.delete(loginThrottle).where(eq(loginThrottle.key, keys[0]!)).run();
    const fresh = tx.update(users).set({ lastLoginAt: now.toISOString() }).where(eq(users.id, user.id)).returning().get()!;
    const started = startSession(tx, fresh, now);
    appendAudit(tx, { actor: userActor(user), action: 'auth.login', subjectType: 'user', subjectId: user.id, after: { address } }, now);
    return { ok: true, ...started } as const;
  }, { behavior: 'immediate' });
}

/**
 * Changes the signed-in account's own password (which ends its other sessions and clears the
 * one-time flag). @throws DomainError invalid_credentials (current password wrong), weak_password, same_password
 */
export async function changePassword(db: Db, session: SessionInfo, current: string, next: string, now: Date): Promise<UserRow> {
  const user = requireUser(db, session.user.id);
  if (!(await verifyPassword(current, user.passwordHash))) throw new DomainError('bad_usage', 'wrong_password', 'The current password is not right; enter the password you signed in with.');
  checkNewPassword(next, user.email);
  if (current === next) throw new DomainError('conflict', 'same_password', 'The new password is the same as the current one; choose a new one.');
  const passwordHash = await hashPassword(next);
  return db.transaction((tx) => {
    const after = tx.update(users).set({ passwordHash, mustChangePassword: false }).where(eq(users.id, user.id)).returning().get()!;
    tx.delete(sessions).where(and(eq(sessions.userId, user.id), ne(sessions.tokenHash, session.tokenHash))).run();
    appendAudit(tx, { actor: userActor(user), action: 'user.password_change', subjectType: 'user', subjectId: user.id, before: { mustChangePassword: user.mustChangePassword }, after: { mustChangePassword: false } }, now);
    return after;
  }, { behavior: 'immediate' });
}
