import { LOCALES, LOCALE_NAMES } from './locale';
import { useLocale } from './use-locale';

/**
 * "Қазақша / Русский / English": each name in its own language (and marked with `lang`, so screen
 * readers pronounce it right); the current one is a pressed toggle button.
 */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useLocale();
  return (
    <nav className="language-switch" aria-label={t('languageSwitchLabel')}>
      {LOCALES.map((code, index) => (
        <span key={code} className="language-switch__item">
          {index > 0 && <span aria-hidden="true" className="language-switch__separator"> / </span>}
          <button
            type="button"
            lang={code}
            aria-pressed={code === locale}
            className="language-switch__button"
            onClick={() => setLocale(code)}
          >
            {LOCALE_NAMES[code]}
          </button>
        </span>
      ))}
    </nav>
  );
}
