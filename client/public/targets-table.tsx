import type { IndicatorHeadline } from './api';
import { formatValue } from './format';
import { usePublicText } from './use-public-text';

/** The 2021 baseline and the targets of every year, per indicator (alternatives in brackets). */
export function TargetsTable({ indicators, labelledBy }: { indicators: IndicatorHeadline[]; labelledBy: string }) {
  const { locale, t, pick } = usePublicText();
  const years = [...new Set(indicators.flatMap((i) => i.targets.map((x) => x.year)))].sort();
  const alternatives = indicators.flatMap((i) => i.targets.flatMap((x) => x.alternatives ?? []));
  return (
    <>
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={labelledBy}>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('pickIndicator')}</th>
              <th scope="col">{t('legendBaseline')}</th>
              {years.map((y) => (
                <th scope="col" key={y}>
                  {y}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {indicators.map((i) => (
              <tr key={i.id}>
                <th scope="row">{pick(i.name)}</th>
                <td>{i.baseline ? formatValue(locale, i.baseline.value) : '—'}</td>
                {years.map((y) => {
                  const target = i.targets.find((x) => x.year === y);
                  return (
                    <td key={y}>
                      {target ? formatValue(locale, target.value) : '—'}
                      {target?.alternatives?.map((alt) => (
                        <span key={alt.value} className="cell-note">
                          {' '}({formatValue(locale, alt.value)})
                        </span>
                      ))}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {alternatives.map((alt) => (
        <p key={alt.value} className="cell-note">
          ({formatValue(locale, alt.value)}): {t('targetAlternative', { value: formatValue(locale, alt.value), source: pick(alt.source) })}
        </p>
      ))}
    </>
  );
}
