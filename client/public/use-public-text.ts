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
