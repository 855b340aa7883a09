// Console handlers of sign-in, sign-out, one's own password and accounts (admin). Route shapes,
// access and CSRF are the contract's (contract/admin-api.ts), applied by server/admin/router.ts.
import type { SessionBody } from '../../contract/admin-api';
import type { AdminDeps, Handlers } from '../admin/router';
import { HttpError } from '../http/errors';
import { parseParams } from '../http/validate';
import { idParam } from '../../contract/admin-api';
import { clearSessionCookie, setSessionCookie } from './http';
import { changePassword, createUser, endSession, listUsers, login, resetPassword, toUser, updateUser, type SessionInfo } from './service';

type AuthHandlers = Pick<Handlers, 'login' | 'me' | 'logout' | 'changePassword' | 'listUsers' | 'createUser' | 'updateUser' | 'resetPassword'>;

const sessionBody = (s: SessionInfo): SessionBody => ({ user: toUser(s.user), csrfToken: s.csrfToken, expiresAt: s.expiresAt });

export function authHandlers({ store }: AdminDeps): AuthHandlers {
  let lastPurge = 0;
  return {
    login: async ({ req, res, body, session, now }) => {
      // A sign-in replaces any session this browser had (a new id at every sign-in).
      const purge = now.getTime() - lastPurge > 3600_000;
      if (purge) lastPurge = now.getTime();
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      const result = await login(store, body.email, body.password, address, now, {
        ...(session ? { replacing: { tokenHash: session.tokenHash, actor: `user:${session.user.id}` } } : {}), purge,
      });
      if (!result.ok) {
        if (result.retryAfterSeconds) {
          res.setHeader('Retry-After', String(result.retryAfterSeconds));
          throw new HttpError(429, 'too_many_attempts', `Too many failed sign-ins; wait ${result.retryAfterSeconds} s and try again.`, { retryAfterSeconds: result.retryAfterSeconds });
        }
        throw new HttpError(401, 'invalid_credentials', 'The e-mail or the password is not right.');
      }
      setSessionCookie(req, res, result.token);
      return sessionBody(result.info);
    },
    me: ({ session }) => sessionBody(session),
    logout: async ({ req, res, session, actor, now }) => {
      await endSession(store, session.tokenHash, actor, now);
      clearSessionCookie(req, res);
    },
    changePassword: async ({ req, res, session, body, now }) => {
      // A new session id after the change, too (the old token is ended).
      const started = await changePassword(store, session, body.currentPassword, body.newPassword, now);
      setSessionCookie(req, res, started.token);
      return sessionBody(started.info);
    },
    listUsers: async () => ({ items: (await listUsers(store.sql)).map(toUser) }),
    createUser: async ({ body, actor, now }) => {
      const { user, oneTimePassword } = await createUser(store, body.email, body.role, actor, now);
      return { user: toUser(user), oneTimePassword };
    },
    updateUser: async ({ req, body, actor, now }) => {
      const { id } = parseParams(req, idParam);
      return toUser(await updateUser(store, id, body, actor, now));
    },
    resetPassword: async ({ req, actor, now }) => {
      const { id } = parseParams(req, idParam);
      const { user, oneTimePassword } = await resetPassword(store, id, actor, now);
      return { user: toUser(user), oneTimePassword };
    },
  };
}
