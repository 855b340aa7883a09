import { useLocale } from '../i18n/use-locale';
import { Page } from './page-shell';
import './survey-skeleton.css';

/**
 * The respondent page while its code or questionnaire loads: the same grey shape as the static
 * skeleton in client/index.html (same classes, survey-skeleton.css), so the hand-over from the
 * HTML to React to the questionnaire shows no jump, with a polite translated status line.
 */
export function SurveySkeleton() {
  const { t } = useLocale();
  return (
    <Page title={t('loadingSurvey')} wide>
      <div className="skeleton" aria-busy="true">
        <div className="skeleton__head" aria-hidden="true">
          <div>
            <span className="skeleton__line skeleton__line--title" />
            <div className="skeleton__progress" />
            <span className="skeleton__line skeleton__line--short" />
          </div>
        </div>
        <div className="skeleton__body">
          <div aria-hidden="true">
            <span className="skeleton__line skeleton__line--title" />
            <span className="skeleton__line" />
            <span className="skeleton__line" />
            <span className="skeleton__line skeleton__line--short" />
            <div className="skeleton__card">
              <span className="skeleton__line skeleton__line--title" />
              <div className="skeleton__row"><span className="skeleton__line" /></div>
              <div className="skeleton__row"><span className="skeleton__line" /></div>
            </div>
          </div>
          <p className="skeleton__status" role="status">
            {t('loadingSurvey')}
          </p>
        </div>
      </div>
    </Page>
  );
}
