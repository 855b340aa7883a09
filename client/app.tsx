import { lazy, Suspense } from 'react';
import { LoadingPage } from './design/loading-page';
import { PageShell } from './design/page-shell';
import { SurveySkeleton } from './design/survey-skeleton';
import { LocaleProvider } from './i18n/use-locale';
import { NotFoundPage } from './not-found/not-found-page';
import { matchRoute, usePath } from './router';

// One lazy entry per audience (decision 014): client/public (the dashboard, Observable Plot),
// client/respond (survey-core + survey-react-ui, ~430 KB gzipped) and, with the console,
// client/admin. The shell, design and i18n are shared; no audience loads another's code.
const PublicApp = lazy(() => import('./public/public-app'));
const RespondPage = lazy(() => import('./respond/respond-page'));
const AdminApp = lazy(() => import('./admin/admin-app'));

function Routes() {
  const route = matchRoute(usePath());
  switch (route.name) {
    case 'home':
      return (
        <Suspense fallback={<LoadingPage what="loading" />}>
          <PublicApp />
        </Suspense>
      );
    case 'respond':
      return (
        <Suspense fallback={<SurveySkeleton />}>
          {/* key: a different link is a different respondent session */}
          <RespondPage key={route.link} link={route.link} />
        </Suspense>
      );
    case 'admin':
      return (
        <Suspense fallback={<LoadingPage what="loading" />}>
          <AdminApp rest={route.rest} />
        </Suspense>
      );
    case 'notFound':
      return <NotFoundPage />;
  }
}

export function App() {
  return (
    <LocaleProvider>
      <PageShell>
        <Routes />
      </PageShell>
    </LocaleProvider>
  );
}
