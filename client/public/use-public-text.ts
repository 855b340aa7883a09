import { useMemo } from 'react';
import type { Locale } from '../i18n/locale';
import { useLocale } from '../i18n/use-locale';
import type { Text } from './api';
import { publicText, type Vars } from './format';
import type { PublicMessageKey } from './messages-en';

export interface PublicText {
  locale: Locale;
  t: (key: PublicMessageKey, vars?: Vars) => string;
  /** The reader's language's version of a text from the API. */
  pick: (text: Text) => string;
}

/** The dashboard's strings in the page language (the shared locale of client/i18n). */
export function usePublicText(): PublicText {
  const { locale } = useLocale();
  return useMemo(() => ({ locale, t: (key, vars) => publicText(locale, key, vars), pick: (text) => text[locale] }), [locale]);
}

/**
 * How a provisional year is labelled (METHODOLOGY §5: provisional until the year is over and four
 * waves are published): the quarters still missing, or, with all four in, that the year is not over.
 */
export function provisionalLabel(t: PublicText['t'], waves: number): string {
  return waves >= 4 ? t('provisionalYearOpen') : t('provisional', { waves });
}
