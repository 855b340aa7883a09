// The questionnaire's first page drawn from its JSON in light HTML while the survey code
// (survey-core, ~410 KB compressed) is still on its way (decision 023): on a slow link the first
// question is visible and answerable seconds earlier. Answers given here go into the session the
// full questionnaire starts from (respond-page.tsx), so none is lost when it takes over.
//
// Only what the first page shows with no answers yet: html elements (folded as survey-core's are,
// collapse-intro.ts), yes/no questions shown as two radio buttons (boolean, renderAs "radio") and
// single-choice questions (radiogroup) that have no visibleIf. The first element of another kind,
// or with a condition, ends the preview there; with no question drawn the skeleton shows instead.
import { useId } from 'react';
import type { Locale } from '../i18n/locale';
import { useLocale } from '../i18n/use-locale';
import { SurveySkeleton } from '../design/survey-skeleton';
import { collapseIntroHtml } from './collapse-intro';
import { kazakhOverrides } from './kazakh-overrides';
import type { Session } from './load-session';
import './first-page-preview.css';

type Json = Record<string, unknown>;

/** A localizable string of the survey JSON in `locale` ("default" holds the Kazakh, decision 001). */
function text(value: unknown, locale: Locale): string {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return '';
  const v = value as Record<string, unknown>;
  const pick = v[locale] ?? (locale === 'kk' ? v['default'] : undefined) ?? v['default'];
  return typeof pick === 'string' ? pick : '';
}

// survey-core's "Page {0} of {1}" as the full questionnaire will show it (kk: our reviewed override).
const PROGRESS_TEXT: Record<Locale, string> = { kk: kazakhOverrides.progressText ?? '', ru: 'Страница {0} из {1}', en: 'Page {0} of {1}' };

export interface PreviewQuestion {
  name: string;
  title: Json | string;
  required: boolean;
  choices: { value: unknown; text: unknown }[];
}
export type PreviewElement = { kind: 'html'; name: string; html: unknown } | ({ kind: 'question' } & PreviewQuestion);
export interface PreviewPage {
  title: unknown;
  surveyTitle: unknown;
  elements: PreviewElement[];
  /** Pages a respondent with no answers yet is shown (null: not known without survey-core). */
  pageCount: number | null;
}

/** A visibleIf that is true while nothing is answered: clauses "{name} <> false" joined by "and". */
const trueWhenEmpty = (expr: unknown) => typeof expr === 'string' && /^\{\w+\} <> false( and \{\w+\} <> false)*$/.test(expr.trim());

/**
 * What the preview can draw of the questionnaire's first page, or null (nothing to draw: the page
 * is conditional, or its first element is not a plain question or html). Pure: unit-tested.
 */
export function previewOf(json: Json): PreviewPage | null {
  const pages = Array.isArray(json.pages) ? (json.pages as Json[]) : [];
  const first = pages[0];
  if (!first || first.visibleIf || !Array.isArray(first.elements)) return null;
  const elements: PreviewElement[] = [];
  for (const e of first.elements as Json[]) {
    if (e.visible === false || e.visibleIf || typeof e.name !== 'string') break;
    if (e.type === 'html') {
      elements.push({ kind: 'html', name: e.name, html: e.html });
    } else if (e.type === 'boolean' && e.renderAs === 'radio') {
      const yes = { value: e.valueTrue ?? true, text: e.labelTrue ?? { default: 'Иә', ru: 'Да', en: 'Yes' } };
      const no = { value: e.valueFalse ?? false, text: e.labelFalse ?? { default: 'Жоқ', ru: 'Нет', en: 'No' } };
      elements.push({ kind: 'question', name: e.name, title: (e.title as Json) ?? e.name, required: e.isRequired === true, choices: e.swapOrder ? [yes, no] : [no, yes] });
    } else if (e.type === 'radiogroup' && Array.isArray(e.choices) && !e.choicesOrder && !e.showOtherItem && !e.showNoneItem && !e.choicesByUrl) {
      const choices = (e.choices as unknown[]).map((c) => (c && typeof c === 'object' ? { value: (c as Json).value, text: (c as Json).text ?? (c as Json).value } : { value: c, text: String(c) }));
      elements.push({ kind: 'question', name: e.name, title: (e.title as Json) ?? e.name, required: e.isRequired === true, choices });
    } else {
      break;
    }
  }
  if (!elements.some((e) => e.kind === 'question')) return null;
  const pageCount = pages.every((p) => !p.visibleIf || trueWhenEmpty(p.visibleIf)) ? pages.length : null;
  return { title: first.title, surveyTitle: json.title, elements, pageCount };
}

function PreviewChoiceQuestion({ q, value, locale, onAnswer }: { q: PreviewQuestion; value: unknown; locale: Locale; onAnswer: (name: string, value: unknown) => void }) {
  const id = useId();
  return (
    <fieldset className="preview__question" data-preview-question={q.name}>
      <legend className="preview__title" id={`${id}-title`}>
        {text(q.title, locale) || q.name}
        {q.required && <span className="preview__required" aria-hidden="true"> *</span>}
      </legend>
      {q.choices.map((c, i) => (
        <label key={i} className="preview__choice">
          <input type="radio" name={`${id}-${q.name}`} checked={value === c.value} onChange={() => onAnswer(q.name, c.value)} />
          <span>{text(c.text, locale)}</span>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The light first page for `session`, or the skeleton when it cannot be drawn (a resumed session
 * past page 1, or a first page the preview does not know). `onAnswer` keeps each answer for the
 * full questionnaire.
 */
export function FirstPagePreview({ session, onAnswer }: { session: Session; onAnswer: (name: string, value: unknown) => void }) {
  const { locale, t } = useLocale();
  const preview = session.currentPageNo === 0 ? previewOf(session.json) : null;
  if (!preview) return <SurveySkeleton />;
  const surveyTitle = text(preview.surveyTitle, locale) || text(session.waveTitle, locale) || t('brand');
  return (
    <div className="preview" aria-busy="true">
      <div className="respond-head">
        <h1 className="respond-title">{surveyTitle}</h1>
        {preview.pageCount !== null && preview.pageCount > 1 && (
          <div className="respond-progress">
            <div className="respond-progress__bar">
              <div className="respond-progress__fill" style={{ width: `${100 / preview.pageCount}%` }} />
            </div>
            <p className="respond-progress__text">{PROGRESS_TEXT[locale].replace('{0}', '1').replace('{1}', String(preview.pageCount))}</p>
          </div>
        )}
      </div>
      <div className="preview__page">
        {text(preview.title, locale) && <h2 className="preview__page-title">{text(preview.title, locale)}</h2>}
        {preview.elements.map((e) =>
          e.kind === 'html' ? (
            <div key={e.name} className="preview__html" dangerouslySetInnerHTML={{ __html: collapseIntroHtml(text(e.html, locale), t('introMore')) }} />
          ) : (
            <PreviewChoiceQuestion key={e.name} q={e} value={session.data[e.name]} locale={locale} onAnswer={onAnswer} />
          ),
        )}
      </div>
    </div>
  );
}
