import { useEffect, type ReactNode } from 'react';
import { LanguageSwitch } from '../i18n/language-switch';
import { useLocale } from '../i18n/use-locale';
import { followLink } from '../router';

/**
 * Every screen's frame: the brand (a link home) and the language switch on top, so the language can
 * be changed anywhere. Rendered once by the app, outside the routes, so the header's DOM stays the
 * same while a screen loads or changes (a click on the switch is never lost to a re-mount).
 */
export function PageShell({ children }: { children: ReactNode }) {
  const { t } = useLocale();
  return (
    <>
      <header className="shell__header">
        <a className="shell__brand" href="/" onClick={followLink} aria-label={t('homeLink')}>
          {t('brand')}
        </a>
        <LanguageSwitch />
      </header>
      <main id="main" className="shell__main">
        {children}
      </main>
    </>
  );
}

/** A screen's content column: readable width, or the full width (the survey brings its own). */
export function Page({ title, wide = false, children }: { title: string; wide?: boolean; children: ReactNode }) {
  const { t } = useLocale();
  useEffect(() => {
    document.title = title === t('brand') ? title : `${title} · ${t('brand')}`;
  }, [title, t]);
  return <div className={wide ? 'page page--wide' : 'page'}>{children}</div>;
}
