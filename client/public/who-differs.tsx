import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'react';
import {
  BREAKDOWNS,
  breakdownsPath,
  csvUrl,
  type BreakdownBy,
  type BreakdownLevel,
  type BreakdownsResponse,
  type IndicatorHeadline,
  type IndicatorId,
  type PublishedPeriod,
} from './api';
import { ChartFrame } from './chart-frame';
import { formatCi, formatCount, formatPeriod, formatValue, integerTicks } from './format';
import { illustrativeFrames, pickablePeriods } from './periods';
import { PlotFigure } from './plot-figure';
import { REGION_TILES, TILE_COLS, TILE_ROWS } from './region-tiles';
import { tipText, WAVE_COLOUR } from './trend-chart';
import type { Loaded } from './use-api';
import { usePublicText } from './use-public-text';

// Tile colours run from a pale to the brand violet; the value itself sits on a white label inside
// the tile, so its contrast never depends on the fill (WCAG 1.4.3), and the hatch of a suppressed
// unit is a pattern, not a colour (1.4.1).
const TILE_RANGE = ['#ece8f8', WAVE_COLOUR];

export interface WhoDiffersChoice {
  indicator: IndicatorId;
  period: string;
  by: BreakdownBy;
}

export function WhoDiffers({
  indicators,
  periods,
  choice,
  onChange,
  breakdown,
  national,
  onRetry,
}: {
  indicators: IndicatorHeadline[];
  periods: PublishedPeriod[];
  choice: WhoDiffersChoice;
  onChange: (next: WhoDiffersChoice) => void;
  breakdown: Loaded<BreakdownsResponse>;
  national: number | null;
  onRetry: () => void;
}) {
  const { locale, t, pick } = usePublicText();
  const indicator = indicators.find((i) => i.id === choice.indicator) ?? indicators[0];
  const periodText = formatPeriod(locale, choice.period);
  const frames = illustrativeFrames(periods, choice.period);
  const levels = breakdown.state === 'ready' ? (breakdown.data.indicators.find((i) => i.id === choice.indicator)?.levels ?? null) : null;

  let body;
  if (breakdown.state === 'loading') body = <p className="status" role="status">{t('loading')}</p>;
  else if (breakdown.state === 'error')
    body = (
      <div className="notice" role="alert">
        <p className="notice__title">{t('errorTitle')}</p>
        <p>{t('errorBody')}</p>
        <button type="button" className="button" onClick={onRetry}>{t('retry')}</button>
      </div>
    );
  else if (!levels || levels.length === 0) body = <p>{t('noBreakdown')}</p>;
  else {
    const title = `${pick(indicator.name)}: ${periodText}, ${t(`by_${choice.by}`)}`;
    body = (
      <ChartFrame
        title={title}
        csvHref={csvUrl(breakdownsPath(choice.period, choice.by), locale)}
        csvName={`kelisim-${choice.period}-${choice.by}-${locale}.csv`}
        chart={
          choice.by === 'region' ? (
            <RegionGrid levels={levels} label={t('regionGridLabel', { indicator: pick(indicator.name), period: periodText })} />
          ) : (
            <GroupChart
              levels={levels}
              national={national}
              label={t('groupChartLabel', { indicator: pick(indicator.name), period: periodText, by: t(`by_${choice.by}`) })}
            />
          )
        }
        table={<BreakdownTable levels={levels} national={national} />}
        notes={
          <>
            {national !== null && <p className="national-note">{t('nationalValue', { value: formatValue(locale, national) })}</p>}
            {levels.some((l) => l.lowPrecision) && <p className="chart-help">{t('lowPrecisionNote')}</p>}
            {frames.length > 0 && <p className="illustrative-note">{t('illustrative', { name: frames.join(', ') })}</p>}
          </>
        }
      />
    );
  }

  return (
    <section aria-labelledby="who-title" className="dash-section">
      <h2 id="who-title">{t('whoTitle')}</h2>
      <p>{t('whoLead')}</p>
      <div className="controls">
        <label>
          <span>{t('pickIndicator')}</span>
          <select value={choice.indicator} onChange={(e) => onChange({ ...choice, indicator: e.target.value as IndicatorId })}>
            {indicators.map((i) => (
              <option key={i.id} value={i.id}>{pick(i.name)}</option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('pickPeriod')}</span>
          <select value={choice.period} onChange={(e) => onChange({ ...choice, period: e.target.value })}>
            {pickablePeriods(periods).map((p) => (
              <option key={p} value={p}>{formatPeriod(locale, p)}</option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('pickBreakdown')}</span>
          <select value={choice.by} onChange={(e) => onChange({ ...choice, by: e.target.value as BreakdownBy })}>
            {BREAKDOWNS.map((b) => (
              <option key={b} value={b}>{t(`by_${b}`)}</option>
            ))}
          </select>
        </label>
      </div>
      {body}
    </section>
  );
}

/** The 20 units as equal squares where they roughly lie; colour by value, hatched when suppressed. */
function RegionGrid({ levels, label }: { levels: BreakdownLevel[]; label: string }) {
  const { locale, t, pick } = usePublicText();
  const byCode = new Map(levels.map((l) => [l.level, l]));
  const domain = useMemo<[number, number] | null>(() => {
    const values = levels.filter((l) => l.value !== null).map((l) => l.value as number);
    return values.length > 0 ? [Math.min(...values), Math.max(...values)] : null;
  }, [levels]);
  const colour = useMemo(() => (domain ? Plot.scale({ color: { type: 'linear', domain, range: TILE_RANGE } }) : null), [domain]);
  const legend = useCallback(
    (width: number) =>
      Plot.legend({
        color: { type: 'linear', domain: domain ?? [0, 100], range: TILE_RANGE },
        width: Math.min(width, 320),
        ticks: integerTicks((domain ?? [0, 100])[0], (domain ?? [0, 100])[1], 6),
        tickFormat: (d: number) => formatValue(locale, d, 0),
        style: { color: '#111111', fontSize: '12px' },
      }),
    [domain, locale],
  );
  return (
    <>
      <div className="tile-scroll" tabIndex={0} role="region" aria-label={label}>
        <ol className="tiles" style={{ gridTemplateColumns: `repeat(${TILE_COLS}, minmax(5.5rem, 1fr))`, gridTemplateRows: `repeat(${TILE_ROWS}, auto)` }}>
          {REGION_TILES.map((tile) => {
            const level = byCode.get(tile.code);
            const name = level ? pick(level.label) : tile.code;
            const suppressed = level?.suppressed ?? false;
            const fill = level && level.value !== null && colour ? String(colour.apply(level.value)) : undefined;
            return (
              <li
                key={tile.code}
                className={suppressed ? 'tile tile--suppressed' : level?.value == null ? 'tile tile--missing' : 'tile'}
                style={{ gridRow: tile.row + 1, gridColumn: tile.col + 1, background: suppressed ? undefined : fill }}
                data-region={tile.code}
              >
                <span className="tile__label">
                  <span className="tile__name">{name}</span>
                  {suppressed ? (
                    <span className="tile__suppressed">{t('suppressed')}</span>
                  ) : level && level.value !== null ? (
                    <span className="tile__value">
                      {formatValue(locale, level.value)}
                      {level.lowPrecision && <span className="tile__low"> ({t('lowPrecision')})</span>}
                    </span>
                  ) : (
                    <span className="tile__value">—</span>
                  )}
                </span>
              </li>
            );
          })}
        </ol>
      </div>
      <div className="tile-legend">
        {domain && (
          <div className="colour-legend">
            <p>{t('colourLegend')}</p>
            <PlotFigure make={legend} className="plot-legend" />
          </div>
        )}
        <p className="hatch-legend">
          <span className="swatch swatch--hatch" aria-hidden="true" />
          {t('hatchedLegend')}
        </p>
      </div>
    </>
  );
}

/** Dot-and-whisker rows: each group's value with its 95 % CI, sorted, the national value as a line. */
function GroupChart({ levels, national, label }: { levels: BreakdownLevel[]; national: number | null; label: string }) {
  const { locale, t, pick } = usePublicText();
  const shown = useMemo(() => levels
    .filter((l) => !l.suppressed && l.value !== null && l.ci95 !== null)
    .map((l) => ({
      label: pick(l.label) + (l.lowPrecision ? ` (${t('lowPrecision')})` : ''),
      value: l.value as number,
      lo: (l.ci95 as [number, number])[0],
      hi: (l.ci95 as [number, number])[1],
      low: l.lowPrecision,
      text: `${pick(l.label)}: ${formatValue(locale, l.value as number)} (${t('colCi')} ${formatCi(locale, l.ci95 as [number, number])}), n = ${formatCount(locale, l.n ?? 0)}`,
    }))
    .sort((a, b) => b.value - a.value), [levels, locale, t, pick]);
  const suppressed = levels.filter((l) => l.suppressed);
  const make = useCallback(
    (width: number) => {
      const longest = Math.max(...shown.map((r) => r.label.length), 4);
      const marginLeft = Math.min(Math.round(width * 0.45), 12 + longest * 6.6);
      const xs = [...shown.flatMap((r) => [r.lo, r.hi]), ...(national === null ? [] : [national])];
      const domain: [number, number] = [Math.floor(Math.min(...xs) - 1), Math.ceil(Math.max(...xs) + 1)];
      return Plot.plot({
        width,
        height: 40 + shown.length * 34,
        marginLeft,
        marginRight: 16,
        ariaLabel: label,
        style: { fontSize: '12px', color: '#111111', background: 'transparent' },
        x: { domain, ticks: integerTicks(domain[0], domain[1], width < 480 ? 5 : 10), grid: true, label: null, tickFormat: (d: number) => formatValue(locale, d, 0) },
        y: { domain: shown.map((r) => r.label), label: null },
        marks: [
          national === null ? null : Plot.ruleX([national], { stroke: '#111111', strokeDasharray: '4 3', strokeWidth: 1.5 }),
          Plot.ruleY(shown, { y: 'label', x1: 'lo', x2: 'hi', stroke: WAVE_COLOUR, strokeWidth: 2 }),
          Plot.dot(shown, { y: 'label', x: 'value', r: 5, stroke: WAVE_COLOUR, strokeWidth: 2, fill: (d: { low: boolean }) => (d.low ? '#ffffff' : WAVE_COLOUR) }),
          Plot.tip(shown, Plot.pointerY({ y: 'label', x: 'value', title: tipText, fontSize: 12, lineWidth: 32 })),
        ],
      });
    },
    [shown, national, label, locale],
  );
  return (
    <>
      {shown.length > 0 && <PlotFigure make={make} />}
      {suppressed.length > 0 && (
        <ul className="suppressed-list">
          {suppressed.map((l) => (
            <li key={l.level}>
              <span className="swatch swatch--hatch" aria-hidden="true" />
              {pick(l.label)}: {t('suppressed')}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function BreakdownTable({ levels, national }: { levels: BreakdownLevel[]; national: number | null }) {
  const { locale, t, pick } = usePublicText();
  const sorted = [...levels].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">{t('colGroup')}</th>
          <th scope="col">{t('colValue')}</th>
          <th scope="col">{t('colCi')}</th>
          <th scope="col">{t('colN')}</th>
          <th scope="col">{t('colNote')}</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((l) => (
          <tr key={l.level}>
            <th scope="row">{pick(l.label)}</th>
            <td>{l.value === null ? '—' : formatValue(locale, l.value)}</td>
            <td>{l.ci95 === null ? '—' : formatCi(locale, l.ci95)}</td>
            <td>{l.n === null ? '—' : formatCount(locale, l.n)}</td>
            <td className="text">{l.suppressed ? t('suppressed') : l.lowPrecision ? t('lowPrecision') : ''}</td>
          </tr>
        ))}
      </tbody>
      {national !== null && (
        <tfoot>
          <tr>
            <th scope="row">{t('nationalRow')}</th>
            <td>{formatValue(locale, national)}</td>
            <td colSpan={3} />
          </tr>
        </tfoot>
      )}
    </table>
  );
}
