// Numbers, periods and dates as each language writes them (Intl): "80,6" in kk and ru, "80.6" in
// en. The API's numbers are unrounded; rounding happens here, at the screen (one decimal for
// values and gaps, two for confidence limits: the house style of docs/PUBLIC-API.md).
import type { Locale } from '../i18n/locale';
import { publicEn, type PublicMessageKey, type PublicMessages } from './messages-en';
import { publicKk } from './messages-kk';
import { publicRu } from './messages-ru';

export const PUBLIC_CATALOGUES: Record<Locale, PublicMessages> = { kk: publicKk, ru: publicRu, en: publicEn };

/**
 * BCP 47 tags for Intl's number formats. Kazakh writes numbers as Russian does (decimal comma,
 * a space between thousands: "1 503,5"), and Chromium's bundled ICU data has no Kazakh number
 * symbols (Intl.NumberFormat('kk-KZ') gives "80.6" there, "80,6" in Node), so kk borrows ru's.
 */
const NUMBER_TAG: Record<Locale, string> = { kk: 'ru-RU', ru: 'ru-RU', en: 'en-GB' };

// Kazakh month names (genitive-free, as in dates), for the same reason: Chromium formats a kk date
// as "2026 M11 29". CLDR's Kazakh long date pattern is "y 'ж'. d MMMM".
const KK_MONTHS = ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'];

export type Vars = Record<string, string | number>;

/** The dashboard message `key` in `locale`, `{name}` placeholders replaced from `vars`. */
export function publicText(locale: Locale, key: PublicMessageKey, vars?: Vars): string {
  const template = PUBLIC_CATALOGUES[locale][key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}:${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(NUMBER_TAG[locale], options);
    numberFormats.set(key, f);
  }
  return f;
}

/** A value on the 0–100 scale, one decimal. Example: formatValue('kk', 80.614) === '80,6'. */
export function formatValue(locale: Locale, value: number, digits = 1): string {
  return numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** A confidence interval, two decimals, with an en dash. Example: formatCi('en', [79.591, 81.634]) === '79.59–81.63'. */
export function formatCi(locale: Locale, ci: readonly [number, number]): string {
  return `${formatValue(locale, ci[0], 2)}–${formatValue(locale, ci[1], 2)}`;
}

/** A difference in points with its sign (a true minus sign), one decimal. Example: formatDelta('ru', -0.45) === '−0,5'. */
export function formatDelta(locale: Locale, delta: number): string {
  const text = numberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(delta);
  return text.replace('-', '\u2212');
}

/** A small number with two significant digits. Example: formatSmall('en', 0.0000021) === '2.1E-6'. */
export function formatSmall(locale: Locale, value: number): string {
  return numberFormat(locale, { notation: 'scientific', maximumSignificantDigits: 2 }).format(value);
}

/** A whole number with the language's grouping. Example: formatCount('en', 1503) === '1,503'. */
export function formatCount(locale: Locale, n: number): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/** A ratio as a per cent of the required pace. Example: formatShare('en', 0.72) === '72%'. */
export function formatShare(locale: Locale, ratio: number): string {
  // Kazakh writes the sign without a space ("72%"), Russian with one ("72 %").
  const text = locale === 'kk' ? `${formatCount(locale, Math.round(ratio * 100))}%` : numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
  return text.replace('-', '\u2212');
}

/** A calendar date (an ISO timestamp's day, in UTC so that every reader sees the same day). */
export function formatDate(locale: Locale, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (locale === 'kk') return `${date.getUTCFullYear()} ж. ${date.getUTCDate()} ${KK_MONTHS[date.getUTCMonth()]}`;
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/** A published period: "2026-Q3" → "Q3 2026" (en), "3 кв. 2026" (ru), "2026 ж. 3-тоқсан" (kk); "2026" → "2026 год"… */
export function formatPeriod(locale: Locale, period: string): string {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) return publicText(locale, 'periodQuarter', { year: quarter[1], quarter: quarter[2] });
  if (/^\d{4}$/.test(period)) return publicText(locale, 'periodYear', { year: period });
  return period;
}

/** The period's position on a time axis: the middle of its quarter or year, as a Date. */
export function periodMidpoint(period: string): Date {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) return new Date(Date.UTC(Number(quarter[1]), (Number(quarter[2]) - 1) * 3 + 1, 15));
  return new Date(Date.UTC(Number(period), 6, 1));
}

/**
 * Whole-number axis ticks from lo to hi, at most about `max` of them (a step of 1, 2 or 5), so a
 * tick label never repeats when values are shown without decimals. Example: integerTicks(78.2, 83.9) → [79, 80, 81, 82, 83].
 */
export function integerTicks(lo: number, hi: number, max = 8): number[] {
  const span = Math.max(1, Math.floor(hi) - Math.ceil(lo));
  const step = [1, 2, 5, 10, 20, 50].find((s) => span / s <= max) ?? 100;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) ticks.push(v);
  return ticks;
}
