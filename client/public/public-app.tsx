import { Page } from '../design/page-shell';
import { useLocale } from '../i18n/use-locale';

/** The public entry (client/public): the home page; the indicator dashboard replaces it. */
export default function PublicApp() {
  const { t } = useLocale();
  return (
    <Page title={t('brand')}>
      <section className="screen" aria-labelledby="home-title">
        <h1 id="home-title">{t('homeTitle')}</h1>
        <p>{t('homeLead')}</p>
        <ul>
          <li>{t('indicatorConsensus')}</li>
          <li>{t('indicatorTolerance')}</li>
          <li>{t('indicatorMood')}</li>
        </ul>
        <p>{t('homeResults')}</p>
        <p>{t('homeRespond')}</p>
      </section>
    </Page>
  );
}
