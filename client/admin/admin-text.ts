// The console's words and numbers in the page language (the shared locale of client/i18n). Its
// catalogue is its own (client/admin/messages-*.ts), so no other audience's bundle carries it.
import { useMemo } from 'react';
import type { Locale } from '../i18n/locale';
import { useLocale } from '../i18n/use-locale';
import { adminEn, type AdminMessageKey, type AdminMessages } from './messages-en';
import { adminKk } from './messages-kk';
import { adminRu } from './messages-ru';

export const ADMIN_CATALOGUES: Record<Locale, AdminMessages> = { kk: adminKk, ru: adminRu, en: adminEn };
export type Vars = Record<string, string | number>;
export type { AdminMessageKey };

/** The console message `key` in `locale`, `{name}` placeholders replaced from `vars`. */
export function adminText(locale: Locale, key: AdminMessageKey, vars?: Vars): string {
  const template = ADMIN_CATALOGUES[locale][key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Whether `key` is a message of the catalogue (for keys built from a server code). */
export function isAdminKey(key: string): key is AdminMessageKey {
  return Object.prototype.hasOwnProperty.call(adminEn, key);
}

// Kazakh writes numbers as Russian does (decimal comma, a space between thousands), and
// Chromium's ICU has no Kazakh number symbols, so kk borrows ru's (as the dashboard does).
const NUMBER_TAG: Record<Locale, string> = { kk: 'ru-RU', ru: 'ru-RU', en: 'en-GB' };

/** A whole number with the language's grouping. Example: formatCount('en', 1503) === '1,503'. */
export function formatCount(locale: Locale, n: number): string {
  return new Intl.NumberFormat(NUMBER_TAG[locale], { maximumFractionDigits: 0 }).format(n);
}

/** A number with `digits` decimals. Example: formatNumber('ru', 80.614, 2) === '80,61'. */
export function formatNumber(locale: Locale, n: number, digits = 1): string {
  return new Intl.NumberFormat(NUMBER_TAG[locale], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n).replace('-', '\u2212');
}

/** A share as a per cent with one decimal. Example: formatPercent('en', 0.1234) === '12.3%'. */
export function formatPercent(locale: Locale, share: number): string {
  return `${formatNumber(locale, share * 100, 1)}${locale === 'en' || locale === 'kk' ? '%' : '\u00a0%'}`;
}

/** An ISO timestamp as date and time in UTC (every researcher sees the same clock): "2026-11-29 15:04 UTC". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

export interface AdminText {
  locale: Locale;
  t: (key: AdminMessageKey, vars?: Vars) => string;
  count: (n: number) => string;
  num: (n: number, digits?: number) => string;
  percent: (share: number) => string;
  /** The reader's language's version of a three-language text. */
  pick: (text: Partial<Record<Locale, string>> | null | undefined) => string;
}

export function useAdminText(): AdminText {
  const { locale } = useLocale();
  return useMemo<AdminText>(
    () => ({
      locale,
      t: (key, vars) => adminText(locale, key, vars),
      count: (n) => formatCount(locale, n),
      num: (n, digits) => formatNumber(locale, n, digits),
      percent: (share) => formatPercent(locale, share),
      pick: (text) => (text ? (text[locale] ?? text.en ?? text.ru ?? text.kk ?? '') : ''),
    }),
    [locale],
  );
}
