import { useEffect, type ReactNode } from 'react';
import { LanguageSwitch } from '../i18n/language-switch';
import { useLocale } from '../i18n/use-locale';
import { followLink } from '../router';

/**
 * Every screen's frame: the brand (a link home) and the language switch on top, so the language
 * can be changed anywhere, then the screen. `title` becomes the document title.
 */
export function PageShell({ title, wide = false, children }: { title: string; wide?: boolean; children: ReactNode }) {
  const { t } = useLocale();
  useEffect(() => {
    document.title = title === t('brand') ? title : `${title} · ${t('brand')}`;
  }, [title, t]);
  return (
    <>
      <header className="shell__header">
        <a className="shell__brand" href="/" onClick={followLink} aria-label={t('homeLink')}>
          {t('brand')}
        </a>
        <LanguageSwitch />
      </header>
      <main id="main" className={wide ? 'shell__main shell__main--wide' : 'shell__main'}>
        {children}
      </main>
    </>
  );
}
