// The researchers' console (client/admin, decision 014): its own lazy chunk, reached at /admin.
// Who may do what is the server's decision (the /api/admin role checks); this side asks who is
// signed in, shows the sign-in page to nobody-yet, the password change to a first login, and
// otherwise the page of the path with the navigation.
import './admin.css';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Page } from '../design/page-shell';
import { followLink } from '../router';
import { ApiError, onUnauthorized } from './api';
import { useAdminText, type AdminMessageKey } from './admin-text';
import { adminHref, NAV_PAGES, navOf, parseAdminPath, type AdminRoute, type NavPage } from './admin-routes';
import { endSession, loadSession } from './endpoints';
import { LoginPage } from './login-page';
import { PasswordPage } from './password-page';
import { SessionContext, sessionValue, useSession, type SessionUser } from './session';
import { ErrorNotice, Loading } from './ui';
import { AuditPage } from './pages/audit-page';
import { ImportsPage } from './pages/imports-page';
import { QuotasPage } from './pages/quotas-page';
import { ResponseDetail } from './pages/response-detail';
import { ResponsesPage } from './pages/responses-page';
import { RunReview } from './pages/run-review';
import { RunsPage } from './pages/runs-page';
import { UsersPage } from './pages/users-page';
import { WaveDetail } from './pages/wave-detail';
import { WavesPage } from './pages/waves-page';

type SessionState = { state: 'loading' } | { state: 'anonymous' } | { state: 'error'; error: unknown } | { state: 'signedIn'; user: SessionUser };

export default function AdminApp({ rest }: { rest: string }) {
  const { t } = useAdminText();
  const [session, setSession] = useState<SessionState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const refresh = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    loadSession(controller.signal).then(
      (user) => setSession(user ? { state: 'signedIn', user } : { state: 'anonymous' }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setSession(error instanceof ApiError && error.status === 401 ? { state: 'anonymous' } : { state: 'error', error });
      },
    );
    return () => controller.abort();
  }, [attempt]);

  // Any 401 (idle timeout, logout elsewhere) brings the sign-in page back, keeping the address.
  useEffect(() => onUnauthorized(() => setSession({ state: 'anonymous' })), []);

  const signOut = useCallback(() => {
    endSession().finally(() => setSession({ state: 'anonymous' }));
  }, []);

  let content: ReactNode;
  if (session.state === 'loading') content = <Loading />;
  else if (session.state === 'error') content = <ErrorNotice error={session.error} onRetry={refresh} />;
  else if (session.state === 'anonymous') content = <LoginPage onSignedIn={refresh} />;
  else if (session.user.mustChangePassword) content = <PasswordPage firstLogin onChanged={refresh} />;
  else
    content = (
      <SessionContext.Provider value={sessionValue(session.user, signOut, refresh)}>
        <ConsoleLayout route={parseAdminPath(rest)} />
      </SessionContext.Provider>
    );

  return (
    <Page title={t('consoleName')} wide>
      <div className="admin">{content}</div>
    </Page>
  );
}

const NAV_LABEL: Record<NavPage, AdminMessageKey> = {
  waves: 'navWaves',
  quotas: 'navQuotas',
  responses: 'navResponses',
  imports: 'navImports',
  runs: 'navRuns',
  audit: 'navAudit',
  users: 'navUsers',
};

function ConsoleLayout({ route }: { route: AdminRoute }) {
  const { t } = useAdminText();
  const { user, isAdmin, signOut } = useSession();
  const current = navOf(route);
  const [changingPassword, setChangingPassword] = useState(false);
  return (
    <div className="admin-layout">
      <nav className="admin-nav" aria-label={t('navLabel')}>
        <ul>
          {NAV_PAGES.filter((p) => p !== 'users' || isAdmin).map((p) => (
            <li key={p}>
              <a href={adminHref(p)} onClick={followLink} aria-current={p === current ? 'page' : undefined}>
                {t(NAV_LABEL[p])}
              </a>
            </li>
          ))}
        </ul>
        <div className="admin-nav__user">
          <span>
            {user.email} · {t(`role_${user.role}`)}
          </span>
          <button type="button" className="admin-link-button" onClick={() => setChangingPassword((v) => !v)} aria-expanded={changingPassword}>
            {t('changePassword')}
          </button>
          <button type="button" className="admin-link-button" onClick={signOut}>
            {t('signOut')}
          </button>
        </div>
      </nav>
      <div className="admin-content">
        {changingPassword ? <PasswordPage firstLogin={false} onChanged={() => setChangingPassword(false)} /> : <RoutePage route={route} />}
      </div>
    </div>
  );
}

function RoutePage({ route }: { route: AdminRoute }) {
  const { t } = useAdminText();
  const { isAdmin } = useSession();
  switch (route.page) {
    case 'waves':
      return <WavesPage />;
    case 'wave':
      return <WaveDetail id={route.id} />;
    case 'quotas':
      return <QuotasPage />;
    case 'responses':
      return <ResponsesPage />;
    case 'response':
      return <ResponseDetail id={route.id} />;
    case 'imports':
      return <ImportsPage />;
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunReview id={route.id} />;
    case 'audit':
      return <AuditPage />;
    case 'users':
      return isAdmin ? <UsersPage /> : <p className="admin-status">{t('error_forbidden')}</p>;
    case 'notFound':
      return (
        <div className="admin-status">
          <h1>{t('notFoundTitle')}</h1>
          <a href={adminHref('')} onClick={followLink}>
            {t('navWaves')}
          </a>
        </div>
      );
  }
}
