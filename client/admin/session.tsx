// Who is signed in, as the server says (GET /session), shared by every console page. The client
// only hides what the API would refuse (decision 014): the server checks the role of every request.
import { createContext, useContext } from 'react';
import { roleAtLeast, type User } from '../../contract/admin-api';

export type SessionUser = User;

export interface SessionValue {
  user: SessionUser;
  /** May change fieldwork, data and runs (researcher or admin); a viewer only reads. */
  canChange: boolean;
  isAdmin: boolean;
  signOut: () => void;
  /** Reads the session again (after a password change). */
  refresh: () => void;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() must be used inside the console (client/admin/admin-app.tsx).');
  return value;
}

export function sessionValue(user: SessionUser, signOut: () => void, refresh: () => void): SessionValue {
  return { user, canChange: roleAtLeast(user.role, 'researcher'), isAdmin: user.role === 'admin', signOut, refresh };
}
