import { useLocale } from '../i18n/use-locale';
import { Page } from './page-shell';

/** The screen shown while a route's code or the survey is loading: a polite status, translated. */
export function LoadingPage({ what = 'loadingSurvey' }: { what?: 'loadingSurvey' | 'loading' }) {
  const { t } = useLocale();
  return (
    <Page title={t(what)}>
      <p className="status" role="status">
        {t(what)}
      </p>
    </Page>
  );
}
