// The public entry (client/public, decision 014): the indicator dashboard at `/` and its
// "How it is measured" page at `/?page=method`, reading only the public API v1
// (docs/PUBLIC-API.md). Its view state (indicator, period, breakdown, language) is the URL.
import './public.css';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Page } from '../design/page-shell';
import { useLocale } from '../i18n/use-locale';
import { followLink, setQuery, useSearch } from '../router';
import { breakdownsPath, seriesPath, type BreakdownsResponse, type IndicatorHeadline, type IndicatorsResponse, type PeriodsResponse, type PublishedPeriod, type SeriesResponse } from './api';
import { formatDate } from './format';
import { HeadlineCards } from './headline-cards';
import { defaultPeriod } from './periods';
import { DemoBanner, EmptyState, LoadError, isPublished } from './states';
import { TrendChart } from './trend-chart';
import { useApi, type Loaded } from './use-api';
import { usePublicText } from './use-public-text';
import { parseView, viewHref, viewParams, type ViewState } from './view-state';
import { WhoDiffers, type WhoDiffersChoice } from './who-differs';

// The method page carries the questionnaire's wording (from surveys/official): loaded on demand.
const MethodPage = lazy(() => import('./method-page'));

/** Keeps the page language and the link's `lang` in step: a link's language wins on arrival, then the URL follows the switch. */
function useLanguageInUrl(view: ViewState): void {
  const { locale, setLocale } = useLocale();
  const arrived = useRef(false);
  useEffect(() => {
    if (!arrived.current) {
      arrived.current = true;
      if (view.lang !== null && view.lang !== locale) {
        setLocale(view.lang);
        return;
      }
    }
    if (view.lang !== locale) setQuery(viewParams({ ...view, lang: locale }, new URLSearchParams(window.location.search)));
  }, [locale, view, setLocale]);
}

export default function PublicApp() {
  const view = parseView(useSearch());
  useLanguageInUrl(view);
  const { t } = usePublicText();
  const [attempt, setAttempt] = useState(0);
  const headline = useApi<IndicatorsResponse>('/indicators', attempt);
  const periods = useApi<PeriodsResponse>('/periods', attempt);
  const retry = () => setAttempt((n) => n + 1);
  const demo = (headline.state === 'ready' && headline.data.demo === true) || (periods.state === 'ready' && periods.data.demo === true);

  let content;
  if (headline.state === 'error' || periods.state === 'error') content = <LoadError onRetry={retry} />;
  else if (headline.state === 'loading' || periods.state === 'loading') content = <p className="status" role="status">{t('loading')}</p>;
  else if (view.page === 'method')
    content = (
      <Suspense fallback={<p className="status" role="status">{t('loading')}</p>}>
        <MethodPage headline={headline.data} periods={periods.data.periods} view={view} />
      </Suspense>
    );
  else content = <Dashboard headline={headline.data} periods={periods.data.periods} view={view} attempt={attempt} onRetry={retry} />;

  return (
    <Page title={view.page === 'method' ? t('methodTitle') : t('pageTitle')} wide>
      <div className="public">
        {demo && <DemoBanner />}
        {content}
      </div>
    </Page>
  );
}

function Dashboard({
  headline,
  periods,
  view,
  attempt,
  onRetry,
}: {
  headline: IndicatorsResponse;
  periods: PublishedPeriod[];
  view: ViewState;
  attempt: number;
  onRetry: () => void;
}) {
  const { locale, t, pick } = usePublicText();
  const published = isPublished(headline, periods);
  const period = view.period !== null && periods.some((p) => p.period === view.period) ? view.period : defaultPeriod(periods);

  return (
    <>
      <header className="dash-header">
        <h1>{t('pageTitle')}</h1>
        <p className="lead">{t('lead')}</p>
        <p className="document-note">
          {t('documentStatus', { title: pick(headline.document.title), note: headline.document.statusNote ? pick(headline.document.statusNote) : '' }).trim()}
        </p>
        <p className="dash-links">
          <a href={viewHref({ ...view, page: 'method' })} onClick={followLink}>
            {t('methodLink')}
          </a>
          {published && <span className="generated">{t('generatedAt', { date: formatDate(locale, headline.generatedAt) })}</span>}
        </p>
      </header>
      {!published || period === null ? (
        <EmptyState indicators={headline.indicators} />
      ) : (
        <>
          <HeadlineCards indicators={headline.indicators} periods={periods} />
          <section aria-labelledby="trend-title" className="dash-section">
            <h2 id="trend-title">{t('trendTitle')}</h2>
            {headline.indicators.map((indicator) => (
              <TrendSection key={indicator.id} indicator={indicator} periods={periods} attempt={attempt} onRetry={onRetry} />
            ))}
          </section>
          <WhoDiffersSection headline={headline} periods={periods} view={view} period={period} attempt={attempt} onRetry={onRetry} />
        </>
      )}
    </>
  );
}

function TrendSection({ indicator, periods, attempt, onRetry }: { indicator: IndicatorHeadline; periods: PublishedPeriod[]; attempt: number; onRetry: () => void }) {
  const series = useApi<SeriesResponse>(seriesPath(indicator.id), attempt);
  const { t } = usePublicText();
  if (series.state === 'loading') return <p className="status" role="status">{t('loading')}</p>;
  if (series.state === 'error') return <InlineError onRetry={onRetry} />;
  return <TrendChart series={series.data} periods={periods} baseline={indicator.baseline} />;
}

function InlineError({ onRetry }: { onRetry: () => void }) {
  const { t } = usePublicText();
  return (
    <div className="notice" role="alert">
      <p className="notice__title">{t('errorTitle')}</p>
      <p>{t('errorBody')}</p>
      <button type="button" className="button" onClick={onRetry}>
        {t('retry')}
      </button>
    </div>
  );
}

function WhoDiffersSection({
  headline,
  periods,
  view,
  period,
  attempt,
  onRetry,
}: {
  headline: IndicatorsResponse;
  periods: PublishedPeriod[];
  view: ViewState;
  period: string;
  attempt: number;
  onRetry: () => void;
}) {
  const choice: WhoDiffersChoice = { indicator: view.indicator, period, by: view.by };
  const breakdown: Loaded<BreakdownsResponse> = useApi<BreakdownsResponse>(breakdownsPath(period, view.by), attempt);
  // The national value of the chosen period, for the reference line: from the indicator's series.
  const series = useApi<SeriesResponse>(seriesPath(view.indicator), attempt);
  let national: number | null = null;
  if (series.state === 'ready') {
    national = /^\d{4}$/.test(period)
      ? (series.data.years.find((y) => String(y.year) === period)?.value ?? null)
      : (series.data.waves.find((w) => w.period === period)?.value ?? null);
  }
  const onChange = (next: WhoDiffersChoice) =>
    setQuery(viewParams({ ...view, indicator: next.indicator, period: next.period, by: next.by }, new URLSearchParams(window.location.search)));
  return (
    <WhoDiffers
      indicators={headline.indicators}
      periods={periods}
      choice={choice}
      onChange={onChange}
      breakdown={breakdown}
      national={national}
      onRetry={onRetry}
    />
  );
}

