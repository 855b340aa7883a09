import * as Plot from '@observablehq/plot';
import { useCallback, useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { Locale } from '../i18n/locale';
import { csvUrl, seriesPath, type PublishedPeriod, type SeriesResponse } from './api';
import { ChartFrame } from './chart-frame';
import { formatCi, formatCount, formatDelta, formatPeriod, formatValue, integerTicks, periodMidpoint } from './format';
import { illustrativeFrames } from './periods';
import { PlotFigure } from './plot-figure';
import { StatusIcon } from './status-icon';
import { provisionalLabel, usePublicText, type PublicText } from './use-public-text';

export const WAVE_COLOUR = '#3a179e'; // the brand colour: 11.9:1 on white
export const YEAR_COLOUR = '#a04a00'; // 5.6:1 on white, and a different shape (square) from quarters
const TARGET_COLOUR = '#111111';

/** A point the pointer and the keyboard can reach: a quarter or a year, with its readout text. */
export interface TrendPoint {
  kind: 'wave' | 'year';
  period: string;
  x: Date;
  value: number;
  lo: number;
  hi: number;
  /** One line, for the keyboard readout (a live region). */
  text: string;
}

/** The pointer tip's text: the value on the first line, its CI and n on the next, never truncated. */
export const tipText = (d: { text: string }) => d.text.replace(' (', '\n(');

/** Every reachable point in time order (a year after its quarters), with the words a reader hears. */
export function trendPoints(series: SeriesResponse, text: PublicText): TrendPoint[] {
  const { locale, t } = text;
  const waves: TrendPoint[] = series.waves.map((w) => ({
    kind: 'wave',
    period: w.period,
    x: periodMidpoint(w.period),
    value: w.value,
    lo: w.ci95[0],
    hi: w.ci95[1],
    text:
      t('pointQuarter', {
        period: formatPeriod(locale, w.period),
        value: formatValue(locale, w.value),
        lo: formatValue(locale, w.ci95[0], 2),
        hi: formatValue(locale, w.ci95[1], 2),
        n: formatCount(locale, w.n),
      }) + (w.revised ? ` (${t('revised')})` : ''),
  }));
  const years: TrendPoint[] = series.years.map((y) => ({
    kind: 'year',
    period: String(y.year),
    x: periodMidpoint(String(y.year)),
    value: y.value,
    lo: y.ci95[0],
    hi: y.ci95[1],
    text:
      t('pointYear', {
        period: y.year,
        value: formatValue(locale, y.value),
        lo: formatValue(locale, y.ci95[0], 2),
        hi: formatValue(locale, y.ci95[1], 2),
        waves: y.waves,
      }) + (y.provisional ? ` (${provisionalLabel(t, y.waves)})` : ''),
  }));
  // Keyboard order: a year's quarters, then the year itself (drawn mid-year, but read after them).
  const order = (p: TrendPoint) => Number(p.period.slice(0, 4)) * 10 + (p.kind === 'year' ? 5 : Number(p.period.slice(-1)));
  return [...waves, ...years].sort((a, b) => order(a) - order(b));
}

function yearStart(year: number): Date {
  return new Date(Date.UTC(year, 0, 1));
}

export function TrendChart({
  series,
  periods,
  baseline,
}: {
  series: SeriesResponse;
  periods: PublishedPeriod[];
  baseline: { year: number; value: number } | null;
}) {
  const text = usePublicText();
  const { locale, t, pick } = text;
  const points = useMemo(() => trendPoints(series, text), [series, text]);
  const [active, setActive] = useState<number | null>(null);
  const helpId = useId();
  const name = pick(series.indicator.name);
  const label = t('trendChartLabel', { name });

  const make = useCallback(
    (width: number) => drawTrend({ width, series, points, baseline, active: active === null ? null : points[active] ?? null, locale, label }),
    [series, points, baseline, active, locale, label],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (points.length === 0) return;
    const last = points.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: active === null ? 0 : Math.min(last, active + 1),
      ArrowUp: active === null ? 0 : Math.min(last, active + 1),
      ArrowLeft: active === null ? last : Math.max(0, active - 1),
      ArrowDown: active === null ? last : Math.max(0, active - 1),
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      setActive(moves[event.key]);
    } else if (event.key === 'Escape') {
      setActive(null);
    }
  };

  const alternatives = series.targets.flatMap((target) => (target.alternatives ?? []).map((alt) => ({ year: target.year, ...alt })));
  const frames = [...new Set(series.waves.flatMap((w) => illustrativeFrames(periods, w.period)))];

  const chart =
    points.length === 0 ? (
      <p className="chart-empty">{t('noWaves')}</p>
    ) : (
      <>
        <div
          className="chart-focus"
          tabIndex={0}
          role="group"
          aria-label={label}
          aria-describedby={helpId}
          onKeyDown={onKeyDown}
          onBlur={() => setActive(null)}
        >
          <PlotFigure make={make} />
        </div>
        <p id={helpId} className="chart-help">
          {t('keyboardHelp')}
        </p>
        <p className="chart-readout" aria-live="polite" data-testid="trend-readout">
          {active !== null ? points[active]?.text : ''}
        </p>
        <ul className="legend">
          <li><span className="swatch swatch--wave" aria-hidden="true" />{t('legendQuarter')}</li>
          <li><span className="swatch swatch--band" aria-hidden="true" />{t('legendBand')}</li>
          <li><span className="swatch swatch--year" aria-hidden="true" />{t('legendYear')}</li>
          <li><span className="swatch swatch--target" aria-hidden="true" />{t('legendTarget')}</li>
          <li><span className="swatch swatch--baseline" aria-hidden="true" />{t('legendBaseline')}</li>
          {alternatives.map((alt) => (
            <li key={`${alt.year}-${alt.value}`}>
              <span className="swatch swatch--alternative" aria-hidden="true" />
              {t('legendAlternative', { value: formatValue(locale, alt.value), source: pick(alt.source) })}
            </li>
          ))}
        </ul>
      </>
    );

  return (
    <ChartFrame
      title={name}
      csvHref={csvUrl(seriesPath(series.indicator.id), locale)}
      csvName={`kelisim-${series.indicator.id}-series-${locale}.csv`}
      chart={chart}
      table={<TrendTables series={series} />}
      notes={frames.length > 0 ? <p className="illustrative-note">{t('illustrative', { name: frames.join(', ') })}</p> : null}
    />
  );
}

function drawTrend({
  width,
  series,
  points,
  baseline,
  active,
  locale,
  label,
}: {
  width: number;
  series: SeriesResponse;
  points: TrendPoint[];
  baseline: { year: number; value: number } | null;
  active: TrendPoint | null;
  locale: Locale;
  label: string;
}): Element {
  const path = [
    ...(baseline ? [{ x: periodMidpoint(String(baseline.year)), value: baseline.value }] : []),
    ...series.targets.map((target) => ({ x: periodMidpoint(String(target.year)), value: target.value })),
  ];
  const alternatives = series.targets.flatMap((target) =>
    (target.alternatives ?? []).map((alt) => ({ x: periodMidpoint(String(target.year)), value: alt.value, label: formatValue(locale, alt.value) })),
  );
  const waves = points.filter((p) => p.kind === 'wave');
  const years = points.filter((p) => p.kind === 'year');
  const all = [...points.flatMap((p) => [p.lo, p.hi]), ...path.map((p) => p.value), ...alternatives.map((a) => a.value)];
  const lastYear = Math.max(2026, ...points.map((p) => p.x.getUTCFullYear()), ...series.targets.map((x) => x.year));
  const firstYear = Math.min(baseline?.year ?? 2021, ...points.map((p) => p.x.getUTCFullYear()));
  const narrow = width < 480;
  const yDomain: [number, number] = [Math.floor(Math.min(...all) - 0.5), Math.ceil(Math.max(...all) + 0.5)];
  return Plot.plot({
    width,
    height: narrow ? 260 : 320,
    marginLeft: 40,
    marginRight: 16,
    ariaLabel: label,
    style: { fontSize: '12px', color: '#111111', background: 'transparent' },
    x: { type: 'utc', domain: [yearStart(firstYear), yearStart(lastYear + 1)], ticks: narrow ? 4 : 'year', tickFormat: '%Y', label: null },
    y: {
      domain: yDomain,
      ticks: integerTicks(yDomain[0], yDomain[1], narrow ? 5 : 8),
      grid: true,
      label: null,
      tickFormat: (d: number) => formatValue(locale, d, 0),
    },
    marks: [
      Plot.areaY(waves, { x: 'x', y1: 'lo', y2: 'hi', fill: WAVE_COLOUR, fillOpacity: 0.18, curve: 'linear' }),
      Plot.line(path, { x: 'x', y: 'value', stroke: TARGET_COLOUR, strokeDasharray: '6 4', strokeWidth: 1.5 }),
      Plot.dot(baseline ? path.slice(1) : path, { x: 'x', y: 'value', stroke: TARGET_COLOUR, fill: '#ffffff', r: 3.5, symbol: 'circle' }),
      Plot.dot(baseline ? path.slice(0, 1) : [], { x: 'x', y: 'value', fill: TARGET_COLOUR, r: 5, symbol: 'diamond' }),
      Plot.dot(alternatives, { x: 'x', y: 'value', stroke: TARGET_COLOUR, r: 4, symbol: 'times', strokeWidth: 2 }),
      Plot.text(alternatives, { x: 'x', y: 'value', text: 'label', dx: -8, textAnchor: 'end', fill: TARGET_COLOUR }),
      Plot.line(waves, { x: 'x', y: 'value', stroke: WAVE_COLOUR, strokeWidth: 2 }),
      Plot.dot(waves, { x: 'x', y: 'value', fill: WAVE_COLOUR, r: 3.5 }),
      Plot.ruleX(years, { x: 'x', y1: 'lo', y2: 'hi', stroke: YEAR_COLOUR, strokeWidth: 2 }),
      Plot.dot(years, { x: 'x', y: 'value', fill: YEAR_COLOUR, stroke: '#ffffff', r: 5.5, symbol: 'square' }),
      Plot.tip(points, Plot.pointer({ x: 'x', y: 'value', title: tipText, fontSize: 12, lineHeight: 1.3, lineWidth: 32 })),
      Plot.tip(active ? [active] : [], { x: 'x', y: 'value', title: tipText, fontSize: 12, lineHeight: 1.3, lineWidth: 32 }),
    ],
  });
}

function TrendTables({ series }: { series: SeriesResponse }) {
  const { locale, t } = usePublicText();
  return (
    <>
      <table className="data-table">
        <caption>{t('tableQuarters')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('colPeriod')}</th>
            <th scope="col">{t('colValue')}</th>
            <th scope="col">{t('colCi')}</th>
            <th scope="col">{t('colN')}</th>
            <th scope="col">{t('colChange')}</th>
            <th scope="col">{t('colSignificant')}</th>
          </tr>
        </thead>
        <tbody>
          {series.waves.map((w) => (
            <tr key={w.period}>
              <th scope="row">
                {formatPeriod(locale, w.period)}
                {w.revised && <span className="badge">{t('revised')}</span>}
              </th>
              <td>{formatValue(locale, w.value)}</td>
              <td>{formatCi(locale, w.ci95)}</td>
              <td>{formatCount(locale, w.n)}</td>
              <td>{w.change ? formatDelta(locale, w.change.delta) : '—'}</td>
              <td className="text">{w.change ? t(w.change.significant ? 'yes' : 'no') : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="data-table">
        <caption>{t('tableYears')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('colYear')}</th>
            <th scope="col">{t('colQuarters')}</th>
            <th scope="col">{t('colValue')}</th>
            <th scope="col">{t('colCi')}</th>
            <th scope="col">{t('colTarget')}</th>
            <th scope="col">{t('colGap')}</th>
            <th scope="col">{t('colStatus')}</th>
          </tr>
        </thead>
        <tbody>
          {series.years.map((y) => (
            <tr key={y.year}>
              <th scope="row">
                {y.year}
                {y.provisional && <span className="badge">{provisionalLabel(t, y.waves)}</span>}
              </th>
              <td>{y.waves}</td>
              <td>{formatValue(locale, y.value)}</td>
              <td>{formatCi(locale, y.ci95)}</td>
              <td>{y.target === null ? '—' : formatValue(locale, y.target)}</td>
              <td>{y.gap === null ? '—' : formatDelta(locale, y.gap)}</td>
              <td className="text">
                {y.status ? (
                  <span className="table-status">
                    <StatusIcon status={y.status} /> {t(`status_${y.status}`)}
                  </span>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
