import { describe, expect, test } from 'vitest';
import { CATALOGUES, DEFAULT_LOCALE, LOCALE_NAMES, LOCALES, pickLocale, translate } from '../../../client/i18n/locale';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('pickLocale', () => {
  test('a remembered choice wins over the browser languages', () => {
    expect(pickLocale('en', ['ru-RU', 'kk'])).toBe('en');
  });

  test('the first browser language we have, matched on its primary subtag', () => {
    expect(pickLocale(null, ['de-DE', 'ru-KZ', 'kk'])).toBe('ru');
    expect(pickLocale(null, ['KK'])).toBe('kk');
    expect(pickLocale(null, ['en-GB', 'ru'])).toBe('en');
  });

  test('Kazakh when nothing matches, and a stored value that is not a locale is ignored', () => {
    expect(pickLocale(null, ['de', 'fr-FR'])).toBe('kk');
    expect(pickLocale(null, [])).toBe(DEFAULT_LOCALE);
    expect(pickLocale('de', ['ru'])).toBe('ru');
    expect(pickLocale('', [])).toBe('kk');
  });
});

describe('catalogues', () => {
  test('the switch reads "Қазақша / Русский / English"', () => {
    expect(LOCALES.map((l) => LOCALE_NAMES[l]).join(' / ')).toBe('Қазақша / Русский / English');
  });

  test('every message is non-empty in every language and keeps the English placeholders', () => {
    for (const locale of LOCALES) {
      for (const [key, english] of Object.entries(CATALOGUES.en)) {
        const text = CATALOGUES[locale][key as keyof typeof CATALOGUES.en];
        expect(text.trim(), `${locale}.${key}`).not.toBe('');
        expect(placeholders(text), `${locale}.${key}`).toEqual(placeholders(english));
      }
    }
  });

  test('Kazakh and Russian are translations, not English copies (only the brand is shared)', () => {
    for (const locale of ['kk', 'ru'] as const) {
      const same = Object.keys(CATALOGUES.en).filter((k) => CATALOGUES[locale][k as keyof typeof CATALOGUES.en] === CATALOGUES.en[k as keyof typeof CATALOGUES.en]);
      expect(same, locale).toEqual(['brand']);
    }
  });
});

describe('translate', () => {
  test('picks the language and fills placeholders', () => {
    expect(translate('ru', 'thanksTitle')).toBe('Спасибо!');
    expect(translate('kk', 'thanksTitle')).toBe('Рақмет!');
    expect(translate('en', 'goHome', { unused: 1 })).toBe('Go to the home page');
  });
});
