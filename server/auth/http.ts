// The console's HTTP side of sessions (docs/decisions/019): the session cookie, the feature guard
// (401 for anonymous), the per-route role check (403), CSRF (synchronizer token in a header, plus
// an Origin check) on every state-changing request. The rules themselves are in service.ts.
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { CSRF_HEADER, roleAtLeast, SESSION_ABSOLUTE_MS, SESSION_COOKIE, type Role, type RouteAccess } from '../../contract/admin-api';
import type { Store } from '../db/store';
import { HttpError } from '../http/errors';
import { resumeSession, type SessionInfo } from './service';

export type Clock = () => Date;

/** What the auth middleware leaves in res.locals.auth. */
export interface AuthState {
  session: SessionInfo | null;
}

export function authOf(res: Response): SessionInfo | null {
  return (res.locals.auth as AuthState | undefined)?.session ?? null;
}

/** The session of a signed-in request (routes guarded by `requireAccess`). */
export function sessionOf(res: Response): SessionInfo {
  const s = authOf(res);
  if (!s) throw new HttpError(401, 'unauthenticated', 'Sign in to the console first.');
  return s;
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      try { return decodeURIComponent(v); } catch { return undefined; }
    }
  }
  return undefined;
}

/** HttpOnly; SameSite=Lax; Path=/api/admin; Secure when the request came over HTTPS (req.secure honours `trust proxy`). */
export function setSessionCookie(req: Request, res: Response, token: string): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/api/admin', maxAge: SESSION_ABSOLUTE_MS });
}
export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/api/admin' });
}

/**
 * The guard of an `authenticated` feature: resumes the session from the cookie and answers 401
 * `unauthenticated` when there is none, 403 `forbidden` when its role is below the feature's,
 * except on the `open` routes (the login).
 */
export function authenticate(store: Store, clock: Clock, role: Role, open: readonly { method: string; path: string }[] = []): RequestHandler {
  return (req, res, next) => {
    const token = readCookie(req, SESSION_COOKIE);
    const resumed = token ? resumeSession(store, token, clock()) : Promise.resolve(null);
    resumed.then((session) => {
      res.locals.auth = { session } satisfies AuthState;
      if (open.some((o) => o.method === req.method && o.path === req.path)) return next();
      // The feature's minimum role; its routes may ask more (checkAccess).
      if (session && !roleAtLeast(session.user.role, role)) return next(new HttpError(403, 'forbidden', `This needs the ${role} role or above; your account is ${session.user.role}.`));
      if (session) return next();
      if (token) clearSessionCookie(req, res);
      next(new HttpError(401, 'unauthenticated', 'Sign in to the console first (your session may have ended after 30 minutes idle or 12 hours).'));
    }, next);
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origins a state-changing request may come from: this server as the browser sees it, and the configured public URL. */
function originAllowed(req: Request, publicOrigin: string | undefined): boolean {
  const origin = req.get('origin') ?? (req.get('referer') ? safeOrigin(req.get('referer')!) : undefined);
  // No Origin and no Referer: not a browser's cross-site request (browsers send Origin on every
  // non-GET fetch); the CSRF token still has to match.
  if (origin === undefined) return req.get('sec-fetch-site') === undefined || req.get('sec-fetch-site') === 'same-origin';
  const own = `${req.protocol}://${req.get('host')}`;
  return origin === own || (publicOrigin !== undefined && origin === publicOrigin);
}
function safeOrigin(url: string): string | undefined {
  try { return new URL(url).origin; } catch { return undefined; }
}

/** Origin check for every state-changing request (the login too). */
export function checkOrigin(req: Request, publicOrigin: string | undefined): void {
  if (SAFE.has(req.method)) return;
  if (!originAllowed(req, publicOrigin)) throw new HttpError(403, 'csrf_failed', `The request came from another site (Origin ${req.get('origin') ?? req.get('referer') ?? 'unknown'}); use the console at its own address.`);
}

/** The synchronizer token: the session's token must be in X-CSRF-Token on every state-changing request. */
export function checkCsrfToken(req: Request, session: SessionInfo): void {
  if (SAFE.has(req.method)) return;
  const sent = req.get(CSRF_HEADER) ?? '';
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrfToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new HttpError(403, 'csrf_failed', `The ${CSRF_HEADER} header is missing or does not match this session; reload the console and try again.`);
  }
}

/**
 * A route's access: `anyone`, `signedIn` (any role, also before the one-time password is
 * changed), or a minimum role (403 `forbidden` below it; 403 `password_change_required` while the
 * one-time password is unchanged).
 */
export function checkAccess(res: Response, access: RouteAccess): SessionInfo | null {
  if (access === 'anyone') return authOf(res);
  const s = sessionOf(res);
  if (access === 'signedIn') return s;
  if (s.user.mustChangePassword) throw new HttpError(403, 'password_change_required', 'Change your one-time password first (POST /api/admin/password).');
  if (!roleAtLeast(s.user.role, access)) throw new HttpError(403, 'forbidden', `This needs the ${access} role or above; your account is ${s.user.role}.`);
  return s;
}
