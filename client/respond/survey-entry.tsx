// The survey code (survey-core + survey-react-ui, ~410 KB compressed with its CSS), loaded lazily by
// respond-page.tsx so that the page, its session and a light first page (first-page-preview.tsx)
// come first (decision 023). The fontless stylesheet: the default one pulls Open Sans from Google's
// servers, which a respondent's browser should not be sent to (privacy; and it fails offline or
// behind filters).
import 'survey-core/survey-core.fontless.min.css';
import './survey-locales';

export { SurveyView as default } from './survey-view';
