import { MessageScreen } from '../design/message-screen';
import { Page } from '../design/page-shell';
import { useLocale } from '../i18n/use-locale';
import { followLink } from '../router';

export function NotFoundPage() {
  const { t } = useLocale();
  return (
    <Page title={t('notFoundTitle')}>
      <MessageScreen
        title={t('notFoundTitle')}
        action={
          <a className="button" href="/" onClick={followLink}>
            {t('goHome')}
          </a>
        }
      >
        <p>{t('notFoundBody')}</p>
      </MessageScreen>
    </Page>
  );
}
