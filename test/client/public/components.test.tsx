// The dashboard's pieces rendered to HTML (react-dom/server, no browser): what a reader is told in
// each state, in each language. The browser behaviour is in test/e2e/dashboard.test.ts.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import type { Locale } from '../../../client/i18n/locale';
import { LocaleProvider } from '../../../client/i18n/use-locale';
import type { BreakdownsResponse, IndicatorHeadline, IndicatorsResponse, PeriodsResponse, SeriesResponse } from '../../../client/public/api';
import { HeadlineCards } from '../../../client/public/headline-cards';
import { publicEn } from '../../../client/public/messages-en';
import { publicKk } from '../../../client/public/messages-kk';
import { publicRu } from '../../../client/public/messages-ru';
import { DemoBanner, EmptyState, isPublished, LoadError } from '../../../client/public/states';
import { trendPoints } from '../../../client/public/trend-chart';
import { WhoDiffers } from '../../../client/public/who-differs';
import { publicText } from '../../../client/public/format';
import indicatorsJson from '../../fixtures/public-api/indicators.json';
import periodsJson from '../../fixtures/public-api/periods.json';
import seriesJson from '../../fixtures/public-api/series.json';
import breakdownsJson from '../../fixtures/public-api/breakdowns.json';
import emptyIndicatorsJson from '../../fixtures/public-api/empty-indicators.json';

const INDICATORS = indicatorsJson as unknown as IndicatorsResponse;
const PERIODS = (periodsJson as unknown as PeriodsResponse).periods;
const CATALOGUES = { kk: publicKk, ru: publicRu, en: publicEn };
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
const render = (locale: Locale, node: React.ReactNode) => text(renderToStaticMarkup(<LocaleProvider initial={locale}>{node}</LocaleProvider>));

describe('headline cards', () => {
  test.each(['kk', 'ru', 'en'] as const)('status and progress in words (%s)', (locale) => {
    const out = render(locale, <HeadlineCards indicators={INDICATORS.indicators} periods={PERIODS} />);
    const t = CATALOGUES[locale];
    for (const i of INDICATORS.indicators) {
      expect(out).toContain(i.name[locale]);
      expect(out).toContain(t[`status_${i.latestYear?.status}` as keyof typeof t]);
      expect(out).toContain(t[`progress_${i.progress?.category}` as keyof typeof t]);
    }
    expect(out).toContain(publicText(locale, 'provisional', { waves: 3 }));
  });

  test('a provisional year with all four quarters in says the year is not over, not "4 of 4"', () => {
    const [first] = INDICATORS.indicators;
    const full: IndicatorHeadline = { ...first, latestYear: { ...first.latestYear!, provisional: true, waves: 4 } };
    const out = render('ru', <HeadlineCards indicators={[full]} periods={PERIODS} />);
    expect(out).toContain(publicText('ru', 'provisionalYearOpen'));
    expect(out).not.toContain(publicText('ru', 'provisional', { waves: 4 }));
  });

  test('an indicator without a published year says so instead of showing a number', () => {
    const bare: IndicatorHeadline = { ...INDICATORS.indicators[0], latestYear: null, latestWave: null, progress: null };
    const out = render('en', <HeadlineCards indicators={[bare]} periods={[]} />);
    expect(out).toContain(publicEn.noYear);
    expect(out).toContain(publicEn.noProgress);
    expect(out).not.toMatch(/\d+\.\d/);
  });

  test('a revised latest quarter and an illustrative frame are said next to the numbers', () => {
    const base = INDICATORS.indicators[0];
    const revised: IndicatorHeadline = { ...base, latestWave: base.latestWave && { ...base.latestWave, revised: true } };
    const out = render('en', <HeadlineCards indicators={[revised]} periods={PERIODS} />);
    expect(out).toContain(publicEn.revisedNote);
    expect(out).toContain(publicText('en', 'illustrative', { name: 'Illustrative frame 2026' }));
    const official = render('en', <HeadlineCards indicators={[base]} periods={PERIODS.map((p) => ({ ...p, frame: p.frame && { ...p.frame, illustrative: false } }))} />);
    expect(official).not.toContain('illustrative population frame');
  });
});

describe('states', () => {
  test('nothing published: the empty state lists the targets, no value', () => {
    const empty = emptyIndicatorsJson as unknown as IndicatorsResponse;
    expect(isPublished(empty, [])).toBe(false);
    expect(isPublished(INDICATORS, PERIODS)).toBe(true);
    expect(isPublished(INDICATORS, [])).toBe(false);
    const out = render('ru', <EmptyState indicators={empty.indicators} />);
    expect(out).toContain(publicRu.emptyTitle);
    expect(out).toContain('81,0 (80,9)');
    expect(out).toContain('69,5');
  });

  test('demo data and an API error are said in the reader language', () => {
    expect(render('kk', <DemoBanner />)).toContain(publicKk.demoBanner);
    const out = render('en', <LoadError onRetry={() => undefined} />);
    expect(out).toContain(publicEn.errorTitle);
    expect(out).toContain(publicEn.retry);
  });
});

describe('who differs', () => {
  const props = {
    indicators: INDICATORS.indicators,
    periods: PERIODS,
    choice: { indicator: 'consensus' as const, period: '2026-Q3', by: 'region' as const },
    onChange: () => undefined,
    national: 80.74,
    onRetry: () => undefined,
  };
  const breakdown = (breakdownsJson as unknown as Record<string, BreakdownsResponse>)['2026-Q3|region'];

  test('a suppressed region gets no number, only "fewer than 30 respondents"', () => {
    const html = renderToStaticMarkup(
      <LocaleProvider initial="en">
        <WhoDiffers {...props} breakdown={{ state: 'ready', data: breakdown }} />
      </LocaleProvider>,
    );
    const tile = /<li class="tile tile--suppressed"[^>]*data-region="KZ-62"[^>]*>(.*?)<\/li>/.exec(html);
    expect(tile).not.toBeNull();
    expect(text(tile?.[1] ?? '')).toBe(' Ulytau Region fewer than 30 respondents ');
    expect((html.match(/class="tile[ "]/g) ?? []).length).toBe(20);
  });

  test('loading and failure are states, not blank charts', () => {
    expect(render('ru', <WhoDiffers {...props} breakdown={{ state: 'loading' }} />)).toContain(publicRu.loading);
    const failed = render('ru', <WhoDiffers {...props} breakdown={{ state: 'error', error: new Error('503') }} />);
    expect(failed).toContain(publicRu.errorTitle);
    expect(failed).toContain(publicRu.retry);
  });
});

describe('trend points', () => {
  test('every quarter and year, in reading order, each with value, CI and n', () => {
    const series = (seriesJson as unknown as Record<string, SeriesResponse>).consensus;
    const t = { locale: 'en' as const, t: (k: keyof typeof publicEn, v?: Record<string, string | number>) => publicText('en', k, v), pick: (x: { en: string }) => x.en };
    const points = trendPoints(series, t);
    expect(points).toHaveLength(series.waves.length + series.years.length);
    expect(points.map((p) => p.period)).toEqual(['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2025', '2026-Q1', '2026-Q2', '2026-Q3', '2026']);
    const q = points.find((p) => p.period === '2026-Q2');
    expect(q?.text).toMatch(/^Q2 2026: 80\.6 \(95 % CI \d+\.\d\d–\d+\.\d\d\), n = 1,521 \(revised\)$/);
  });
});
