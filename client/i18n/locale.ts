// Locale codes are the ones SurveyJS uses (decision 001): Kazakh is the default. The list itself is
// contract/locales.ts, shared with the server and the database schema.
import { isLocale, LOCALES, type Locale } from '../../contract/locales';
import { en, type MessageKey, type Messages } from './messages-en';
import { kk } from './messages-kk';
import { ru } from './messages-ru';

export { isLocale, LOCALES, type Locale };
export const DEFAULT_LOCALE: Locale = 'kk';

/** Each language named in itself, in the order of the switch: "Қазақша / Русский / English". */
export const LOCALE_NAMES: Record<Locale, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

export const CATALOGUES: Record<Locale, Messages> = { kk, ru, en };

export const LOCALE_STORAGE_KEY = 'kelisim:locale';

/**
 * The page language: a remembered choice wins; otherwise the first of the browser's preferred
 * languages that we have (matching on the primary subtag, so "ru-KZ" → ru); otherwise Kazakh.
 * Example: pickLocale(null, ['de-DE', 'ru-RU', 'kk']) === 'ru'.
 */
export function pickLocale(stored: string | null, preferred: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLocale(primary)) return primary;
  }
  return DEFAULT_LOCALE;
}

/** The message for `key` in `locale`, with `{name}` placeholders replaced from `vars`. */
export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string | number>): string {
  const template = CATALOGUES[locale][key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
