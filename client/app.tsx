import { lazy, Suspense } from 'react';
import { LoadingPage } from './design/loading-page';
import { PageShell } from './design/page-shell';
import { HomePage } from './home/home-page';
import { LocaleProvider } from './i18n/use-locale';
import { NotFoundPage } from './not-found/not-found-page';
import { matchRoute, usePath } from './router';

// survey-core + survey-react-ui are ~430 KB gzipped: only the respondent route loads them.
const RespondPage = lazy(() => import('./respond/respond-page'));

function Routes() {
  const route = matchRoute(usePath());
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'respond':
      return (
        <Suspense fallback={<LoadingPage />}>
          {/* key: a different link is a different respondent session */}
          <RespondPage key={route.link} link={route.link} />
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
