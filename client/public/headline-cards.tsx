import type { IndicatorHeadline, PublishedPeriod } from './api';
import { formatCount, formatDelta, formatPeriod, formatShare, formatValue } from './format';
import { illustrativeFrames } from './periods';
import { ProgressIcon, StatusIcon } from './status-icon';
import { provisionalLabel, usePublicText } from './use-public-text';

/** One card per indicator: the latest year against its target, progress to 2026, the latest quarter. */
export function HeadlineCards({ indicators, periods }: { indicators: IndicatorHeadline[]; periods: PublishedPeriod[] }) {
  const { t } = usePublicText();
  return (
    <section aria-labelledby="headlines-title" className="dash-section">
      <h2 id="headlines-title">{t('headlinesTitle')}</h2>
      <ul className="cards">
        {indicators.map((indicator) => (
          <li key={indicator.id} className="card" data-indicator={indicator.id}>
            <HeadlineCard indicator={indicator} periods={periods} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function HeadlineCard({ indicator, periods }: { indicator: IndicatorHeadline; periods: PublishedPeriod[] }) {
  const { locale, t, pick } = usePublicText();
  const year = indicator.latestYear;
  const wave = indicator.latestWave;
  const target = year ? indicator.targets.find((x) => x.year === year.year) : undefined;
  const frames = [...new Set([...(year ? illustrativeFrames(periods, String(year.year)) : []), ...(wave ? illustrativeFrames(periods, wave.period) : [])])];
  const finalYear = indicator.targets.reduce((max, x) => Math.max(max, x.year), 0);
  const titleId = `card-${indicator.id}`;
  return (
    <article aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">{pick(indicator.name)}</h3>
      {year ? (
        <>
          <p className="card__period">
            {t('cardYear', { year: year.year })} · {year.provisional ? provisionalLabel(t, year.waves) : t('finalYear')}
          </p>
          <p className="card__value" data-testid="annual-value">{formatValue(locale, year.value)}</p>
          <p className="card__ci">{t('ciRange', { lo: formatValue(locale, year.ci95[0], 2), hi: formatValue(locale, year.ci95[1], 2) })}</p>
          {year.target !== null && year.gap !== null ? (
            <p className="card__target">
              {t('targetLine', { year: year.year, value: formatValue(locale, year.target) })}
              {target?.alternatives?.map((alt) => (
                <span key={alt.value} className="card__alternative">
                  {' '}({t('targetAlternative', { value: formatValue(locale, alt.value), source: pick(alt.source) })})
                </span>
              ))}
              <br />
              {t('gapLine', { gap: formatDelta(locale, year.gap) })}
            </p>
          ) : (
            <p className="card__target">{t('noTarget')}</p>
          )}
          {year.status && (
            <p className={`card__status status--${year.status}`}>
              <StatusIcon status={year.status} />
              <span>{t(`status_${year.status}`)}</span>
            </p>
          )}
        </>
      ) : (
        <p className="card__none">{t('noYear')}</p>
      )}
      <p className="card__progress">
        {indicator.progress ? (
          <>
            <ProgressIcon category={indicator.progress.category} /> {t('progressLine', { year: finalYear })}{' '}
            <strong>{t(`progress_${indicator.progress.category}`)}</strong>
            {indicator.progress.ratio !== null && <> {t('progressRatio', { ratio: formatShare(locale, indicator.progress.ratio) })}</>}
          </>
        ) : (
          t('noProgress')
        )}
      </p>
      {wave && (
        <div className="card__quarter">
          <p>
            {t('latestQuarter', { period: formatPeriod(locale, wave.period), value: formatValue(locale, wave.value) })}{' '}
            <span className="card__n">({t('ciRange', { lo: formatValue(locale, wave.ci95[0], 2), hi: formatValue(locale, wave.ci95[1], 2) })}; {t('sampleSize', { n: formatCount(locale, wave.n) })})</span>
          </p>
          <p>
            {wave.change
              ? t(wave.change.significant ? 'changeSignificant' : 'changeNotSignificant', {
                  delta: formatDelta(locale, wave.change.delta),
                  from: formatPeriod(locale, wave.change.from),
                })
              : t('noChange')}
          </p>
          {wave.revised && <p className="card__revised">{t('revisedNote')}</p>}
        </div>
      )}
      {frames.length > 0 && <p className="illustrative-note">{t('illustrative', { name: frames.join(', ') })}</p>}
    </article>
  );
}
