// The dashboard's honest states: nothing published yet, demonstration data, an API that failed.
import type { IndicatorHeadline, IndicatorsResponse, PublishedPeriod } from './api';
import { TargetsTable } from './targets-table';
import { usePublicText } from './use-public-text';

/** Whether anything has been published: a period, and a value for at least one indicator. */
export function isPublished(headline: IndicatorsResponse, periods: readonly PublishedPeriod[]): boolean {
  return periods.length > 0 && headline.indicators.some((i) => i.latestWave !== null || i.latestYear !== null);
}

/** On every screen while the instance holds synthetic data (`demo: true` in the API's bodies). */
export function DemoBanner() {
  const { t } = usePublicText();
  return (
    <p className="demo-banner" role="note">
      <strong>{t('demoBanner')}</strong>
    </p>
  );
}

export function LoadError({ onRetry }: { onRetry: () => void }) {
  const { t } = usePublicText();
  return (
    <section className="screen" role="alert" aria-labelledby="load-error-title">
      <h1 id="load-error-title">{t('errorTitle')}</h1>
      <p>{t('errorBody')}</p>
      <button type="button" className="button" onClick={onRetry}>
        {t('retry')}
      </button>
    </section>
  );
}

/** Nothing published yet: say what will appear, and show the targets it will be measured against. */
export function EmptyState({ indicators }: { indicators: IndicatorHeadline[] }) {
  const { t } = usePublicText();
  return (
    <section className="screen" aria-labelledby="empty-title" data-testid="empty-state">
      <h2 id="empty-title">{t('emptyTitle')}</h2>
      <p>{t('emptyBody')}</p>
      <TargetsTable indicators={indicators} labelledBy="empty-title" />
    </section>
  );
}
