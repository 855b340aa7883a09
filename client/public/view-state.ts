// The dashboard's shareable state lives in the query string (decision 014):
// /?indicator=tolerance&period=2026-Q3&by=region&lang=ru, and ?page=method for the method page.
// Unknown or malformed values fall back to the defaults, so an old or mangled link still opens.
import { isLocale, type Locale } from '../i18n/locale';
import { BREAKDOWNS, INDICATOR_IDS, type BreakdownBy, type IndicatorId } from './api';

export type PublicPage = 'dashboard' | 'method';

export interface ViewState {
  page: PublicPage;
  indicator: IndicatorId;
  /** A published wave ("2026-Q3") or year ("2026"); null = the latest published period. */
  period: string | null;
  by: BreakdownBy;
  /** The language asked for in the link; null = the reader's own choice. */
  lang: Locale | null;
}

export const DEFAULT_VIEW: ViewState = { page: 'dashboard', indicator: 'consensus', period: null, by: 'region', lang: null };

const PERIOD = /^\d{4}(-Q[1-4])?$/;

/** Example: parseView('?indicator=mood&by=sex&lang=en') → { page: 'dashboard', indicator: 'mood', period: null, by: 'sex', lang: 'en' }. */
export function parseView(search: string): ViewState {
  const q = new URLSearchParams(search);
  const indicator = q.get('indicator');
  const by = q.get('by');
  const period = q.get('period');
  const lang = q.get('lang');
  return {
    page: q.get('page') === 'method' ? 'method' : 'dashboard',
    indicator: INDICATOR_IDS.find((id) => id === indicator) ?? DEFAULT_VIEW.indicator,
    period: period !== null && PERIOD.test(period) ? period : null,
    by: BREAKDOWNS.find((b) => b === by) ?? DEFAULT_VIEW.by,
    lang: isLocale(lang) ? lang : null,
  };
}

/** The query string of a view, leaving out defaults; other parameters in `base` are kept. */
export function viewParams(view: ViewState, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const q = new URLSearchParams(base);
  for (const key of ['page', 'indicator', 'period', 'by', 'lang']) q.delete(key);
  if (view.page !== 'dashboard') q.set('page', view.page);
  if (view.indicator !== DEFAULT_VIEW.indicator) q.set('indicator', view.indicator);
  if (view.period !== null) q.set('period', view.period);
  if (view.by !== DEFAULT_VIEW.by) q.set('by', view.by);
  if (view.lang !== null) q.set('lang', view.lang);
  return q;
}

/** A link to a view ("/?page=method&lang=kk"). */
export function viewHref(view: ViewState): string {
  const search = viewParams(view).toString();
  return search ? `/?${search}` : '/';
}
